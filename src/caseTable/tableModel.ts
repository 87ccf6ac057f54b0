// The host-side model of the table, pure (no `vscode`). Opening costs the same for 100k cases as for
// 1k: rows are computed on demand for the visible range from the line's own check, and the whole
// file's analysis (file-level rules such as duplicate ids) is attached later and only then feeds the
// badges. A sorted or filtered view is an array of line numbers; the plain view needs none.
import type { CaseDiagnostic, LineResult } from '../cases/types';
import { countDiagnostics, detailOf, rowOf } from './rows';
import type { Counts } from './rows';
import type { CaseDetail, CaseRow, Summary, TableQuery } from './protocol';
import { DEFAULT_QUERY } from './protocol';

/** The document's lines (a VS Code TextDocument adapter in the host, an array in tests). */
export interface LineSource {
  readonly lineCount: number;
  lineText(line: number): string;
}

/** The whole-file analysis; `CaseDocument` of src/cases satisfies it. */
export interface LineAnalysis {
  lineResult(line: number): LineResult;
  diagnostics(): CaseDiagnostic[];
}

export type LineChecker = (text: string) => LineResult;

const LAZY_CACHE_LIMIT = 5000;

/** Diagnostic codes of file-level rules: a line with only these is still a valid case. */
const FILE_LEVEL_CODES = new Set<string>([
  'duplicate-id',
  'repeated-seed',
  'seed-in-train-and-eval',
  'actual-position-bias',
  'blank-line',
]);

/** What sorting and filtering read of a line; cached so a second sort parses nothing. */
interface RowKeys {
  seed: string;
  date: string;
  split: string | undefined;
  review: string | undefined;
  levels: number;
  candidates: number;
  raw: boolean; // not JSON
  line: number; // set when the keys are used for a query
}

function keysOf(text: string): RowKeys {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return { seed: '', date: '', split: undefined, review: undefined, levels: 0, candidates: 0, raw: true, line: -1 };
  }
  const v = (typeof value === 'object' && value !== null ? value : {}) as {
    seed?: { event?: unknown; date?: unknown };
    split?: unknown;
    levels?: unknown;
    review?: { status?: unknown };
  };
  const levels = Array.isArray(v.levels) ? (v.levels as { candidates?: unknown }[]) : [];
  let candidates = 0;
  for (const l of levels) if (Array.isArray(l?.candidates)) candidates += l.candidates.length;
  return {
    seed: typeof v.seed?.event === 'string' ? v.seed.event : '',
    date: typeof v.seed?.date === 'string' ? v.seed.date : '',
    split: typeof v.split === 'string' ? v.split : undefined,
    review: typeof v.review?.status === 'string' ? v.review.status : undefined,
    levels: levels.length,
    candidates,
    raw: false,
    line: -1,
  };
}

export function isDefaultQuery(q: TableQuery): boolean {
  return (
    q.text.trim() === '' &&
    q.split === 'all' &&
    q.review === 'all' &&
    !q.onlyProblems &&
    q.sort === 'line' &&
    !q.descending
  );
}

function eventsOf(value: unknown): string[] {
  const out: string[] = [];
  if (typeof value !== 'object' || value === null) return out;
  const v = value as { id?: unknown; seed?: { event?: unknown }; levels?: unknown };
  if (typeof v.id === 'string') out.push(v.id);
  if (typeof v.seed?.event === 'string') out.push(v.seed.event);
  if (Array.isArray(v.levels)) {
    for (const l of v.levels as { candidates?: unknown }[]) {
      if (Array.isArray(l?.candidates))
        for (const c of l.candidates as { event?: unknown }[]) if (typeof c?.event === 'string') out.push(c.event);
    }
  }
  return out;
}

function compareKeys(a: RowKeys, b: RowKeys, counts: (k: RowKeys) => Counts, q: TableQuery): number {
  let c = 0;
  switch (q.sort) {
    case 'line':
      c = 0;
      break;
    case 'seed':
      c = a.seed < b.seed ? -1 : a.seed > b.seed ? 1 : 0;
      break;
    case 'date':
      c = a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
      break;
    case 'split':
      c = (a.split ?? '') < (b.split ?? '') ? -1 : (a.split ?? '') > (b.split ?? '') ? 1 : 0;
      break;
    case 'levels':
      c = a.levels - b.levels;
      break;
    case 'candidates':
      c = a.candidates - b.candidates;
      break;
    case 'errors': {
      const ca = counts(a);
      const cb = counts(b);
      c = ca.errors - cb.errors || ca.warnings - cb.warnings;
      break;
    }
  }
  return q.descending ? -c : c;
}

