// The one context object every feature's register function receives (rust-analyzer's `Ctx`):
// the VS Code extension context, the single log channel, and the services several features share —
// the open case files' models and the workspace's run store (built by createCtx.ts; only types
// here, so a feature's register module loads without them).
import * as vscode from 'vscode';
import type { CaseModels } from '../cases/vscode/caseModels';
import type { WorkspaceRuns } from './workspaceRuns';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** One incremental model per open case file: the case editor's features and the Datasets view read it. */
  readonly caseModels: CaseModels;
  /** The workspace's run store and its change event: the jobs and the Runs view share it. */
  readonly runs: WorkspaceRuns;
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
