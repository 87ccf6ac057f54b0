// The case table's host logic, pure (no `vscode`): it answers the webview's row requests, turns form
// actions into edits of the document, and turns document changes (from any editor) into data-only
// updates of the changed rows. The VS Code session adapts a TextDocument + WorkspaceEdit to
// `DocumentPort`; the render test adapts an in-memory document, so both run this same code.
import type { CaseDocument } from '../cases/caseDocument';
import { checkLine } from '../cases/lineCheck';
import type { Position, Range as LineRange } from '../cases/types';
import { LineEditError, detectStyle } from '../lineEdit/lineEdit';
import { applyEditOp, duplicateCaseText, newCaseText, uniqueId } from './editOps';
import { acceptInbound } from '../shell/inbound';
import { WebviewToHostSchema } from './inbound';
import type { CaseRow, HostToWebview, TableQuery, WebviewToHost } from './protocol';
import { MAX_ROWS_PER_REQUEST } from './protocol';
import { TableModel } from './tableModel';
import { ChunkedAnalysis } from './chunkedAnalysis';
import type { LineChecker } from './tableModel';

/** More changed rows than this in one document change: tell the webview to re-request instead. */
const MAX_CHANGED_ROWS = 300;
/** Time the background analysis may take per event-loop turn. */
const ANALYSIS_SLICE_MS = 12;

/** The document as the controller needs it; every write goes through `applyEdit`. */
export interface DocumentPort {
  readonly lineCount: number;
  lineText(line: number): string;
  getText(): string;
  readonly eol: '\n' | '\r\n';
  /** Replaces `range` with `text` as one undoable edit; resolves false when it was refused. */
  applyEdit(range: LineRange, text: string): Promise<boolean>;
}

export interface UiPort {
  post(message: HostToWebview): void;
  notify(severity: 'info' | 'warning' | 'error', message: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  openInText(line: number): Promise<void>;
}

export function linesIn(text: string): number {
  let n = 1;
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10) n++;
    else if (c === 13) {
      n++;
      if (text.charCodeAt(k + 1) === 10) k++;
    }
  }
  return n;
}

