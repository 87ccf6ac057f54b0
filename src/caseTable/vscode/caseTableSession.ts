// One open table editor: the TextDocument is the model (samples' catScratchEditor). The webview asks
// for the rows it shows by range; every form action becomes a WorkspaceEdit that replaces exactly one
// line (or inserts/deletes whole lines), so undo, redo, save, dirty state and a text editor beside
// it stay in step; document changes from anywhere come back as data-only updates of changed rows.
import * as vscode from 'vscode';
import { CaseDocument } from '../../cases/caseDocument';
import { checkLine } from '../../cases/lineCheck';
import type { Ctx } from '../../shell/context';
import { CaseEditError, detectStyle } from '../jsonLine';
import { applyEditOp, duplicateCaseText, newCaseText, uniqueId } from '../editOps';
import { caseTablePage, makeNonce } from '../html';
import { parseWebviewMessage } from '../inbound';
import type { CaseRow, HostMessage, WebviewMessage } from '../protocol';
import { MAX_ROWS_PER_REQUEST } from '../protocol';
import { TableModel } from '../tableModel';

/** More changed rows than this in one document change: tell the webview to re-request instead. */
const MAX_CHANGED_ROWS = 300;

function linesIn(text: string): number {
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

function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export class CaseTableSession implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly model: TableModel;
  private analysis: CaseDocument | undefined;
  private analysisTimer: ReturnType<typeof setTimeout> | undefined;
  private summaryTimer: ReturnType<typeof setTimeout> | undefined;
  private selected: number | null = null;

  constructor(
    private readonly ctx: Ctx,
    private readonly document: vscode.TextDocument,
    private readonly panel: vscode.WebviewPanel,
  ) {
    const doc = document;
    this.model = new TableModel({ get lineCount() { return doc.lineCount; }, lineText: (l) => doc.lineAt(l).text }, checkLine);
    const webviewRoot = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.webview.html = caseTablePage({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'caseTable.js')).toString(),
      nonce: makeNonce(),
      title: 'Case table',
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => this.receive(data)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === this.document) this.documentChanged(e.contentChanges);
      }),
    );
  }

  dispose(): void {
    clearTimeout(this.analysisTimer);
    clearTimeout(this.summaryTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  private post(message: HostMessage): void {
    void this.panel.webview.postMessage(message);
  }

  /** The whole-file analysis (file-level rules, sorting, filtering); built after the first paint. */
  private ensureAnalysis(): CaseDocument {
    if (!this.analysis) {
      clearTimeout(this.analysisTimer);
      const started = Date.now();
      this.analysis = new CaseDocument(this.document.getText());
      this.model.attachAnalysis(this.analysis);
      this.ctx.log.info(`case table: analysed ${this.document.lineCount} lines of ${this.document.uri.fsPath} in ${Date.now() - started} ms`);
    }
    return this.analysis;
  }

  private scheduleAnalysis(): void {
    if (this.analysis) return;
    this.analysisTimer = setTimeout(() => {
      this.ensureAnalysis();
      this.resetView();
    }, 0);
  }

  private resetView(): void {
    this.post({ type: 'reset', generation: this.model.generation, size: this.model.size, query: this.model.query, summary: this.model.summary() });
  }

  private postDetail(): void {
    this.post({ type: 'detail', detail: this.selected === null ? null : this.model.detail(this.selected) });
  }

  private receive(data: unknown): void {
    const message = parseWebviewMessage(data);
    if (!message) {
      this.ctx.log.warn(`case table: ignored an invalid message from the webview: ${JSON.stringify(data)?.slice(0, 200)}`);
      return;
    }
    void this.handle(message).catch((err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      this.ctx.log.error(`case table: ${message.type}: ${text}`);
      void vscode.window.showErrorMessage(`PsychoHistory: ${text}`);
    });
  }

  private async handle(m: WebviewMessage): Promise<void> {
    switch (m.type) {
      case 'ready': {
        // A restored view may come back sorted or filtered: that needs the whole file first.
        if (m.query.sort !== 'line' || m.query.descending || m.query.text || m.query.split !== 'all' || m.query.onlyProblems) {
          this.ensureAnalysis();
        }
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
        this.postDetail();
        return;
      case 'query':
        this.ensureAnalysis();
        this.model.setQuery(m.query);
        this.resetView();
        return;
      case 'edit': {
        if (m.line >= this.model.lineCount) return;
        const before = this.document.lineAt(m.line).text;
        let after: string;
        try {
          after = applyEditOp(before, m.op);
        } catch (err) {
          if (!(err instanceof CaseEditError)) throw err;
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
        const text = this.document.lineAt(m.line).text;
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
          void vscode.window.showInformationMessage('PsychoHistory: no errors or warnings in this view.');
          return;
        }
        this.selected = this.model.lineAt(index);
        this.post({ type: 'reveal', index, line: this.selected });
        this.postDetail();
        return;
      }
      case 'openInText': {
        if (m.line >= this.document.lineCount) return;
        const range = this.document.lineAt(m.line).range;
        await vscode.window.showTextDocument(this.document, { viewColumn: vscode.ViewColumn.Beside, selection: range, preview: false });
        return;
      }
    }
  }

  private async apply(edit: vscode.WorkspaceEdit): Promise<void> {
    if (!(await vscode.workspace.applyEdit(edit))) void vscode.window.showWarningMessage('PsychoHistory: the edit could not be applied.');
  }

  /** Replaces the text of one line (its end-of-line untouched). */
  private async replaceLine(line: number, text: string): Promise<void> {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(this.document.uri, this.document.lineAt(line).range, text);
    await this.apply(edit);
  }

  /** Inserts a whole line after `after` (null: at the end of the file) and selects it. */
  private async insertLineAfter(after: number | null, text: string): Promise<void> {
    const eol = this.document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
    const last = this.model.lineCount - 1;
    const edit = new vscode.WorkspaceEdit();
    let newLine: number;
    if (last < 0) {
      edit.insert(this.document.uri, new vscode.Position(0, 0), text);
      newLine = 0;
    } else {
      const at = after === null ? last : Math.min(after, last);
      edit.insert(this.document.uri, this.document.lineAt(at).range.end, eol + text);
      newLine = at + 1;
    }
    await this.apply(edit);
    this.selected = newLine;
    const index = this.model.indexOfLine(newLine);
    if (index >= 0) this.post({ type: 'reveal', index, line: newLine });
    this.postDetail();
  }

  /** Deletes one whole line with its line break. */
  private async deleteLine(line: number): Promise<void> {
    const edit = new vscode.WorkspaceEdit();
    const doc = this.document;
    if (line + 1 < doc.lineCount) edit.delete(doc.uri, new vscode.Range(line, 0, line + 1, 0));
    else if (line > 0) edit.delete(doc.uri, new vscode.Range(doc.lineAt(line - 1).range.end, doc.lineAt(line).range.end));
    else edit.delete(doc.uri, doc.lineAt(0).range);
    await this.apply(edit);
  }

  private documentChanged(changes: readonly vscode.TextDocumentContentChangeEvent[]): void {
    if (changes.length === 0) return;
    let shifted = false;
    const touched = new Set<number>();
    for (const c of changes) {
      const start = c.range.start.line;
      const oldLines = c.range.end.line - start + 1;
      const newLines = linesIn(c.text);
      this.analysis?.applyChange(c.range, c.text);
      this.model.noteLinesReplaced(start, c.range.end.line, newLines);
      if (newLines !== oldLines) {
        shifted = true;
        if (this.selected !== null && this.selected > c.range.end.line) this.selected += newLines - oldLines;
        else if (this.selected !== null && this.selected >= start && this.selected >= start + newLines) this.selected = start;
      }
      for (let l = start; l < start + newLines; l++) touched.add(l);
    }
    if (this.selected !== null && this.selected >= this.model.lineCount) this.selected = this.model.lineCount > 0 ? this.model.lineCount - 1 : null;
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
