// The one context object every feature's register function receives (rust-analyzer's `Ctx`):
// the VS Code extension context, the single log channel, and the services several features share —
// the open case files' models and the workspace's run store.
import * as vscode from 'vscode';
import { CaseModels } from '../cases/vscode/caseModels';
import { WorkspaceRuns } from './workspaceRuns';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** One incremental model per open case file: the case editor's features and the Datasets view read it. */
  readonly caseModels: CaseModels;
  /** The workspace's run store and its change event: the jobs and the Runs view share it. */
  readonly runs: WorkspaceRuns;
}

export function createCtx(extension: vscode.ExtensionContext): Ctx {
  const log = vscode.window.createOutputChannel('PsychoHistory', { log: true });
  const caseModels = new CaseModels(log);
  const runs = new WorkspaceRuns(log);
  extension.subscriptions.push(log, caseModels, runs);
  return { extension, log, caseModels, runs };
}

/** Commands as data: each feature returns a record of command id -> handler. */
export type CommandTable = Record<`psychohistory.${string}`, (...args: never[]) => unknown>;

export function registerCommandTable(ctx: Ctx, table: CommandTable): vscode.Disposable[] {
  return Object.entries(table).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await (handler as (...a: unknown[]) => unknown)(...args);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        ctx.log.error(`${id}: ${message}`);
        void vscode.window.showErrorMessage(`PsychoHistory: ${message}`);
        return undefined;
      }
    }),
  );
}
