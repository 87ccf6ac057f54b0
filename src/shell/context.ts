// The one context object every feature's register function receives (rust-analyzer's `Ctx`):
// the VS Code extension context, the single log channel, and the workspace's run-store root.
import * as vscode from 'vscode';

export interface Ctx {
  readonly extension: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
}

export function createCtx(extension: vscode.ExtensionContext): Ctx {
  const log = vscode.window.createOutputChannel('PsychoHistory', { log: true });
  extension.subscriptions.push(log);
  return { extension, log };
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
