// The hot path of validation. Most lines of a real dataset are valid, and zod plus a jsonc syntax
// tree cost several times JSON.parse, so a valid line is recognised here by hand-written checks on
// the JSON.parse result. The answer is only "clean" or "not clean": any doubt sends the line to
// the slow path (zod + rules + exact ranges), which alone produces diagnostics. A property test
// (test/unit/cases/fastPath.test.ts) proves `isCleanCase(v)` holds exactly when the slow path
// reports nothing.
import { isRealDate } from './dates';
import { isNonBlank } from './rules';
import type { LineFacts } from './types';
import { hasNoDuplicates, normalizeEvent } from './normalize';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function cleanSeed(seed: unknown): boolean {
  if (!isObject(seed)) return false;
  let n = 0;
  for (const k in seed) {
    if (k !== 'event' && k !== 'date') return false;
    n++;
  }
  return n === 2 && isNonBlank(seed.event) && typeof seed.date === 'string' && isRealDate(seed.date);
}

function cleanLevel(level: unknown, depth: number): boolean {
  if (!isObject(level)) return false;
  let n = 0;
  for (const k in level) {
    if (k !== 'depth' && k !== 'candidates') return false;
    n++;
  }
  if (n !== 2 || level.depth !== depth) return false;
  const candidates = level.candidates;
  if (!Array.isArray(candidates) || candidates.length < 2) return false;
  let actuals = 0;
  const events: string[] = [];
  for (const c of candidates) {
    if (!isObject(c)) return false;
    let m = 0;
    for (const k in c) {
      if (k !== 'event' && k !== 'label') return false;
      m++;
    }
    if (m !== 2) return false;
    const label = c.label;
    if (label === 1) actuals++;
    else if (label !== 0) return false;
    if (!isNonBlank(c.event)) return false;
    events.push(c.event);
  }
  return actuals === 1 && hasNoDuplicates(events);
}

/** True exactly when the slow path would report no diagnostic for this parsed line. */
export function isCleanCase(value: unknown): boolean {
  if (!isObject(value)) return false;
  let hasSeed = false;
  let hasLevels = false;
  for (const k in value) {
    const v = value[k];
    switch (k) {
      case 'id':
        if (typeof v !== 'string' || v.length === 0) return false;
        break;
      case 'seed':
        if (!cleanSeed(v)) return false;
        hasSeed = true;
        break;
      case 'levels':
        if (!Array.isArray(v) || v.length === 0) return false;
        for (let i = 0; i < v.length; i++) if (!cleanLevel(v[i], i + 1)) return false;
        hasLevels = true;
        break;
      case 'split':
        if (v !== 'train' && v !== 'eval' && v !== 'test') return false;
        break;
      case 'source':
        if (!isObject(v)) return false;
        break;
      default:
        return false;
    }
  }
  return hasSeed && hasLevels;
}

/**
 * What the file-level rules need from a parsed line. Tolerant: it takes whatever is well-typed, so
 * a duplicate id is still found on a line that has other errors.
 */
export function factsOf(value: unknown): LineFacts | undefined {
  if (!isObject(value)) return undefined;
  const facts: LineFacts = { actualPositions: [], candidateCounts: [] };
  const { id, seed, split, levels } = value;
  if (typeof id === 'string' && id.length > 0) facts.id = id;
  if (isObject(seed) && isNonBlank(seed.event) && typeof seed.date === 'string') {
    facts.seedKey = `${normalizeEvent(seed.event)}\u0000${seed.date}`;
  }
  if (split === 'train' || split === 'eval' || split === 'test') facts.split = split;
  if (Array.isArray(levels)) {
    for (const level of levels) {
      const candidates = isObject(level) ? level.candidates : undefined;
      if (!Array.isArray(candidates)) {
        facts.actualPositions.push(-1);
        facts.candidateCounts.push(0);
        continue;
      }
      let pos = -1;
      for (let k = 0; k < candidates.length; k++) {
        const c: unknown = candidates[k];
        if (isObject(c) && c.label === 1) {
          pos = pos === -1 ? k : -2;
        }
      }
      facts.actualPositions.push(pos < 0 ? -1 : pos);
      facts.candidateCounts.push(candidates.length);
    }
  }
  return facts;
}
