// The workspace's run store, one for every feature of this window (jobs, the Runs view): made on
// first use for the first file folder's .psychohistory/runs, and an event that says "runs changed
// here" (a launch, a cancel, a job's event) so views refresh without waiting for a file watcher.
import * as vscode from 'vscode';
import { RunStore, runsRootOf } from '../runs/runStore';

export class WorkspaceRuns implements vscode.Disposable {
  private store: RunStore | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The first workspace folder on disk; runs live in its .psychohistory/runs. */
  root(): string | undefined {
    return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  }

  /** The run store, or undefined while no folder is open. */
  get(): RunStore | undefined {
    if (this.store) return this.store;
    const root = this.root();
    if (!root) return undefined;
    this.store = new RunStore(runsRootOf(root), { report: (p) => this.log.warn(`Skipped run ${p.id}: ${p.reason}`) });
    return this.store;
  }

  fireChanged(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
