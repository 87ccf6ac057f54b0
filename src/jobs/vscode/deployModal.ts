// `modal deploy <app file>` in a terminal whose process is the Modal CLI itself (no shell), with the
// editor's Modal token and environment. Deploy Modal App and Deploy Forecast Service both use it: the
// service is the `web` function of the same app, configured by environment variables at deploy time.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deployTerminal } from '../deploy';
import { readJobsConfig } from '../../config/vscode/config';
import type { Secrets } from './secrets';

export async function openModalDeployTerminal(
  secrets: Secrets,
  extraEnv: Record<string, string> = {},
  name?: string,
): Promise<vscode.Terminal> {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  if (!root) throw new Error('Open the project folder first.');
  const config = readJobsConfig();
  const trainingDir = path.resolve(root, config.trainingFolder);
  const environment = config.modalEnvironment;
  const env = {
    ...(await secrets.modalEnv()),
    ...(environment ? { MODAL_ENVIRONMENT: environment } : {}),
    ...extraEnv,
  };
  const options = deployTerminal(root, trainingDir);
  const terminal = vscode.window.createTerminal({ ...options, ...(name ? { name } : {}), env });
  terminal.show();
  return terminal;
}
