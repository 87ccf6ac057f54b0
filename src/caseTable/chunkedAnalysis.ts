// Builds the whole-file analysis (a CaseDocument) a slice of lines at a time, so a 100k-case file
// never blocks the extension host for seconds: the table paints from per-line checks first and the
// file-level rules (duplicate ids, repeated seeds, leaks) arrive when the last slice is in. Changes
// made meanwhile are applied to the part already built; the part not yet read needs nothing.
import { CaseDocument } from '../cases/caseDocument';
import type { Range } from '../cases/types';

export interface LineReader {
  readonly lineCount: number;
  lineText(line: number): string;
}

export class ChunkedAnalysis {
  private doc = new CaseDocument('');
  /** Lines [0, built) of the source are in `doc`; `doc` has one extra empty line as a tail. */
  private built = 0;

  constructor(
    private readonly source: LineReader,
    private readonly chunkLines = 200,
  ) {}

  get done(): boolean {
    return this.built >= this.source.lineCount;
  }

  /** Reads the next slice; returns true when the analysis is complete. */
  step(): boolean {
    if (this.done) return true;
    const n = this.source.lineCount;
    const end = Math.min(n, this.built + this.chunkLines);
    const parts: string[] = [];
    for (let l = this.built; l < end; l++) parts.push(this.source.lineText(l));
    const last = end >= n;
    // Replace the empty tail line with the slice (+ a new tail unless this is the end).
    this.doc.replaceLines(this.built, this.built + 1, parts.join('\n') + (last ? '' : '\n'));
    this.built = end;
    return last;
  }

  /** Finishes synchronously (for whole-file operations such as sorting) and returns the document. */
  finish(): CaseDocument {
    while (!this.step()) {
      /* keep reading */
    }
    return this.doc;
  }

  /** A content change of the source, already applied to it (VS Code's order within an event). */
  applyChange(range: Range, text: string, newLineCount: number, oldLineCount: number): void {
    if (this.done) {
      this.doc.applyChange(range, text);
      return;
    }
    if (range.start.line >= this.built) return; // not read yet: the slice will read the new text
    if (range.end.line < this.built) {
      this.doc.applyChange(range, text);
      this.built += newLineCount - oldLineCount;
      return;
    }
    // The change straddles the boundary: start over (rare, and still correct).
    this.doc = new CaseDocument('');
    this.built = 0;
  }
}
