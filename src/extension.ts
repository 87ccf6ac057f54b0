// Entry point: build one context, let each feature register itself, own every disposable.
import * as vscode from 'vscode';
import { createCtx } from './shell/createCtx';
import { registerDashboard } from './dashboard/vscode/register';
import { registerCases } from './cases/vscode/register';
import { registerCaseTable } from './caseTable/vscode/registerCaseTable';
import { registerJobs } from './jobs/vscode/register';
import { registerForecast } from './forecast/vscode/register';
import { registerAgents } from './agents/vscode/register';
import { registerViews } from './views/vscode/register';
import { registerWalkthrough } from './walkthrough/vscode/register';

export function activate(extension: vscode.ExtensionContext): void {
  try {
    const ctx = createCtx(extension);
    const features: ((c: typeof ctx) => vscode.Disposable[])[] = [
      registerCases,
      registerCaseTable,
      registerDashboard,
      registerJobs,
      registerForecast,
      registerAgents,
      registerViews,
      registerWalkthrough,
    ];
    for (const register of features) extension.subscriptions.push(...register(ctx));
    ctx.log.info('PsychoHistory activated');
  } catch (err) {
    void vscode.window.showErrorMessage(`PsychoHistory failed to start: ${String(err)}`);
    throw err;
  }
}

export function deactivate(): void {}
