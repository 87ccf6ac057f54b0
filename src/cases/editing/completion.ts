// Completion inside a case line, driven by where the cursor is in the JSON (jsonc-parser
// `getLocation` on the line text, which tolerates half-typed lines): object keys per schema
// location (top level, seed, level, candidate) minus those already present, and enum values for
// `split` and `label`. Descriptions come from the zod contract, the single source of the schema.
import { createScanner, getLocation } from 'jsonc-parser';
import type { JSONPath, SyntaxKind } from 'jsonc-parser';
import { CandidateSchema, CaseSchema, LevelSchema, SeedSchema, SPLITS } from '../../contracts/case';
import { MAX_LINE_LENGTH } from '../lineCheck';
import { nodeAt, parseLoose } from '../../lineEdit/lineEdit';

// jsonc-parser's SyntaxKind is a const enum, which isolatedModules cannot read: its values here.
const STRING_LITERAL = 10 as SyntaxKind;
const NUMERIC_LITERAL = 11 as SyntaxKind;
const UNKNOWN = 16 as SyntaxKind;
const EOF = 17 as SyntaxKind;

export interface CompletionSpec {
  label: string;
  kind: 'property' | 'value';
  /** Snippet syntax ($1, ${1|a,b|}); the shell wraps it in a SnippetString. */
  insertText: string;
  /** Replace [start, end) of the line (a half-typed key or value), or insert at start when equal. */
  start: number;
  end: number;
  detail: string;
  documentation?: string;
  sortText: string;
}

type ObjectKind = 'case' | 'seed' | 'level' | 'candidate';

interface KeySpec {
  key: string;
  snippet: (ctx: { levelIndex: number }) => string;
  detail: string;
  doc: string | undefined;
}

const CANDIDATES_SNIPPET = '[{"event": "$1", "label": 1}, {"event": "$2", "label": 0}]';

/** A key of a contract object: `"name": value` as the snippet, its type as the detail, and as documentation the
 * contract's description of the key unless `doc` says otherwise. */
function key<T extends Record<string, { description?: string | undefined }>>(
  shape: T,
  name: keyof T & string,
  value: string | ((ctx: { levelIndex: number }) => string),
  detail: string,
  doc = shape[name]?.description,
): KeySpec {
  return { key: name, snippet: (ctx) => `"${name}": ${typeof value === 'string' ? value : value(ctx)}`, detail, doc };
}

const KEYS: Record<ObjectKind, KeySpec[]> = {
  case: [
    key(
      CaseSchema.shape,
      'seed',
      '{"event": "$1", "date": "${2:YYYY-MM-DD}"}',
      'object, required',
      'The seed: the event the forecast starts from and its date.',
    ),
    key(CaseSchema.shape, 'levels', `[{"depth": 1, "candidates": ${CANDIDATES_SNIPPET}}]`, 'array, required'),
    key(CaseSchema.shape, 'id', '"$1"', 'string, optional'),
    key(CaseSchema.shape, 'split', `"\${1|${SPLITS.join(',')}|}"`, 'train | eval | test, optional'),
    key(CaseSchema.shape, 'source', '{"url": "$1"}', 'object, optional'),
  ],
  seed: [
    key(SeedSchema.shape, 'event', '"$1"', 'string, required'),
    key(SeedSchema.shape, 'date', '"${1:YYYY-MM-DD}"', 'YYYY-MM-DD, required'),
  ],
  level: [
    key(LevelSchema.shape, 'depth', ({ levelIndex }) => `\${1:${String(levelIndex + 1)}}`, 'integer ≥ 1, required'),
    key(LevelSchema.shape, 'candidates', CANDIDATES_SNIPPET, 'array, required'),
  ],
  candidate: [
    key(CandidateSchema.shape, 'event', '"$1"', 'string, required'),
    key(CandidateSchema.shape, 'label', '${1|0,1|}', '0 | 1, required'),
  ],
};

function objectKind(path: JSONPath): ObjectKind | undefined {
  if (path.length === 0) return 'case';
  if (path.length === 1 && path[0] === 'seed') return 'seed';
  if (path.length === 2 && path[0] === 'levels' && typeof path[1] === 'number') return 'level';
  if (
    path.length === 4 &&
    path[0] === 'levels' &&
    typeof path[1] === 'number' &&
    path[2] === 'candidates' &&
    typeof path[3] === 'number'
  ) {
    return 'candidate';
  }
  return undefined;
}

