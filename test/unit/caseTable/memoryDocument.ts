// An in-memory stand-in for a VS Code TextDocument + WorkspaceEdit + undo stack, so the pure
// TableController can be driven end to end in unit tests, the render test and the benchmark.
import type { DocumentPort } from '../../../src/caseTable/controller';
import type { Range } from '../../../src/cases/types';

export interface Change {
  range: Range;
  text: string;
}

export class MemoryDocument implements DocumentPort {
  private lines: string[];
  readonly eol: '\n' | '\r\n';
  private readonly undoStack: Change[] = [];
  private readonly redoStack: Change[] = [];
  /** Called after every change, like onDidChangeTextDocument. */
  onChange: (changes: Change[]) => void = () => {};
  /** Every change applied, in order (edits, undos and redos). */
  readonly log: Change[] = [];

  constructor(text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.lines = text.split(/\r\n|\n/);
  }

  get lineCount(): number {
    return this.lines.length;
  }

  lineText(line: number): string {
    return this.lines[line] ?? '';
  }

  getText(): string {
    return this.lines.join(this.eol);
  }

  private textIn(range: Range): string {
    if (range.start.line === range.end.line)
      return this.lineText(range.start.line).slice(range.start.character, range.end.character);
    const parts = [this.lineText(range.start.line).slice(range.start.character)];
    for (let l = range.start.line + 1; l < range.end.line; l++) parts.push(this.lineText(l));
    parts.push(this.lineText(range.end.line).slice(0, range.end.character));
    return parts.join(this.eol);
  }

  /** Replaces `range` with `text`; returns the change that undoes it. */
  private replace(range: Range, text: string): Change {
    const old = this.textIn(range);
    const prefix = this.lineText(range.start.line).slice(0, range.start.character);
    const suffix = this.lineText(range.end.line).slice(range.end.character);
    const middle = (prefix + text + suffix).split(/\r\n|\n/);
    this.lines = [...this.lines.slice(0, range.start.line), ...middle, ...this.lines.slice(range.end.line + 1)];
    const inserted = text.split(/\r\n|\n/);
    const endLine = range.start.line + inserted.length - 1;
    const endChar =
      inserted.length === 1 ? range.start.character + text.length : (inserted[inserted.length - 1] ?? '').length;
    const change = { range, text };
    this.log.push(change);
    this.onChange([change]);
    return { range: { start: range.start, end: { line: endLine, character: endChar } }, text: old };
  }

  async applyEdit(range: Range, text: string): Promise<boolean> {
    this.undoStack.push(this.replace(range, text));
    this.redoStack.length = 0;
    return true;
  }

  undo(): boolean {
    const step = this.undoStack.pop();
    if (!step) return false;
    this.redoStack.push(this.replace(step.range, step.text));
    return true;
  }

  redo(): boolean {
    const step = this.redoStack.pop();
    if (!step) return false;
    this.undoStack.push(this.replace(step.range, step.text));
    return true;
  }
}
