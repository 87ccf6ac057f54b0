// The sidebar: the Datasets and Runs views, their refresh commands, and the status-bar item shown
// while runs are active. Views only show: runs come from the shared run store (ctx.runs), which any
// writer — a job here, the Python side, the CLI, another window — changes on disk; case counts from
// the open documents' case models, or a background read of closed files.
import * as vscode from 'vscode';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import { debounce } from '../../shell/debounce';
import { JOB_COMMANDS } from '../../jobs/commands';
import { isTerminal } from '../../jobs/stateMachine';
import { activeSummary } from '../runsTreeModel';
import { DatasetsTreeProvider, DATASETS_VIEW } from './datasetsView';
import { RunsTreeProvider, RUNS_VIEW } from './runsView';

export function registerViews(ctx: Ctx): vscode.Disposable[] {
  const runsView = new RunsTreeProvider(() => ctx.runs.get());
  const datasetsView = new DatasetsTreeProvider(ctx.caseModels);
  const status = vscode.window.createStatusBarItem('psychohistory.runs', vscode.StatusBarAlignment.Left, 50);
  status.name = 'PsychoHistory runs';
  status.command = `${RUNS_VIEW}.focus`;
  let anyActive = false;

  const refreshRuns = debounce(() => {
    runsView.refresh();
    const runs = ctx.runs.get()?.list() ?? [];
    anyActive = runs.some((r) => !isTerminal(r.state));
    const text = activeSummary(runs);
    if (text) {
      status.text = text;
      status.tooltip = 'PsychoHistory: active runs — click to show the Runs view';
      status.show();
    } else status.hide();
  }, 150);
  const refreshDatasets = debounce(() => datasetsView.refresh(), 300);

  const disposables: vscode.Disposable[] = [
    runsView,
    datasetsView,
    status,
    vscode.window.registerTreeDataProvider(RUNS_VIEW, runsView),
    vscode.window.registerTreeDataProvider(DATASETS_VIEW, datasetsView),
    ...registerCommandTable(ctx, {
      [JOB_COMMANDS.refreshRuns]: () => refreshRuns(),
      [JOB_COMMANDS.refreshDatasets]: () => datasetsView.refresh(),
    }),
    ctx.runs.onDidChange(refreshRuns),
    // An open case file's counts follow its diagnostics as they are published.
    ctx.caseModels.onDidPublish(refreshDatasets),
  ];

  // Refresh on any change to run.json from any writer, on a timer while runs are active (elapsed
  // time), and on case-file changes on disk.
  const root = ctx.runs.root();
  if (root) {
    const runsWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(root, '.psychohistory/runs/*/run.json'),
    );
    const casesWatcher = vscode.workspace.createFileSystemWatcher('**/*.jsonl');
    const ticker = setInterval(() => {
      if (anyActive) refreshRuns();
    }, 1000);
    disposables.push(
      runsWatcher,
      runsWatcher.onDidChange(refreshRuns),
      runsWatcher.onDidCreate(refreshRuns),
      runsWatcher.onDidDelete(refreshRuns),
      casesWatcher,
      casesWatcher.onDidChange(refreshDatasets),
      casesWatcher.onDidCreate(refreshDatasets),
      casesWatcher.onDidDelete(refreshDatasets),
      { dispose: () => clearInterval(ticker) },
    );
    refreshRuns();
  }
  return disposables;
}
