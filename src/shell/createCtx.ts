// Builds the one context activate() hands every feature: the log channel and the shared services,
// each owned by the extension's subscriptions.
import * as vscode from 'vscode';
import { CaseModels } from '../cases/vscode/caseModels';
import type { Ctx } from './context';
import { WorkspaceRuns } from './workspaceRuns';

export function createCtx(extension: vscode.ExtensionContext): Ctx {
  const log = vscode.window.createOutputChannel('PsychoHistory', { log: true });
  const caseModels = new CaseModels(log);
  const runs = new WorkspaceRuns(log);
  extension.subscriptions.push(log, caseModels, runs);
  return { extension, log, caseModels, runs };
}
