// From a line's validation result to what the table and the form show. The view never parses:
// it reads `LineResult.case` (valid) or `LineResult.value` (valid JSON, read leniently here so a
// half-broken case can still be repaired in the form).
import type { CaseDiagnostic, LineResult } from '../cases/types';
import { REVIEW_STATUSES, SPLITS, URL_PATTERN } from '../contracts/case';
import type { ReviewStatus, Split } from '../contracts/case';
import { pathInLine, pathKey } from '../lineEdit/lineEdit';
import type {
  CaseDetail,
  CaseForm,
  CaseRow,
  FieldDiagnostic,
  FormLevel,
  FormReview,
  FormSource,
  RowKind,
} from './protocol';

const RAW_PREVIEW = 200;
const DETAIL_TEXT = 2000;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function kindOf(text: string, result: LineResult): RowKind {
  if (result.case) return 'case';
  if (result.value !== undefined) return 'invalid';
  return stripBom(text).trim() === '' ? 'blank' : 'raw';
}

export interface Counts {
  errors: number;
  warnings: number;
}

export function countDiagnostics(diagnostics: readonly CaseDiagnostic[]): Counts {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}

/** A table row for one line; `counts` overrides the line's own counts once file-level rules ran. */
export function rowOf(line: number, text: string, result: LineResult, counts?: Counts): CaseRow {
  const kind = kindOf(text, result);
  const { errors, warnings } = counts ?? countDiagnostics(result.diagnostics);
  const value: unknown = result.case ?? result.value;
  if (!isObj(value)) {
    const row: CaseRow = { line, kind, seed: '', date: '', levels: 0, candidates: [], errors, warnings };
    if (kind === 'raw' || kind === 'invalid') row.raw = stripBom(text).slice(0, RAW_PREVIEW);
    return row;
  }
  const seed = isObj(value.seed) ? value.seed : {};
  const levels = Array.isArray(value.levels) ? value.levels : [];
  const row: CaseRow = {
    line,
    kind,
    seed: str(seed.event),
    date: str(seed.date),
    levels: levels.length,
    candidates: levels.map((l) => (isObj(l) && Array.isArray(l.candidates) ? l.candidates.length : 0)),
    errors,
    warnings,
  };
  if (typeof value.id === 'string') row.id = value.id;
  if (typeof value.split === 'string') row.split = value.split;
  const review = reviewOf(value.review);
  if (review) row.review = review.status;
  return row;
}

/** The form's view of a JSON object line; missing or ill-typed fields read as empty. */
export function formOf(value: unknown): CaseForm | undefined {
  if (!isObj(value)) return undefined;
  const seed = isObj(value.seed) ? value.seed : {};
  const split =
    typeof value.split === 'string' && (SPLITS as readonly string[]).includes(value.split)
      ? (value.split as Split)
      : null;
  const levels: FormLevel[] = (Array.isArray(value.levels) ? value.levels : []).map((l) => {
    const level = isObj(l) ? l : {};
    const candidates = Array.isArray(level.candidates) ? level.candidates : [];
    return {
      depth: typeof level.depth === 'number' ? level.depth : null,
      candidates: candidates.map((c) => {
        const cand = isObj(c) ? c : {};
        return { event: str(cand.event), label: cand.label === 0 || cand.label === 1 ? cand.label : null };
      }),
    };
  });
  return {
    id: str(value.id),
    seedEvent: str(seed.event),
    seedDate: str(seed.date),
    split,
    levels,
    review: reviewOf(value.review),
    sources: sourcesOf(value),
  };
}

function reviewOf(v: unknown): FormReview | null {
  if (!isObj(v) || !(REVIEW_STATUSES as readonly unknown[]).includes(v.status)) return null;
  const checks = (Array.isArray(v.checks) ? v.checks : [])
    .filter(isObj)
    .map((c) => ({ name: str(c.name), ok: c.ok === true, detail: str(c.detail) }));
  return { status: v.status as ReviewStatus, checks };
}

/** The seed's sources, then each actual's, as the form lists them (only http(s) URLs: they become links). */
function sourcesOf(value: Obj): FormSource[] {
  const out: FormSource[] = [];
  const add = (where: string, list: unknown): void => {
    for (const s of Array.isArray(list) ? list : []) {
      if (isObj(s) && typeof s.url === 'string' && URL_PATTERN.test(s.url))
        out.push({ where, url: s.url, title: str(s.title), published: str(s.published) });
    }
  };
  add('seed', isObj(value.seed) ? value.seed.sources : undefined);
  (Array.isArray(value.levels) ? value.levels : []).forEach((l, i) => {
    const actual =
      isObj(l) && Array.isArray(l.candidates) ? l.candidates.find((c) => isObj(c) && c.label === 1) : undefined;
    if (isObj(actual)) add(`depth ${i + 1}`, actual.sources);
  });
  return out;
}

/** Diagnostics of one line mapped onto the JSON path they point at, for display beside fields. */
export function fieldDiagnostics(
  text: string,
  diagnostics: readonly CaseDiagnostic[],
  kind: RowKind,
): FieldDiagnostic[] {
  return diagnostics.map((d) => ({
    path: kind === 'raw' || kind === 'blank' ? '' : pathKey(pathInLine(text, d.range.start.character)),
    severity: d.severity,
    code: d.code,
    message: d.message,
  }));
}

export function detailOf(
  line: number,
  text: string,
  result: LineResult,
  diagnostics: readonly CaseDiagnostic[],
): CaseDetail {
  const kind = kindOf(text, result);
  const detail: CaseDetail = {
    line,
    kind,
    text: text.slice(0, DETAIL_TEXT),
    diagnostics: fieldDiagnostics(text, diagnostics, kind),
  };
  const form = formOf(result.case ?? result.value);
  if (form) detail.form = form;
  return detail;
}
