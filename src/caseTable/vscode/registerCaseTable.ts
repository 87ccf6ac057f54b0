// The case table as a custom *text* editor ("Open With…" and an editor-title button), plus the
// commands to switch a case file between the table and the text editor.
import * as vscode from 'vscode';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import { CASE_TABLE_COMMANDS } from '../commands';
import { CaseTableSession } from './caseTableSession';

export const CASE_TABLE_VIEW_TYPE = 'psychohistory.caseTable';

class CaseTableProvider implements vscode.CustomTextEditorProvider {
  constructor(private readonly ctx: Ctx) {}

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new CaseTableSession(this.ctx, document, panel);
    panel.onDidDispose(() => session.dispose());
  }
}

/** The file of the active editor tab, whether a text editor or our table. */
function activeUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom || input instanceof vscode.TabInputText) return input.uri;
  return vscode.window.activeTextEditor?.document.uri;
}

export function registerCaseTable(ctx: Ctx): vscode.Disposable[] {
  return [
    vscode.window.registerCustomEditorProvider(CASE_TABLE_VIEW_TYPE, new CaseTableProvider(ctx), {
      // Hidden tables are rebuilt from the document on return (state kept with setState).
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    ...registerCommandTable(ctx, {
      [CASE_TABLE_COMMANDS.openCaseTable]: async (uri?: vscode.Uri) => {
        const target = uri instanceof vscode.Uri ? uri : activeUri();
        if (!target) throw new Error('open a case file first');
        await vscode.commands.executeCommand('vscode.openWith', target, CASE_TABLE_VIEW_TYPE);
      },
      [CASE_TABLE_COMMANDS.openCaseText]: async (uri?: vscode.Uri) => {
        const target = uri instanceof vscode.Uri ? uri : activeUri();
        if (!target) throw new Error('open a case file first');
        await vscode.commands.executeCommand('vscode.openWith', target, 'default');
      },
    }),
  ];
}
