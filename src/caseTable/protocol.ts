// Messages between the case table's host (src/caseTable/vscode) and its webview app
// (webview/caseTable). Types only, so the webview bundle imports nothing at run time from here;
// the host validates inbound messages with the zod schemas in ./inbound.ts.
import type { EditOp } from './editOps';
import type { ReviewStatus, Split } from '../contracts/case';

export type { EditOp };

/** What a table row is. `raw`: not JSON (fix it in text); `invalid`: JSON but not a valid case. */
export type RowKind = 'case' | 'invalid' | 'raw' | 'blank';

/** One table row, all the webview needs to paint it. `line` is the 0-based document line. */
export interface CaseRow {
  line: number;
  kind: RowKind;
  id?: string;
  seed: string;
  date: string;
  split?: string;
  levels: number; // number of levels (the deepest depth of a valid case)
  candidates: number[]; // candidates per level
  errors: number;
  warnings: number;
  raw?: string; // the line's text (cut to 200 characters) for raw rows
  review?: ReviewStatus; // the case's review status (contract 1's optional `review`)
}

export type SortKey = 'line' | 'seed' | 'date' | 'split' | 'levels' | 'candidates' | 'errors';

export interface TableQuery {
  text: string; // case-insensitive substring of id, seed event or any candidate event
  split: Split | 'none' | 'all'; // 'none': cases without a split
  onlyProblems: boolean; // rows with errors or warnings
  review: ReviewStatus | 'none' | 'all'; // 'none': cases without a review
  sort: SortKey;
  descending: boolean;
}

export const DEFAULT_QUERY: TableQuery = {
  text: '',
  split: 'all',
  onlyProblems: false,
  review: 'all',
  sort: 'line',
  descending: false,
};

export interface Summary {
  lines: number;
  cases: number;
  errors: number;
  warnings: number;
  rawLines: number;
  analysed: boolean; // false until the whole file has been validated (file-level rules included)
}

export interface FieldDiagnostic {
  path: string; // dot-joined JSON path on the line ('' = the whole case), e.g. levels.0.candidates.1.event
  severity: 'error' | 'warning' | 'information';
  code: string;
  message: string;
}

export interface FormCandidate {
  event: string;
  label: number | null; // null when the line has no usable label
}

export interface FormLevel {
  depth: number | null;
  candidates: FormCandidate[];
}

/** A source of the seed or of an actual outcome, as the form lists it. */
export interface FormSource {
  where: string; // 'seed' or 'depth N'
  url: string;
  title: string;
  published: string;
}

export interface FormReview {
  status: ReviewStatus;
  checks: { name: string; ok: boolean; detail: string }[];
}

/** The selected case as the form shows it (read leniently so a half-broken case still edits). */
export interface CaseForm {
  id: string;
  seedEvent: string;
  seedDate: string;
  split: Split | null;
  levels: FormLevel[];
  review: FormReview | null;
  sources: FormSource[];
}

export interface CaseDetail {
  line: number;
  kind: RowKind;
  text: string; // the line's text (the raw row shows it; capped at 2000 characters)
  form?: CaseForm; // absent for raw and blank lines
  diagnostics: FieldDiagnostic[];
}

/** Host → webview. `generation` changes whenever row positions change; stale answers are dropped. */
export type HostToWebview =
  | {
      type: 'init';
      generation: number;
      size: number;
      start: number;
      rows: CaseRow[];
      query: TableQuery;
      summary: Summary;
    }
  | { type: 'rows'; generation: number; start: number; rows: CaseRow[] }
  | { type: 'reset'; generation: number; size: number; query: TableQuery; summary: Summary }
  | { type: 'rowsChanged'; generation: number; rows: { index: number; row: CaseRow }[] }
  | { type: 'summary'; summary: Summary }
  // `seq`: the `select` this answers (absent when the host sends it on its own: an edit, a reveal).
  | { type: 'detail'; detail: CaseDetail | null; seq?: number }
  | { type: 'reveal'; index: number; line: number }
  | { type: 'editRejected'; line: number; path: string; message: string };

/** Webview → host. */
export type WebviewToHost =
  | { type: 'ready'; start: number; end: number; query: TableQuery; selectedLine: number | null }
  | { type: 'requestRows'; generation: number; start: number; end: number }
  // `seq` rises with every select, so the webview can tell an answer to an older one (arrow keys
  // run ahead of the answers) from the current one.
  | { type: 'select'; line: number | null; seq?: number }
  | { type: 'query'; query: TableQuery }
  | { type: 'edit'; line: number; op: EditOp }
  | { type: 'addCase'; afterLine: number | null }
  | { type: 'duplicateCase'; line: number }
  | { type: 'deleteCase'; line: number }
  | { type: 'nextProblem'; fromIndex: number; backwards: boolean }
  | { type: 'openInText'; line: number };

/** Most rows one request may ask for (a tall screen shows ~80; the host caps what it sends). */
export const MAX_ROWS_PER_REQUEST = 500;
