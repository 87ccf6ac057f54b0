// The second path of validation, for lines the byte scanner (scanLine.ts) left undecided and for
// callers that need the parsed case (checkLine). zod plus a jsonc syntax tree cost several times
// JSON.parse, so a valid line is recognised here by hand-written checks on the JSON.parse result.
// The answer is only "clean" or "not clean": any doubt sends the line to the slow path (zod +
// rules + exact ranges), which alone produces diagnostics. A property test
// (test/unit/cases/properties.test.ts) proves `isCleanCase(v)` holds exactly when the slow path
// reports nothing.
import { isRealDate } from './dates';
import { provenanceClean } from './provenanceRules';
import { AGENTS, ISO_DATE_PATTERN, REVIEW_STATUSES, TIMESTAMP_PATTERN, URL_PATTERN } from '../contracts/case';
import { isNonBlank } from './rules';
import type { LineFacts } from './types';
import { hasNoDuplicates, seedKeyOf } from './normalize';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// Provenance fields (sources, provenance, review): their shape by hand as the zod schema says it
// (the property test holds the two to one answer), their dates and evidence by provenanceClean (the
// rules' own code) once the whole line is read.
function onlyKeys(o: Json, allowed: readonly string[]): boolean {
  for (const k in o) if (!allowed.includes(k)) return false;
  return true;
}

const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const SOURCE_KEYS = ['url', 'title', 'published', 'quote'];

function cleanSources(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const s of v as unknown[]) {
    if (!isObject(s) || !onlyKeys(s, SOURCE_KEYS)) return false;
    if (
      typeof s.url !== 'string' ||
      !URL_PATTERN.test(s.url) ||
      typeof s.published !== 'string' ||
      !ISO_DATE_PATTERN.test(s.published)
    )
      return false;
    if (!optionalString(s.title) || !optionalString(s.quote)) return false;
  }
  return true;
}

function cleanProvenance(v: unknown): boolean {
  return (
    isObject(v) &&
    onlyKeys(v, ['agent', 'model', 'createdAt']) &&
    (AGENTS as readonly unknown[]).includes(v.agent) &&
    optionalString(v.model) &&
    typeof v.createdAt === 'string' &&
    TIMESTAMP_PATTERN.test(v.createdAt)
  );
}

function cleanReview(v: unknown): boolean {
  if (
    !isObject(v) ||
    !onlyKeys(v, ['status', 'checks', 'reviewedAt']) ||
    !(REVIEW_STATUSES as readonly unknown[]).includes(v.status)
  )
    return false;
  if (v.reviewedAt !== undefined && (typeof v.reviewedAt !== 'string' || !TIMESTAMP_PATTERN.test(v.reviewedAt)))
    return false;
  if (v.checks === undefined) return true;
  if (!Array.isArray(v.checks)) return false;
  for (const c of v.checks as unknown[]) {
    if (
      !isObject(c) ||
      !onlyKeys(c, ['name', 'ok', 'detail']) ||
      typeof c.name !== 'string' ||
      c.name.length === 0 ||
      typeof c.ok !== 'boolean' ||
      !optionalString(c.detail)
    )
      return false;
  }
  return true;
}

/** Set when the line has a provenance field, so the provenance rules run on it at the end. */
let sawProvenance = false;

function cleanSeed(seed: unknown): boolean {
  if (!isObject(seed)) return false;
  let n = 0;
  for (const k in seed) {
    if (k === 'sources') {
      if (!cleanSources(seed.sources)) return false;
      sawProvenance = true;
      continue;
    }
    if (k !== 'event' && k !== 'date') return false;
    n++;
  }
  return n === 2 && isNonBlank(seed.event) && typeof seed.date === 'string' && isRealDate(seed.date);
}

// Reused for every level: the hot path should not allocate an array per level.
const eventsScratch: string[] = [];

/** The index of the actual when the level is clean, else -1. */
function cleanLevel(level: unknown, depth: number): number {
  if (!isObject(level)) return -1;
  let n = 0;
  for (const k in level) {
    if (k !== 'depth' && k !== 'candidates') return -1;
    n++;
  }
  if (n !== 2 || level.depth !== depth) return -1;
  const candidates = level.candidates;
  if (!Array.isArray(candidates) || candidates.length < 2) return -1;
  let actual = -1;
  const events = eventsScratch;
  events.length = 0;
  for (let i = 0; i < candidates.length; i++) {
    const c: unknown = candidates[i];
    if (!isObject(c)) return -1;
    let m = 0;
    for (const k in c) {
      if (k === 'sources') {
        if (!cleanSources(c.sources)) return -1;
        sawProvenance = true;
        continue;
      }
      if (k !== 'event' && k !== 'label') return -1;
      m++;
    }
    if (m !== 2) return -1;
    const label = c.label;
    if (label === 1) {
      if (actual >= 0) return -1;
      actual = i;
    } else if (label !== 0) return -1;
    if (!isNonBlank(c.event)) return -1;
    events.push(c.event);
  }
  return actual >= 0 && hasNoDuplicates(events) ? actual : -1;
}

/**
 * The line's facts when the slow path would report no diagnostic for this parsed line (the same
 * object `factsOf` returns), else undefined. One pass for checking and collecting.
 */
export function cleanCaseFacts(value: unknown): LineFacts | undefined {
  if (!isObject(value)) return undefined;
  sawProvenance = false;
  let seed: Json | undefined;
  const actualPositions: number[] = [];
  const candidateCounts: number[] = [];
  const facts: LineFacts = { actualPositions, candidateCounts };
  for (const k in value) {
    const v = value[k];
    switch (k) {
      case 'id':
        if (typeof v !== 'string' || v.length === 0) return undefined;
        facts.id = v;
        break;
      case 'seed':
        if (!cleanSeed(v)) return undefined;
        seed = v as Json;
        break;
      case 'levels':
        if (!Array.isArray(v) || v.length === 0) return undefined;
        for (let i = 0; i < v.length; i++) {
          const actual = cleanLevel(v[i], i + 1);
          if (actual < 0) return undefined;
          actualPositions.push(actual);
          candidateCounts.push(((v[i] as Json).candidates as unknown[]).length);
        }
        break;
      case 'split':
        if (v !== 'train' && v !== 'eval' && v !== 'test') return undefined;
        facts.split = v;
        break;
      case 'source':
        if (!isObject(v)) return undefined;
        break;
      case 'provenance':
        if (!cleanProvenance(v)) return undefined;
        sawProvenance = true;
        break;
      case 'review':
        if (!cleanReview(v)) return undefined;
        sawProvenance = true;
        break;
      default:
        return undefined;
    }
  }
  if (!seed || candidateCounts.length === 0) return undefined;
  if (sawProvenance && !provenanceClean(value)) return undefined;
  facts.seedKey = seedKeyOf(seed.event as string, seed.date as string);
  return facts;
}

/** True exactly when the slow path would report no diagnostic for this parsed line. */
export function isCleanCase(value: unknown): boolean {
  return cleanCaseFacts(value) !== undefined;
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
    facts.seedKey = seedKeyOf(seed.event, seed.date);
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
