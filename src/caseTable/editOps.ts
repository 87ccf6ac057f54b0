// The table form's edit operations, pure: each takes one case line's text and returns the new
// text of that one line (the host turns it into a WorkspaceEdit replacing exactly that line).
// Operations keep a case valid where they can: they refuse empty events, dates that are not real
// calendar dates, removing the actual or the last two candidates, and removing the last level;
// depths renumber themselves after every level change.
import { calendarProblem, isDateShaped } from '../cases/dates';
import { REVIEW_STATUSES, SPLITS, TIMESTAMP_PATTERN } from '../contracts/case';
import type { ReviewStatus, Split } from '../contracts/case';
import {
  LineEditError,
  arrayLength,
  detectStyle,
  removeProperty,
  rewriteArray,
  setValue as setLineValue,
  stringifyLike,
  valueAt,
} from '../lineEdit/lineEdit';
import type { Json, JsonPath, JsonStyle } from '../lineEdit/lineEdit';

/** The order a case's keys are written in when we have to add one (contract 1's example). */
const CASE_KEY_ORDER = [
  'id',
  'seed',
  'event',
  'date',
  'levels',
  'depth',
  'candidates',
  'label',
  'split',
  'source',
  'sources',
  'provenance',
  'review',
];

/** Sets the value at `path` of a case line, a new key where contract 1's example has it. */
function setValue(text: string, path: JsonPath, value: Json): string {
  return setLineValue(text, path, value, CASE_KEY_ORDER);
}

/** One form action. Indices are 0-based positions in `levels` / `candidates`. */
export type EditOp =
  | { kind: 'setId'; value: string } // '' removes the id
  | { kind: 'setSeedEvent'; value: string }
  | { kind: 'setSeedDate'; value: string }
  | { kind: 'setSplit'; value: Split | null } // null removes the split
  | { kind: 'setCandidateEvent'; level: number; candidate: number; value: string }
  | { kind: 'setActual'; level: number; candidate: number }
  | { kind: 'addCandidate'; level: number }
  | { kind: 'removeCandidate'; level: number; candidate: number }
  | { kind: 'moveCandidate'; level: number; from: number; to: number }
  | { kind: 'addLevel' }
  | { kind: 'removeLevel'; level: number }
  | { kind: 'moveLevel'; from: number; to: number }
  // A person's verdict: review.status, and when (the webview's clock, ISO); the verifier's checks stay.
  | { kind: 'setReview'; value: ReviewStatus; at: string };

export type EditOpKind = EditOp['kind'];

function requireEvent(value: string, path: string): string {
  if (value.trim().length === 0) throw new LineEditError('An event cannot be empty.', path);
  if (/[\r\n]/.test(value)) throw new LineEditError('An event must fit on one line.', path);
  return value;
}

function requireDate(value: string): string {
  if (!isDateShaped(value)) throw new LineEditError('Use a date as YYYY-MM-DD.', 'seed.date');
  const problem = calendarProblem(value);
  if (problem) throw new LineEditError(`Not a real date: ${problem}.`, 'seed.date');
  return value;
}

function levelCount(text: string): number {
  const n = arrayLength(text, ['levels']);
  if (n < 0) throw new LineEditError('This case has no list of levels.', 'levels');
  return n;
}

function candidateCount(text: string, level: number): number {
  levelIndex(text, level);
  const n = arrayLength(text, ['levels', level, 'candidates']);
  if (n < 0) throw new LineEditError(`Depth ${level + 1} has no list of candidates.`, `levels.${level}.candidates`);
  return n;
}

function levelIndex(text: string, level: number): number {
  const n = levelCount(text);
  if (!Number.isInteger(level) || level < 0 || level >= n)
    throw new LineEditError(`There is no level ${level + 1}.`, 'levels');
  return level;
}

function candidateIndex(text: string, level: number, candidate: number): number {
  const n = candidateCount(text, level);
  if (!Number.isInteger(candidate) || candidate < 0 || candidate >= n) {
    throw new LineEditError(`Depth ${level + 1} has no candidate ${candidate + 1}.`, `levels.${level}.candidates`);
  }
  return candidate;
}

function move<T>(items: T[], from: number, to: number): T[] {
  const out = items.slice();
  const [item] = out.splice(from, 1);
  if (item !== undefined) out.splice(to, 0, item);
  return out;
}

/** Sets `depth` of every level to its position + 1, touching only depths that are wrong. */
export function renumberDepths(text: string): string {
  const n = levelCount(text);
  let out = text;
  for (let i = 0; i < n; i++) {
    if (valueAt(out, ['levels', i, 'depth']) !== i + 1) out = setValue(out, ['levels', i, 'depth'], i + 1);
  }
  return out;
}

/** Labels candidate `candidate` of `level` 1 and every other candidate of that level 0. */
function setActual(text: string, level: number, candidate: number): string {
  const n = candidateCount(text, level);
  candidateIndex(text, level, candidate);
  let out = text;
  for (let i = 0; i < n; i++) {
    const want = i === candidate ? 1 : 0;
    if (valueAt(out, ['levels', level, 'candidates', i, 'label']) !== want) {
      out = setValue(out, ['levels', level, 'candidates', i, 'label'], want);
    }
  }
  return out;
}

