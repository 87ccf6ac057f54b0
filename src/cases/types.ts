// Shared vocabulary of the case-dataset core. Pure: no `vscode` import, so the CLI, the table
// editor and unit tests use the same code as the editor. Positions are 0-based (like VS Code);
// the CLI converts to 1-based when it prints.
//
// AGREED API of the cases core (other features import exactly these names):
// ## The cases core API (owned by the "cases-core" engineer; the "cases-vscode" and other engineers import it)
//
// All in src/cases/, pure (no `vscode`), using the types in src/cases/types.ts (you may ADD fields/codes there; don't rename).
// Positions are 0-based; ranges are file ranges (line = file line).
//
// ```ts
// // src/cases/lineCheck.ts — check one line's text in isolation (no file context).
// export function checkLine(text: string): LineResult;           // diagnostics with line=0; never throws
//
// // src/cases/caseDocument.ts — the incremental model of one file.
// export class CaseDocument {
//   constructor(text: string);
//   /** Replace lines [startLine, endLineExclusive) with the lines of `newText` (may contain \n / \r\n; '' deletes). */
//   replaceLines(startLine: number, endLineExclusive: number, newText: string): void;
//   /** Apply a VS Code-style content change (0-based range + text); re-checks only the touched lines. */
//   applyChange(range: Range, text: string): void;
//   readonly lineCount: number;
//   lineText(line: number): string;
//   lineResult(line: number): LineResult;                          // diagnostics here carry the real line number
//   diagnostics(): CaseDiagnostic[];                               // line + file-level rules, sorted by position
//   cases(): { line: number; case: Case }[];                       // valid cases, in file order
// }
// export function validateText(text: string): CaseDiagnostic[];   // convenience: new CaseDocument(text).diagnostics()
//
// // src/cases/stats.ts
// export interface CaseStats { cases: number; invalidLines: number; levelsPerDepth: Record<string, number>;
//   candidatesPerLevel: Record<string, number>; actualPosition: Record<string, number>; splits: Record<string, number>;
//   errors: number; warnings: Record<string, number>; }
// export function statsOf(doc: CaseDocument): CaseStats;
// ```
// Line text excludes the line terminator; a BOM at the start of line 0 is ignored; CRLF is fine.

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
