// The walkthrough's VS Code side: opened once, on the first activation in this profile (unless the
// psychohistory.showWalkthrough setting is off), and the command that opens an example dataset —
// the workspace's own copy when it has one, else the shipped one written into the workspace (so
// a local run can train on it), else the shipped file itself when no folder is open.
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { readWalkthroughConfig } from '../../config/vscode/config';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import { WALKTHROUGH_COMMANDS, WALKTHROUGH_ID, sampleFiles, sampleName } from '../walkthrough';

const SHOWN_KEY = 'psychohistory.walkthroughShown';

export function registerWalkthrough(ctx: Ctx): vscode.Disposable[] {
  if (!ctx.extension.globalState.get<boolean>(SHOWN_KEY) && readWalkthroughConfig().showOnFirstStart) {
    void ctx.extension.globalState.update(SHOWN_KEY, true);
    // Beside the editor when a file opened the extension, so the user's file stays in view.
    const toSide = vscode.window.activeTextEditor !== undefined;
    void vscode.commands
      .executeCommand('workbench.action.openWalkthrough', `${ctx.extension.extension.id}#${WALKTHROUGH_ID}`, toSide)
      .then(undefined, (err: unknown) => {
        ctx.log.warn(`Could not open the walkthrough: ${String(err)}`);
      });
  }
  return registerCommandTable(ctx, {
    [WALKTHROUGH_COMMANDS.openSampleDataset]: async (arg?: unknown) => {
      const name = sampleName(arg);
      const uri = await sampleUri(ctx, name);
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
      if (name === 'drafts') await vscode.commands.executeCommand('workbench.actions.view.problems');
      return uri.fsPath;
    },
  });
}

async function sampleUri(ctx: Ctx, name: ReturnType<typeof sampleName>): Promise<vscode.Uri> {
  const [existing] = await vscode.workspace.findFiles(`**/${name}.cases.jsonl`, '{**/node_modules/**,**/.git/**}', 1);
  if (existing) return existing;
  const { bundled, target } = sampleFiles(ctx.extension.extensionPath, ctx.runs.root(), name);
  if (!target) return vscode.Uri.file(bundled);
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await fsp.copyFile(bundled, target);
  void vscode.window.showInformationMessage(
    `PsychoHistory: wrote the example dataset to ${vscode.workspace.asRelativePath(target)}.`,
  );
  return vscode.Uri.file(target);
}
