// Datasets view provider: the workspace's case files with case and error counts. An open case file's
// row comes from its live case model (the one the diagnostics use, so the counts follow typing and
// unsaved edits); a closed file is read in the background (async, so a large file never blocks the
// extension host) and its row cached by mtime, so a refresh only re-reads what changed on disk.
import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import type { CaseModels } from '../../cases/vscode/caseModels';
import { isCaseDocument } from '../../cases/vscode/language';
import { readCasesConfig } from '../../config/vscode/config';
import { datasetRow, datasetRowOf } from '../datasetsTreeModel';
import type { DatasetRow } from '../datasetsTreeModel';

export const DATASETS_VIEW = 'psychohistory.datasets';
const BUILTIN_GLOBS = ['**/*.cases.jsonl', '**/cases/*.jsonl'];

export class DatasetsTreeProvider implements vscode.TreeDataProvider<DatasetRow>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<DatasetRow | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly cache = new Map<string, { mtimeMs: number; row: DatasetRow }>();

  constructor(private readonly models: CaseModels) {}

  refresh(): void {
    this.emitter.fire(undefined);
  }

  /** Every case file of the workspace (built-in patterns plus psychohistory.cases.globs). */
  static async findCaseFiles(): Promise<vscode.Uri[]> {
    const found = await Promise.all(
      [...BUILTIN_GLOBS, ...readCasesConfig().globs].map((glob) =>
        vscode.workspace.findFiles(glob, '{**/node_modules/**,**/.git/**,**/.psychohistory/**}', 500),
      ),
    );
    const unique = new Map(found.flat().map((u) => [u.fsPath, u]));
    return [...unique.values()].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  }

  async getChildren(element?: DatasetRow): Promise<DatasetRow[]> {
    if (element) return [];
    const rows = await Promise.all((await DatasetsTreeProvider.findCaseFiles()).map((uri) => this.rowOf(uri)));
    return rows.filter((row): row is DatasetRow => row !== undefined);
  }

  private async rowOf(uri: vscode.Uri): Promise<DatasetRow | undefined> {
    const root = vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString() && isCaseDocument(d));
    if (open) return datasetRowOf(uri.fsPath, this.models.get(open), root);
    try {
      const { mtimeMs } = await fsp.stat(uri.fsPath);
      const cached = this.cache.get(uri.fsPath);
      if (cached && cached.mtimeMs === mtimeMs) return cached.row;
      const row = datasetRow(uri.fsPath, await fsp.readFile(uri.fsPath, 'utf8'), root);
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
    item.iconPath = new vscode.ThemeIcon(
      row.icon.id,
      row.icon.color ? new vscode.ThemeColor(row.icon.color) : undefined,
    );
    item.contextValue = row.contextValue;
    item.command = { command: 'vscode.open', title: 'Open', arguments: [uri] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
