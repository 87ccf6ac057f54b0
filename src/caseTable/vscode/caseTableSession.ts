// One open table editor: adapts the TextDocument (the model, as in the samples' catScratchEditor)
// and the webview to the pure TableController. Every write is a WorkspaceEdit, so undo, redo,
// save, dirty state and a text editor beside the table stay in step; document changes from any
// editor flow back through onDidChangeTextDocument.
import * as vscode from 'vscode';
import type { Ctx } from '../../shell/context';
import { TableController } from '../controller';
import type { DocumentPort, UiPort } from '../controller';
import { caseTablePage, makeNonce } from '../html';

export class CaseTableSession implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly controller: TableController;

  constructor(ctx: Ctx, document: vscode.TextDocument, panel: vscode.WebviewPanel) {
    const doc: DocumentPort = {
      get lineCount() {
        return document.lineCount;
      },
      lineText: (line) => document.lineAt(line).text,
      getText: () => document.getText(),
      get eol() {
        return document.eol === vscode.EndOfLine.CRLF ? '\r\n' : '\n';
      },
      applyEdit: async (range, text) => {
        const edit = new vscode.WorkspaceEdit();
        edit.replace(
          document.uri,
          new vscode.Range(range.start.line, range.start.character, range.end.line, range.end.character),
          text,
        );
        return vscode.workspace.applyEdit(edit);
      },
    };
    const ui: UiPort = {
      post: (message) => void panel.webview.postMessage(message),
      notify: (severity, message) => {
        const text = `PsychoHistory: ${message}`;
        if (severity === 'error') void vscode.window.showErrorMessage(text);
        else if (severity === 'warning') void vscode.window.showWarningMessage(text);
        else void vscode.window.showInformationMessage(text);
      },
      log: (level, message) => ctx.log[level](`${message} (${document.uri.toString(true)})`),
      openInText: async (line) => {
        const range = document.lineAt(line).range;
        await vscode.window.showTextDocument(document, {
          viewColumn: vscode.ViewColumn.Beside,
          selection: range,
          preview: false,
        });
      },
    };
    this.controller = new TableController(doc, ui);

    const webviewRoot = vscode.Uri.joinPath(ctx.extension.extensionUri, 'dist', 'webview');
    panel.webview.options = { enableScripts: true, localResourceRoots: [webviewRoot] };
    panel.webview.html = caseTablePage({
      cspSource: panel.webview.cspSource,
      scriptUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'caseTable.js')).toString(),
      nonce: makeNonce(),
      title: 'Case table',
    });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((data: unknown) => this.controller.receive(data)),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === document && e.contentChanges.length > 0) this.controller.documentChanged(e.contentChanges);
      }),
    );
  }

  dispose(): void {
    this.controller.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
