// The dashboard's one HTML page (the shared webview page shape). Written once per panel; every
// later change is a data message.
import { webviewPage } from '../shell/webviewPage';

export { makeNonce } from '../shell/webviewPage';

export interface DashboardHtmlInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  codiconCssUri: string;
  title: string;
}

export function renderDashboardHtml(i: DashboardHtmlInput): string {
  return webviewPage({
    ...i,
    stylesheetUri: i.codiconCssUri,
    stylesheetId: 'vscode-codicon-stylesheet',
    body: '<main id="dashboard-root" aria-label="PsychoHistory dashboard" aria-busy="true"><p class="loading">Loading…</p></main>',
  });
}