export class TableModel {
  private analysis: LineAnalysis | undefined;
  private readonly lazy = new Map<number, LineResult>();
  private byLine = new Map<number, CaseDiagnostic[]>();
  private countsByLine = new Map<number, Counts>();
  private order: Int32Array | undefined;
  private indexOf: Int32Array | undefined; // line -> view index, -1 when filtered out
  private queryState: TableQuery = DEFAULT_QUERY;
  private keys: (RowKeys | undefined)[] = [];
  generation = 0;

  constructor(
    private readonly source: LineSource,
    private readonly check: LineChecker,
  ) {}

  get query(): TableQuery {
    return this.queryState;
  }

  get analysed(): boolean {
    return this.analysis !== undefined;
  }

  /** Lines shown: all of them, less the empty line after the file's last newline. */
  get lineCount(): number {
    const n = this.source.lineCount;
    return n > 0 && this.source.lineText(n - 1) === '' ? n - 1 : n;
  }

  get size(): number {
    return this.order ? this.order.length : this.lineCount;
  }

  lineAt(index: number): number {
    return this.order ? (this.order[index] ?? -1) : index;
  }

  indexOfLine(line: number): number {
    if (!this.order) return line < this.lineCount ? line : -1;
    return this.indexOf?.[line] ?? -1;
  }

  lineResult(line: number): LineResult {
    if (this.analysis) return this.analysis.lineResult(line);
    let r = this.lazy.get(line);
    if (!r) {
      if (this.lazy.size >= LAZY_CACHE_LIMIT) this.lazy.clear();
      r = this.check(this.source.lineText(line));
      this.lazy.set(line, r);
    }
    return r;
  }

  /** Diagnostics on a line: its own, plus file-level ones once the analysis is attached. */
  diagnosticsOf(line: number): CaseDiagnostic[] {
    if (this.analysis) return this.byLine.get(line) ?? [];
    return this.lineResult(line).diagnostics;
  }

  countsOf(line: number): Counts {
    if (this.analysis) return this.countsByLine.get(line) ?? { errors: 0, warnings: 0 };
    return countDiagnostics(this.lineResult(line).diagnostics);
  }

  row(line: number): CaseRow {
    return rowOf(line, this.source.lineText(line), this.lineResult(line), this.countsOf(line));
  }

  rows(start: number, end: number): CaseRow[] {
    const from = Math.max(0, start);
    const to = Math.min(this.size, end);
    const out: CaseRow[] = [];
    for (let i = from; i < to; i++) out.push(this.row(this.lineAt(i)));
    return out;
  }

  detail(line: number): CaseDetail | null {
    if (line < 0 || line >= this.lineCount) return null;
    return detailOf(line, this.source.lineText(line), this.lineResult(line), this.diagnosticsOf(line));
  }

  /** Attaches the whole-file analysis; returns the lines whose badges changed. */
  attachAnalysis(analysis: LineAnalysis): number[] {
    this.analysis = analysis;
    this.lazy.clear();
    return this.refreshDiagnostics();
  }

  /** Re-reads the analysis' diagnostics; returns lines whose error/warning counts changed. */
  refreshDiagnostics(): number[] {
    if (!this.analysis) return [];
    const before = this.countsByLine;
    const byLine = new Map<number, CaseDiagnostic[]>();
    for (const d of this.analysis.diagnostics()) {
      const l = d.range.start.line;
      const list = byLine.get(l);
      if (list) list.push(d);
      else byLine.set(l, [d]);
    }
    const counts = new Map<number, Counts>();
    for (const [l, list] of byLine) counts.set(l, countDiagnostics(list));
    this.byLine = byLine;
    this.countsByLine = counts;
    const changed: number[] = [];
    for (const [l, c] of counts) {
      const b = before.get(l);
      if (!b || b.errors !== c.errors || b.warnings !== c.warnings) changed.push(l);
    }
    for (const l of before.keys()) if (!counts.has(l)) changed.push(l);
    return changed;
  }