/** Problem filters and the problem sort need the file-level rules; other queries read lines only. */
function needsAnalysis(q: TableQuery): boolean {
  return q.onlyProblems || q.sort === 'errors';
}

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export class TableController {
  private readonly model: TableModel;
  private analysis: CaseDocument | undefined;
  private analysisTimer: ReturnType<typeof setTimeout> | undefined;
  private building: ChunkedAnalysis | undefined;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  private selected: number | null = null;

  constructor(
    private readonly doc: DocumentPort,
    private readonly ui: UiPort,
    check: LineChecker = checkLine,
  ) {
    this.model = new TableModel(doc, check);
  }

  dispose(): void {
    clearTimeout(this.analysisTimer);
    clearTimeout(this.summaryTimer);
  }

  /** The table model (for benchmarks and tests). */
  get table(): TableModel {
    return this.model;
  }

  private post(message: HostToWebview): void {
    this.ui.post(message);
  }

  /** The whole-file analysis (file-level rules, sorting, filtering); finishes it now if needed. */
  private ensureAnalysis(): CaseDocument {
    if (!this.analysis) {
      clearTimeout(this.analysisTimer);
      const started = Date.now();
      this.building ??= new ChunkedAnalysis(this.doc);
      this.attach(this.building.finish(), started);
    }
    return this.analysis as CaseDocument;
  }

  private attach(analysis: CaseDocument, started: number): void {
    this.analysis = analysis;
    this.building = undefined;
    this.model.attachAnalysis(analysis);
    this.ui.log('info', `case table: analysed ${this.doc.lineCount} lines (last slice ${Date.now() - started} ms)`);
  }

  /** Builds the analysis a slice per event-loop turn, after the first paint went out. */
  private scheduleAnalysis(): void {
    if (this.analysis || this.analysisTimer) return;
    this.building ??= new ChunkedAnalysis(this.doc);
    const tick = (): void => {
      this.analysisTimer = undefined;
      if (this.analysis || !this.building) return;
      // A few milliseconds per turn of the event loop, so messages keep flowing meanwhile.
      const started = Date.now();
      let complete = false;
      while (!complete && Date.now() - started < ANALYSIS_SLICE_MS) complete = this.building.step();
      if (complete) {
        this.attach(this.building.finish(), started);
        this.resetView();
      } else this.analysisTimer = setTimeout(tick, 0);
    };
    this.analysisTimer = setTimeout(tick, 0);
  }

  private resetView(): void {
    this.post({
      type: 'reset',
      generation: this.model.generation,
      size: this.model.size,
      query: this.model.query,
      summary: this.model.summary(),
    });
  }

  private postDetail(seq?: number): void {
    this.post({
      type: 'detail',
      detail: this.selected === null ? null : this.model.detail(this.selected),
      ...(seq === undefined ? {} : { seq }),
    });
  }

  /** Call with every message the webview posts; invalid ones are logged and dropped. */
  receive(data: unknown): void {
    const message = acceptInbound(WebviewToHostSchema, data, 'case table', (line) => this.ui.log('warn', line));
    if (!message) return;
    void this.handle(message).catch((err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      this.ui.log('error', `case table: ${message.type}: ${text}`);
      this.ui.notify('error', text);
    });
  }

  private async handle(m: WebviewToHost): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // A restored view may come back sorted or filtered: that needs the whole file first.
        if (needsAnalysis(m.query)) this.ensureAnalysis();
        this.model.setQuery(m.query);
        const end = Math.min(m.end, m.start + MAX_ROWS_PER_REQUEST);
        this.post({
          type: 'init',
          generation: this.model.generation,
          size: this.model.size,
          start: m.start,
          rows: this.model.rows(m.start, end),
          query: this.model.query,
          summary: this.model.summary(),
        });
        this.selected = m.selectedLine !== null && m.selectedLine < this.model.lineCount ? m.selectedLine : null;
        this.postDetail();
        this.scheduleAnalysis();
        return;
      }
      case 'requestRows':
        if (m.generation !== this.model.generation) return;
        this.post({ type: 'rows', generation: m.generation, start: m.start, rows: this.model.rows(m.start, m.end) });
        return;
      case 'select':
        this.selected = m.line !== null && m.line < this.model.lineCount ? m.line : null;
        this.postDetail(m.seq);
        return;
      case 'query':
        if (needsAnalysis(m.query)) this.ensureAnalysis();
        this.model.setQuery(m.query);
        this.resetView();
        return;
      case 'edit': {
        if (m.line >= this.model.lineCount) return;
        const before = this.doc.lineText(m.line);
        let after: string;
        try {
          after = applyEditOp(before, m.op);
        } catch (err) {
          if (!(err instanceof LineEditError)) throw err;
          this.post({ type: 'editRejected', line: m.line, path: err.path, message: err.message });
          this.postDetail();
          return;
        }
        if (after !== before) await this.replaceLine(m.line, after);
        return;
      }
      case 'addCase': {
        const analysis = this.ensureAnalysis();
        const id = uniqueId(`case-${this.model.lineCount + 1}`, this.model.ids());
        const neighbour = m.afterLine ?? this.model.lineCount - 1;
        const style = neighbour >= 0 ? detectStyle(analysis.lineText(neighbour)) : undefined;
        await this.insertLineAfter(m.afterLine, newCaseText(id, today(), style));
        return;
      }
      case 'duplicateCase': {
        this.ensureAnalysis();
        if (m.line >= this.model.lineCount) return;
        const text = this.doc.lineText(m.line);
        let copy: string;
        try {
          copy = duplicateCaseText(text, this.model.ids());
        } catch {
          copy = text; // not JSON: a verbatim copy, still fixable in text
        }
        await this.insertLineAfter(m.line, copy);
        return;
      }
      case 'deleteCase':
        if (m.line >= this.model.lineCount) return;
        await this.deleteLine(m.line);
        return;
      case 'nextProblem': {
        this.ensureAnalysis();
        const index = this.model.nextProblem(m.fromIndex, m.backwards);
        if (index < 0) {
          this.ui.notify('info', 'No errors or warnings in this view.');
          return;
        }
        this.selected = this.model.lineAt(index);
        this.post({ type: 'reveal', index, line: this.selected });
        this.postDetail();
        return;
      }
      case 'openInText': {
        if (m.line >= this.doc.lineCount) return;
        await this.ui.openInText(m.line);
        return;
      }
    }
  }

  private async apply(range: LineRange, text: string): Promise<void> {
    if (!(await this.doc.applyEdit(range, text))) this.ui.notify('warning', 'The edit could not be applied.');
  }

  private lineEnd(line: number): Position {
    return { line, character: this.doc.lineText(line).length };
  }

  /** Replaces the text of one line (its end-of-line untouched). */
  private async replaceLine(line: number, text: string): Promise<void> {
    await this.apply({ start: { line, character: 0 }, end: this.lineEnd(line) }, text);
  }

  /** Inserts a whole line after `after` (null: at the end of the file) and selects it. */
  private async insertLineAfter(after: number | null, text: string): Promise<void> {
    const last = this.model.lineCount - 1;
    let newLine: number;
    if (last < 0) {
      await this.apply({ start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text);
      newLine = 0;
    } else {
      const at = after === null ? last : Math.min(after, last);
      const end = this.lineEnd(at);
      await this.apply({ start: end, end }, this.doc.eol + text);
      newLine = at + 1;
    }
    this.selected = newLine;
    const index = this.model.indexOfLine(newLine);
    if (index >= 0) this.post({ type: 'reveal', index, line: newLine });
    this.postDetail();
  }

  /** Deletes one whole line with its line break. */
  private async deleteLine(line: number): Promise<void> {
    const n = this.doc.lineCount;
    if (line + 1 < n) await this.apply({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, '');
    else if (line > 0) await this.apply({ start: this.lineEnd(line - 1), end: this.lineEnd(line) }, '');
    else await this.apply({ start: { line: 0, character: 0 }, end: this.lineEnd(0) }, '');
  }

  /** Call with every content change of the document (from any editor, ours included). */
  documentChanged(changes: readonly { range: LineRange; text: string }[]): void {
    if (changes.length === 0) return;
    let shifted = false;
    const touched = new Set<number>();
    for (const c of changes) {
      const start = c.range.start.line;
      const oldLines = c.range.end.line - start + 1;
      const newLines = linesIn(c.text);
      this.analysis?.applyChange(c.range, c.text);
      this.building?.applyChange(c.range, c.text, newLines, oldLines);
      this.model.noteLinesReplaced(start, c.range.end.line, newLines);
      if (newLines !== oldLines) {
        shifted = true;
        if (this.selected !== null && this.selected > c.range.end.line) this.selected += newLines - oldLines;
        else if (this.selected !== null && this.selected >= start && this.selected >= start + newLines)
          this.selected = start;
      }
      for (let l = start; l < start + newLines; l++) touched.add(l);
    }
    if (this.selected !== null && this.selected >= this.model.lineCount)
      this.selected = this.model.lineCount > 0 ? this.model.lineCount - 1 : null;
    const recounted = this.model.refreshDiagnostics();
    if (shifted) {
      this.model.rebuildView();
      this.resetView();
    } else {
      for (const l of recounted) touched.add(l);
      if (touched.size > MAX_CHANGED_ROWS) {
        this.model.generation++;
        this.resetView();
      } else {
        const rows: { index: number; row: CaseRow }[] = [];
        for (const l of touched) {
          const index = this.model.indexOfLine(l);
          if (index >= 0 && l < this.model.lineCount) rows.push({ index, row: this.model.row(l) });
        }
        if (rows.length > 0) this.post({ type: 'rowsChanged', generation: this.model.generation, rows });
      }
      this.scheduleSummary();
    }
    if (this.selected !== null) this.postDetail();
  }

  private scheduleSummary(): void {
    clearTimeout(this.summaryTimer);
    this.summaryTimer = setTimeout(() => this.post({ type: 'summary', summary: this.model.summary() }), 250);
  }
}
