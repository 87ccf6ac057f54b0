// The VS Code webview API, typed with the table's protocol and its persisted view state.
import type { HostMessage, TableQuery, WebviewMessage } from '../../src/caseTable/protocol';

/** What survives the webview being hidden and shown again (setState, not retainContextWhenHidden). */
export interface ViewState {
  query: TableQuery;
  selectedLine: number | null;
  scrollTop: number;
}

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export const vscode: VsCodeApi = acquireVsCodeApi();

export function onHostMessage(handler: (m: HostMessage) => void): void {
  window.addEventListener('message', (e: MessageEvent<HostMessage>) => handler(e.data));
}
