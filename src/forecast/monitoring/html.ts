// The Monitoring panel's one HTML page (the shared webview page shape); later changes are data messages.
import { webviewPage } from '../../shell/webviewPage';

export interface MonitoringHtmlInput {
  cspSource: string;
  nonce: string;
  scriptUri: string;
  codiconCssUri: string;
}

export function renderMonitoringHtml(i: MonitoringHtmlInput): string {
  return webviewPage({
    ...i,
    title: 'Forecast monitoring',
    stylesheetUri: i.codiconCssUri,
    stylesheetId: 'vscode-codicon-stylesheet',
    body: '<main id="monitoring-root" aria-label="Forecast monitoring" aria-busy="true"><p class="loading">Loading…</p></main>',
  });
}
