// Contract 1's zod schema (the single source) applied to one parsed line, with every zod issue
// turned into a diagnostic on the exact key or value and a message that names the field and the fix.
// Only lines that fail the fast path (src/cases/fastPath.ts) come here, so zod's cost is paid for
// broken lines only.
import type { z } from 'zod';
import { CaseSchema } from '../contracts/case';
import { diagnostic, formatPath, showValue } from './locator';
import type { Locator } from './locator';
import type { CaseDiagnostic } from './types';

/** What each field must be, keyed by its path with array indexes dropped. */
const EXPECTED: Record<string, string> = {
  '': 'a JSON object with "seed" and "levels"',
  id: 'a non-empty string',
  seed: 'an object {"event": …, "date": "YYYY-MM-DD"}',
  'seed.event': 'a non-empty string',
  'seed.date': 'a date as "YYYY-MM-DD"',
  levels: 'a non-empty array of levels',
  'levels[]': 'an object {"depth": …, "candidates": […]}',
  'levels[].depth': 'a whole number ≥ 1',
  'levels[].candidates': 'an array of at least 2 candidates',
  'levels[].candidates[]': 'an object {"event": …, "label": 0 or 1}',
  'levels[].candidates[].event': 'a non-empty string',
  'levels[].candidates[].label': '0 or 1',
  split: 'one of "train", "eval", "test"',
  source: 'an object (where the case came from: url, agent, notes)',
  'seed.sources': 'an array of sources {"url", "published": "YYYY-MM-DD", "title"?, "quote"?}',
  'seed.sources[]': 'a source {"url", "published": "YYYY-MM-DD", "title"?, "quote"?}',
  'seed.sources[].url': 'an http(s) URL without spaces',
  'seed.sources[].published': 'the publication date as "YYYY-MM-DD"',
  'seed.sources[].title': 'a string',
  'seed.sources[].quote': 'a string',
  'levels[].candidates[].sources': 'an array of sources {"url", "published": "YYYY-MM-DD", "title"?, "quote"?}',
  'levels[].candidates[].sources[]': 'a source {"url", "published": "YYYY-MM-DD", "title"?, "quote"?}',
  'levels[].candidates[].sources[].url': 'an http(s) URL without spaces',
  'levels[].candidates[].sources[].published': 'the publication date as "YYYY-MM-DD"',
  'levels[].candidates[].sources[].title': 'a string',
  'levels[].candidates[].sources[].quote': 'a string',
  provenance: 'an object {"agent", "model"?, "createdAt"}',
  'provenance.agent': 'one of "human", "generator", "brainstormer", "chronicler"',
  'provenance.model': 'a string',
  'provenance.createdAt': 'a timestamp such as "2026-01-15T09:30:00Z"',
  review: 'an object {"status", "checks"?, "reviewedAt"?}',
  'review.status': 'one of "draft", "verified", "rejected"',
  'review.checks': 'an array of checks {"name", "ok", "detail"?}',
  'review.checks[]': 'a check {"name", "ok": true or false, "detail"?}',
  'review.checks[].name': 'a non-empty string',
  'review.checks[].ok': 'true or false',
  'review.checks[].detail': 'a string',
  'review.reviewedAt': 'a timestamp such as "2026-01-15T09:30:00Z"',
};

const SOURCE_KEYS = ['url', 'title', 'published', 'quote'] as const;

/** Allowed keys per object pattern, for "unknown key" messages and suggestions. */
const KEYS: Record<string, readonly string[]> = {
  '': ['id', 'seed', 'levels', 'split', 'source', 'provenance', 'review'],
  seed: ['event', 'date', 'sources'],
  'levels[]': ['depth', 'candidates'],
  'levels[].candidates[]': ['event', 'label', 'sources'],
  'seed.sources[]': SOURCE_KEYS,
  'levels[].candidates[].sources[]': SOURCE_KEYS,
  provenance: ['agent', 'model', 'createdAt'],
  review: ['status', 'checks', 'reviewedAt'],
  'review.checks[]': ['name', 'ok', 'detail'],
};

const NOUNS: Record<string, string> = { levels: 'level', 'levels[].candidates': 'candidate' };

export function patternOf(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? '[]' : out.length === 0 ? String(seg) : `.${String(seg)}`;
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    const rec = v as Record<PropertyKey, unknown>;
    if (!Object.prototype.hasOwnProperty.call(rec, seg)) return undefined;
    v = rec[seg];
  }
  return v;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, k) => k);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] as number;
}

function suggest(key: string, allowed: readonly string[], present: unknown): string {
  const have = present !== null && typeof present === 'object' ? (present as Record<string, unknown>) : {};
  const missing = allowed.filter((k) => !Object.prototype.hasOwnProperty.call(have, k));
  let best: string | undefined;
  // A short key must be nearly right to count as a typo of an allowed one.
  let bestD = key.length <= 3 ? 2 : 3;
  for (const k of missing) {
    const d = editDistance(key.toLowerCase(), k);
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best ? `did you mean "${best}"? ` : '';
}

function issueMessage(issue: z.core.$ZodIssue, value: unknown, root: unknown): string {
  const path = issue.path;
  const where = formatPath(path);
  const pattern = patternOf(path);
  const expected = EXPECTED[pattern] ?? 'valid';
  if (value === undefined && path.length > 0) {
    const parent = path.slice(0, -1);
    const key = String(path[path.length - 1]);
    const owner = parent.length === 0 ? 'the case' : formatPath(parent);
    return `${owner} is missing "${key}": add "${key}" as ${expected}`;
  }
  if (issue.code === 'too_small' && Array.isArray(value)) {
    const noun = NOUNS[pattern] ?? 'element';
    const min = Number(issue.minimum);
    return `${where} must have at least ${min} ${noun}${min === 1 ? '' : 's'} (got ${value.length})`;
  }
  if (pattern === '' && (root === null || typeof root !== 'object' || Array.isArray(root))) {
    return `each line must be one case, ${expected} (got ${showValue(value)})`;
  }
  return `${where} must be ${expected} (got ${showValue(value)})`;
}

/** zod's verdict on one parsed line, as diagnostics on exact ranges; [] when the case is valid. */
export function schemaDiagnostics(value: unknown, locator: Locator): CaseDiagnostic[] {
  const result = CaseSchema.safeParse(value);
  if (result.success) return [];
  const out: CaseDiagnostic[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const pattern = patternOf(path);
      const allowed = KEYS[pattern] ?? [];
      const owner = path.length === 0 ? 'a case' : formatPath(path);
      const objectValue = valueAt(value, path);
      for (const key of issue.keys) {
        const hint = suggest(key, allowed, objectValue);
        out.push(
          diagnostic(
            locator.key(path, key),
            'error',
            'unknown-key',
            `unknown key "${key}" in ${owner}: ${hint}allowed keys are ${allowed.join(', ')}`,
          ),
        );
      }
      continue;
    }
    const fieldValue = valueAt(value, path);
    // A missing key is flagged on the object that should hold it.
    const span = fieldValue === undefined && path.length > 0 ? locator.value(path.slice(0, -1)) : locator.value(path);
    out.push(diagnostic(span, 'error', 'schema', issueMessage(issue, fieldValue, value)));
  }
  return out;
}
