// Shared vocabulary of the case-dataset core. Pure: no `vscode` import, so the CLI, the table
// editor and unit tests use the same code as the editor. Positions are 0-based (like VS Code);
// the CLI converts to 1-based when it prints. Line text excludes the line terminator; a BOM at the
// start of line 0 is ignored; CRLF is fine. The core's entry points: `checkLine` (lineCheck.ts, one
// line alone), `CaseDocument` (caseDocument.ts, a file's incremental model) and `statsOf` (stats.ts).

import type { Case, Split } from '../contracts/case';

export type Severity = 'error' | 'warning' | 'information';

export interface Position {
  line: number; // 0-based line in the file
  character: number; // 0-based UTF-16 offset in that line
}

export interface Range {
  start: Position;
  end: Position;
}

/** Stable diagnostic codes (shown in the Problems panel, used by quick fixes and the CLI). */
export type CaseDiagnosticCode =
  | 'json-syntax'
  | 'line-too-long'
  | 'too-deep'
  | 'lone-surrogate'
  | 'invalid-utf8'
  | 'blank-line'
  | 'schema'
  | 'unknown-key'
  | 'invalid-date'
  | 'no-actual'
  | 'multiple-actuals'
  | 'depth-sequence'
  | 'duplicate-id'
  | 'duplicate-candidate'
  | 'near-duplicate-candidate'
  | 'repeated-seed'
  | 'seed-in-train-and-eval'
  | 'actual-position-bias'
  | 'source-before-event'
  | 'verified-without-sources'
  | 'eval-before-cutoff';

export interface CaseDiagnostic {
  range: Range;
  severity: Severity;
  code: CaseDiagnosticCode;
  message: string;
}

/** What the file-level rules need from one line, so they never re-parse the file. */
export interface LineFacts {
  id?: string;
  seedKey?: string; // normalised seed event + date
  split?: Split;
  actualPositions: number[]; // per level: index of the actual candidate, -1 when none or several
  candidateCounts: number[]; // per level
}

/** The outcome of checking one line. `case` is set when the line is a valid case. */
export interface LineResult {
  diagnostics: CaseDiagnostic[]; // ranges are on this line; `line` is filled by the document model
  facts?: LineFacts;
  case?: Case;
  value?: unknown; // the parsed JSON when the line is valid JSON
  blank?: boolean; // only whitespace: the document decides whether it is a blank line in the middle
}
