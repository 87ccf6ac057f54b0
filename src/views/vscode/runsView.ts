// Runs view provider: maps RunRows (runsTreeModel.ts) onto TreeItems. Rows carry `runId` and `dir`,
// which is what the dashboard's Open Dashboard command and our Cancel / Show Logs accept.
import * as vscode from 'vscode';
import { DASHBOARD_COMMANDS } from '../../dashboard/commands';
import type { RunStore } from '../../runs/runStore';
import { runRows } from '../runsTreeModel';
import type { RunRow } from '../runsTreeModel';

export const RUNS_VIEW = 'psychohistory.runs';

export class RunsTreeProvider implements vscode.TreeDataProvider<RunRow>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<RunRow | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;

  constructor(private readonly store: () => RunStore | undefined) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  getChildren(element?: RunRow): RunRow[] {
    const store = this.store();
    if (element || !store) return [];
    return runRows(store.list(), store.root);
  }

  getTreeItem(row: RunRow): vscode.TreeItem {
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.runId;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.accessibilityInformation = { label: `${row.label}, ${row.runId}, ${row.description}` };
    item.iconPath = new vscode.ThemeIcon(
      row.icon.id,
      row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
    );
    item.contextValue = row.contextValue;
    item.resourceUri = vscode.Uri.file(row.dir);
    item.command = { command: DASHBOARD_COMMANDS.openDashboard, title: 'Open Dashboard', arguments: [row] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
