// The VS Code webview API for every webview app, typed by that app's protocol: what it may post to
// the host, what the host sends it, and the view state it keeps with setState.
export interface VsCodeApi<ToHost, State> {
  postMessage(message: ToHost): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): VsCodeApi<unknown, unknown>;

/** Call once per page (VS Code refuses a second acquireVsCodeApi). */
export function vsCodeApi<ToHost, State = never>(): VsCodeApi<ToHost, State> {
  return acquireVsCodeApi() as VsCodeApi<ToHost, State>;
}

export function onHostMessage<FromHost>(handler: (message: FromHost) => void): void {
  window.addEventListener('message', (e: MessageEvent<FromHost>) => handler(e.data));
}