interface Token {
  kind: SyntaxKind;
  start: number;
  end: number;
}

/** The string or number token the cursor is in or right after (a half-typed key or value). */
function tokenAt(text: string, offset: number): Token | undefined {
  const scanner = createScanner(text, false);
  for (let kind = scanner.scan(); kind !== EOF; kind = scanner.scan()) {
    const start = scanner.getTokenOffset();
    const end = start + scanner.getTokenLength();
    if (start >= offset) return undefined;
    if (offset <= end && (kind === STRING_LITERAL || kind === NUMERIC_LITERAL || kind === UNKNOWN)) {
      // An unterminated string runs to the end of the line: replace only up to the cursor, or
      // accepting a completion would delete the rest of the line.
      const unterminated = kind === STRING_LITERAL && scanner.getTokenError() !== 0;
      return { kind, start, end: unterminated ? offset : end };
    }
  }
  return undefined;
}

/** Whether a ':' follows position `end` (then a key completion must not add another one). */
function colonFollows(text: string, end: number): boolean {
  return /^\s*:/.test(text.slice(end));
}

/** Completion items at `offset` in the line `text`; [] where nothing fits. */
export function completionsAt(text: string, offset: number): CompletionSpec[] {
  if (offset < 0 || offset > text.length || text.length > MAX_LINE_LENGTH) return [];
  const location = getLocation(text, offset);
  const path = location.path;
  const token = tokenAt(text, offset);

  if (location.isAtPropertyKey) {
    const objectPath = path.slice(0, -1);
    const kind = objectKind(objectPath);
    if (!kind) return [];
    const replace = token && token.kind !== NUMERIC_LITERAL ? token : undefined;
    const start = replace ? replace.start : offset;
    const end = replace ? replace.end : offset;
    const keyOnly = colonFollows(text, end);
    // Keys already in this object (other than the one being typed) are not offered again.
    const root = parseLoose(text);
    const objectNode = root ? (objectPath.length === 0 ? root : nodeAt(root, objectPath)) : undefined;
    const present = new Set<string>();
    for (const prop of objectNode?.type === 'object' ? (objectNode.children ?? []) : []) {
      const keyNode = prop.children?.[0];
      if (
        keyNode &&
        typeof keyNode.value === 'string' &&
        !(keyNode.offset <= offset && offset <= keyNode.offset + keyNode.length)
      ) {
        present.add(keyNode.value);
      }
    }
    const levelIndex = typeof objectPath[1] === 'number' ? objectPath[1] : 0;
    return KEYS[kind]
      .filter((k) => !present.has(k.key))
      .map((k, i) => ({
        label: k.key,
        kind: 'property' as const,
        insertText: keyOnly ? JSON.stringify(k.key) : k.snippet({ levelIndex }),
        start,
        end,
        detail: k.detail,
        documentation: k.doc,
        sortText: String(i).padStart(2, '0'),
      }));
  }

  const valueReplace =
    token && (token.kind === STRING_LITERAL || token.kind === NUMERIC_LITERAL || token.kind === UNKNOWN)
      ? token
      : undefined;
  const start = valueReplace ? valueReplace.start : offset;
  const end = valueReplace ? valueReplace.end : offset;
  const values = (items: { label: string; insert: string; detail: string }[]): CompletionSpec[] =>
    items.map((v, i) => ({
      label: v.label,
      kind: 'value' as const,
      insertText: v.insert,
      start,
      end,
      detail: v.detail,
      sortText: String(i).padStart(2, '0'),
    }));

  if (path.length === 1 && path[0] === 'split') {
    return values(SPLITS.map((s) => ({ label: `"${s}"`, insert: `"${s}"`, detail: `split: ${s}` })));
  }
  if (path.length === 5 && path[0] === 'levels' && path[2] === 'candidates' && path[4] === 'label') {
    return values([
      { label: '1', insert: '1', detail: 'the actual outcome (exactly one per level)' },
      { label: '0', insert: '0', detail: 'did not happen' },
    ]);
  }
  if (path.length === 3 && path[0] === 'levels' && typeof path[1] === 'number' && path[2] === 'depth') {
    const depth = String(path[1] + 1);
    return values([{ label: depth, insert: depth, detail: `depth of level ${depth}` }]);
  }
  return [];
}