  /** Lines [start, endInclusive] were replaced by `newLines` lines: drop caches that moved. */
  noteLinesReplaced(start: number, endInclusive: number, newLines: number): void {
    const removed = endInclusive - start + 1;
    if (removed === newLines) {
      for (let l = start; l <= endInclusive; l++) {
        this.lazy.delete(l);
        this.keys[l] = undefined;
      }
    } else {
      this.lazy.clear();
      this.keys.splice(start, removed, ...new Array<RowKeys | undefined>(newLines));
    }
  }

  /** Applies a sort/filter; the plain view (file order, no filter) needs no index at all. */
  setQuery(query: TableQuery): void {
    this.queryState = query;
    this.generation++;
    if (isDefaultQuery(query)) {
      this.order = undefined;
      this.indexOf = undefined;
      return;
    }
    const needle = query.text.trim().toLowerCase();
    const lines: number[] = [];
    const n = this.lineCount;
    for (let line = 0; line < n; line++) {
      let k = this.keys[line];
      if (!k) {
        k = keysOf(this.source.lineText(line));
        this.keys[line] = k;
      }
      k.line = line;
      if (query.split === 'none' ? k.split !== undefined : query.split !== 'all' && k.split !== query.split) continue;
      if (query.review === 'none' ? k.review !== undefined : query.review !== 'all' && k.review !== query.review)
        continue;
      if (query.onlyProblems) {
        const c = this.countsOf(line);
        if (c.errors === 0 && c.warnings === 0) continue;
      }
      if (needle) {
        const text = this.source.lineText(line);
        const hay = k.raw ? [text] : eventsOf(JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
        if (!hay.some((t) => t.toLowerCase().includes(needle))) continue;
      }
      lines.push(line);
    }
    if (query.sort !== 'line' || query.descending) {
      const keys = this.keys as RowKeys[];
      const counts = (k: RowKeys): Counts => this.countsOf(k.line);
      const sorted = lines.map((l) => keys[l]!).sort((a, b) => compareKeys(a, b, counts, query) || a.line - b.line);
      for (let i = 0; i < sorted.length; i++) lines[i] = sorted[i]!.line;
    }
    this.order = Int32Array.from(lines);
    const inverse = new Int32Array(n).fill(-1);
    lines.forEach((l, i) => (inverse[l] = i));
    this.indexOf = inverse;
  }

  /** Rebuilds the view after lines were inserted or deleted (line numbers shifted). */
  rebuildView(): void {
    this.setQuery(this.queryState);
  }

  /** The next (or previous) row after view index `from` with an error, else with a warning. */
  nextProblem(from: number, backwards: boolean): number {
    const n = this.size;
    if (n === 0) return -1;
    for (const wantErrors of [true, false]) {
      for (let k = 1; k <= n; k++) {
        const i = (((backwards ? from - k : from + k) % n) + n) % n;
        const c = this.countsOf(this.lineAt(i));
        if (wantErrors ? c.errors > 0 : c.warnings > 0) return i;
        // Before the analysis is attached, scanning touches every line: stop early on big files.
        if (!this.analysis && k > LAZY_CACHE_LIMIT) break;
      }
    }
    return -1;
  }

  /** Counts from the diagnostics alone (no line is parsed): cheap enough to send after each edit. */
  summary(): Summary {
    const lines = this.lineCount;
    if (!this.analysis) return { lines, cases: 0, errors: 0, warnings: 0, rawLines: 0, analysed: false };
    let errors = 0;
    let warnings = 0;
    for (const c of this.countsByLine.values()) {
      errors += c.errors;
      warnings += c.warnings;
    }
    let rawLines = 0;
    let invalid = 0;
    for (const list of this.byLine.values()) {
      if (list.some((d) => d.code === 'json-syntax')) rawLines++;
      if (list.some((d) => d.severity === 'error' && !FILE_LEVEL_CODES.has(d.code))) invalid++;
    }
    let blank = 0;
    for (let l = 0; l < lines; l++) if (this.source.lineText(l).trim() === '') blank++;
    return { lines, cases: lines - blank - invalid, errors, warnings, rawLines, analysed: true };
  }

  /** Ids used in the file (for fresh ids of new and duplicated cases). */
  ids(): Set<string> {
    const ids = new Set<string>();
    const n = this.analysis ? this.lineCount : Math.min(this.lineCount, LAZY_CACHE_LIMIT);
    for (let l = 0; l < n; l++) {
      const id = this.lineResult(l).facts?.id;
      if (id) ids.add(id);
    }
    return ids;
  }
}
