// A webview panel showing one of the built apps (dist/webview/<app>.js) with codicons: scripts on,
// local resources limited to the built webview folder and the codicons (STYLE: localResourceRoots),
// and what its page needs to load them (CSP source, a fresh nonce, the URIs). The dashboard and
// Monitoring panels open theirs here; the case table is a custom editor, whose panel VS Code makes.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { makeNonce } from './webviewPage';

export interface AppPage {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  codiconCssUri: string;
}

export function createAppPanel(
  ext: vscode.Uri,
  viewType: string,
  title: string,
  app: 'dashboard' | 'monitoring',
): { panel: vscode.WebviewPanel; page: AppPage } {
  const webviewRoot = vscode.Uri.joinPath(ext, 'dist', 'webview');
  const codicons = codiconRoot(ext);
  const panel = vscode.window.createWebviewPanel(viewType, title, vscode.ViewColumn.Active, {
    enableScripts: true,
    localResourceRoots: [webviewRoot, codicons],
  });
  const webview = panel.webview;
  const page: AppPage = {
    cspSource: webview.cspSource,
    nonce: makeNonce(),
    scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, `${app}.js`)).toString(),
    codiconCssUri: webview.asWebviewUri(vscode.Uri.joinPath(codicons, 'codicon.css')).toString(),
  };
  return { panel, page };
}

/** Codicons ship in dist/codicons (copied by the build); a dev checkout falls back to node_modules. */
function codiconRoot(ext: vscode.Uri): vscode.Uri {
  const shipped = vscode.Uri.joinPath(ext, 'dist', 'codicons');
  if (fs.existsSync(path.join(shipped.fsPath, 'codicon.css'))) return shipped;
  return vscode.Uri.joinPath(ext, 'node_modules', '@vscode', 'codicons', 'dist');
}
