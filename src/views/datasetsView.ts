// Datasets view provider: the workspace's case files with case and error counts. Counts come from
// datasetsTreeModel.ts (the cases core), cached per file by mtime so a refresh only re-reads what changed.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { datasetRow } from './datasetsTreeModel';
import type { DatasetRow } from './datasetsTreeModel';

export const DATASETS_VIEW = 'psychohistory.datasets';
const BUILTIN_GLOBS = ['**/*.cases.jsonl', '**/cases/*.jsonl'];

export class DatasetsTreeProvider implements vscode.TreeDataProvider<DatasetRow>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DatasetRow | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly cache = new Map<string, { mtimeMs: number; row: DatasetRow }>();

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Every case file of the workspace (built-in patterns plus psychohistory.cases.globs). */
  static async findCaseFiles(): Promise<vscode.Uri[]> {
    const extra = vscode.workspace.getConfiguration('psychohistory').get<string[]>('cases.globs') ?? [];
    const found = await Promise.all(
      [...BUILTIN_GLOBS, ...extra].map((glob) => vscode.workspace.findFiles(glob, '{**/node_modules/**,**/.git/**,**/.psychohistory/**}', 500)),
    );
    const unique = new Map(found.flat().map((u) => [u.fsPath, u]));
    return [...unique.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  async getChildren(element?: DatasetRow): Promise<DatasetRow[]> {
    if (element) return [];
    const rows: DatasetRow[] = [];
    for (const uri of await DatasetsTreeProvider.findCaseFiles()) {
      const row = this.rowOf(uri);
      if (row) rows.push(row);
    }
    return rows;
  }

  private rowOf(uri: vscode.Uri): DatasetRow | undefined {
    try {
      const { mtimeMs } = fs.statSync(uri.fsPath);
      const cached = this.cache.get(uri.fsPath);
      if (cached && cached.mtimeMs === mtimeMs) return cached.row;
      const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
      const row = datasetRow(uri.fsPath, fs.readFileSync(uri.fsPath, 'utf8'), root);
      this.cache.set(uri.fsPath, { mtimeMs, row });
      return row;
    } catch {
      return undefined;
    }
  }

  getTreeItem(row: DatasetRow): vscode.TreeItem {
    const uri = vscode.Uri.file(row.file);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.file;
    item.resourceUri = uri;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon(row.icon.id, row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined);
    item.contextValue = row.contextValue;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