function newCandidateEvent(text: string, level: number, n: number): string {
  const taken = new Set<string>();
  for (let i = 0; i < n; i++) {
    const e = valueAt(text, ['levels', level, 'candidates', i, 'event']);
    if (typeof e === 'string') taken.add(e);
  }
  for (let k = n + 1; ; k++) if (!taken.has(`New candidate ${k}`)) return `New candidate ${k}`;
}

function newLevel(depth: number, style: JsonStyle): string {
  const level: Json = {
    depth,
    candidates: [
      // Dissimilar on purpose: similar texts would trip the near-duplicate warning.
      { event: `What happened at depth ${depth}`, label: 1 },
      { event: 'An alternative outcome', label: 0 },
    ],
  };
  return stringifyLike(level, style);
}

/** Applies one form action to a case line; throws LineEditError when it is refused. */
export function applyEditOp(text: string, op: EditOp): string {
  switch (op.kind) {
    case 'setId':
      return op.value === '' ? removeProperty(text, ['id']) : setValue(text, ['id'], op.value);
    case 'setSeedEvent':
      return setValue(text, ['seed', 'event'], requireEvent(op.value, 'seed.event'));
    case 'setSeedDate':
      return setValue(text, ['seed', 'date'], requireDate(op.value));
    case 'setReview': {
      if (!REVIEW_STATUSES.includes(op.value))
        throw new LineEditError(`Unknown review status ${String(op.value)}.`, 'review');
      if (!TIMESTAMP_PATTERN.test(op.at))
        throw new LineEditError('The review time must be an ISO timestamp.', 'review');
      const review = valueAt(text, ['review']);
      if (review === undefined || review === null || typeof review !== 'object' || Array.isArray(review))
        return setValue(text, ['review'], { status: op.value, reviewedAt: op.at });
      return setValue(setValue(text, ['review', 'status'], op.value), ['review', 'reviewedAt'], op.at);
    }
    case 'setSplit':
      if (op.value === null) return removeProperty(text, ['split']);
      if (!SPLITS.includes(op.value)) throw new LineEditError(`Unknown split ${String(op.value)}.`, 'split');
      return setValue(text, ['split'], op.value);
    case 'setCandidateEvent': {
      const path = `levels.${op.level}.candidates.${op.candidate}.event`;
      candidateIndex(text, op.level, op.candidate);
      return setValue(text, ['levels', op.level, 'candidates', op.candidate, 'event'], requireEvent(op.value, path));
    }
    case 'setActual':
      return setActual(text, op.level, op.candidate);
    case 'addCandidate': {
      const n = candidateCount(text, op.level);
      const event = newCandidateEvent(text, op.level, n);
      return rewriteArray(text, ['levels', op.level, 'candidates'], (els, style) => [
        ...els,
        stringifyLike({ event, label: 0 }, style),
      ]);
    }
    case 'removeCandidate': {
      const n = candidateCount(text, op.level);
      candidateIndex(text, op.level, op.candidate);
      const path = `levels.${op.level}.candidates.${op.candidate}`;
      if (n <= 2) throw new LineEditError('A level needs at least two candidates.', path);
      if (valueAt(text, ['levels', op.level, 'candidates', op.candidate, 'label']) === 1) {
        throw new LineEditError('This is the actual outcome: mark another candidate as actual first.', path);
      }
      return rewriteArray(text, ['levels', op.level, 'candidates'], (els) => els.filter((_, i) => i !== op.candidate));
    }
    case 'moveCandidate':
      candidateIndex(text, op.level, op.from);
      candidateIndex(text, op.level, op.to);
      if (op.from === op.to) return text;
      return rewriteArray(text, ['levels', op.level, 'candidates'], (els) => move(els, op.from, op.to));
    case 'addLevel': {
      const n = levelCount(text);
      const style = detectStyle(text);
      return rewriteArray(text, ['levels'], (els) => [...els, newLevel(n + 1, style)]);
    }
    case 'removeLevel': {
      const n = levelCount(text);
      levelIndex(text, op.level);
      if (n <= 1) throw new LineEditError('A case needs at least one level.', `levels.${op.level}`);
      return renumberDepths(rewriteArray(text, ['levels'], (els) => els.filter((_, i) => i !== op.level)));
    }
    case 'moveLevel':
      levelIndex(text, op.from);
      levelIndex(text, op.to);
      if (op.from === op.to) return text;
      return renumberDepths(rewriteArray(text, ['levels'], (els) => move(els, op.from, op.to)));
  }
}

/** An id not in `taken`: `base`, else `base-2`, `base-3`, … */
export function uniqueId(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let k = 2; ; k++) if (!taken.has(`${base}-${k}`)) return `${base}-${k}`;
}

/** The text of a new, valid case written in `style` (the neighbouring line's separators). */
export function newCaseText(id: string, date: string, style: JsonStyle = { colon: ': ', comma: ', ' }): string {
  const value: Json = {
    id,
    seed: { event: 'New seed event', date },
    levels: [
      {
        depth: 1,
        candidates: [
          { event: 'Actual outcome', label: 1 },
          { event: 'Alternative outcome', label: 0 },
        ],
      },
    ],
    split: 'train',
  };
  return stringifyLike(value, style);
}

/** A copy of a case line; its id (if any) becomes a fresh one so ids stay unique. */
export function duplicateCaseText(text: string, taken: ReadonlySet<string>): string {
  const id = valueAt(text, ['id']);
  if (typeof id !== 'string' || id === '') return text;
  return setValue(text, ['id'], uniqueId(`${id}-copy`, taken));
}
