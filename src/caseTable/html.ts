// The case table webview's page (the shared webview page shape). The app builds its own DOM
// inside #app (the page's main landmark); the page only loads it under the strict CSP.
import { webviewPage } from '../shell/webviewPage';

export { makeNonce } from '../shell/webviewPage';

export interface PageOptions {
  cspSource: string; // webview.cspSource
  scriptUri: string; // asWebviewUri(dist/webview/caseTable.js)
  nonce: string;
  title: string;
}

export function caseTablePage(o: PageOptions): string {
  return webviewPage({ ...o, body: '<main id="app"></main>' });
}
