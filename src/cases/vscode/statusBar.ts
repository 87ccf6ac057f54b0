// The status-bar summary of the active case file ("$(checklist) 120 cases, 3 errors"); a click
// opens the Problems panel. Hidden whenever the active editor is not a case file. It refreshes when
// the diagnostics are published, so it never counts more often than the debounced validation.
import * as vscode from 'vscode';
import { statsOf } from '../stats';
import { statusBarText, statusBarTooltip, sumWarnings } from '../editing/statusText';
import type { Ctx } from '../../shell/context';
import type { CaseModels } from './caseModels';
import { isCaseDocument } from './language';

export function registerCaseStatusBar(ctx: Ctx, models: CaseModels): vscode.Disposable[] {
  const item = vscode.window.createStatusBarItem('psychohistory.cases.status', vscode.StatusBarAlignment.Left, 50);
  item.name = 'PsychoHistory Cases';
  item.command = 'workbench.actions.view.problems';

  const refresh = (): void => {
    try {
      const doc = vscode.window.activeTextEditor?.document;
      if (!doc || !isCaseDocument(doc)) {
        item.hide();
        return;
      }
      const stats = statsOf(models.get(doc));
      const counts = { cases: stats.cases, errors: stats.errors, warnings: sumWarnings(stats.warnings) };
      item.text = statusBarText(counts);
      item.tooltip = statusBarTooltip(counts);
      item.show();
    } catch (err) {
      ctx.log.error(`case status bar: ${String(err)}`);
      item.hide();
    }
  };

  refresh();
  return [
    item,
    vscode.window.onDidChangeActiveTextEditor(refresh),
    models.onDidPublish((uri) => {
      if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) refresh();
    }),
  ];
}
