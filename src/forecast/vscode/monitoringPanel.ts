// The Monitoring panel: one webview charting GET /v1/track. The HTML is written once; on `ready` and
// Refresh the host asks the service and posts the state (data only). What the webview sends is
// checked against the strict protocol schema; anything else is logged and ignored.
import type * as vscode from 'vscode';
import type { Ctx } from '../../shell/context';
import { createAppPanel } from '../../shell/appPanel';
import { acceptInbound } from '../../shell/inbound';
import { renderMonitoringHtml } from '../monitoring/html';
import { WebviewToHostSchema } from '../monitoring/inbound';
import {
  MONITORING_ACTIONS,
  type HostToWebview,
  type MonitoringAction,
  type MonitoringState,
  type WebviewToHost,
} from '../monitoring/protocol';
import { ServiceError, type ForecastClient } from '../client';

export class MonitoringPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly ctx: Ctx,
    private readonly client: () => Promise<ForecastClient | undefined>,
    private readonly act: (action: MonitoringAction) => Thenable<unknown>,
    private readonly onDisposed: () => void,
  ) {
    const { panel, page } = createAppPanel(
      ctx.extension.extensionUri,
      'psychohistory.monitoring',
      'Forecast Monitoring',
      'monitoring',
    );
    this.panel = panel;
    const webview = panel.webview;
    webview.html = renderMonitoringHtml(page);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const msg = acceptInbound(WebviewToHostSchema, raw, 'monitoring', (line) => ctx.log.warn(line));
        if (msg) void this.handle(msg);
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal();
    void this.refresh();
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    if (msg.type === 'action') await this.act(msg.action);
    else await this.refresh();
  }

  /** Asks the service for /healthz and /v1/track and posts what came back, or why nothing did. */
  async refresh(): Promise<void> {
    this.post({ type: 'loading' });
    const state: MonitoringState = {
      url: null,
      error: null,
      models: [],
      arms: null,
      fetchedAt: new Date().toISOString(),
    };
    try {
      const client = await this.client();
      if (!client) {
        state.error = {
          message: 'No forecast service: start the local one, or set psychohistory.service.url to a deployed one.',
          action: 'startLocalService',
        };
      } else {
        state.url = client.url;
        const [health, track] = await Promise.all([client.health(), client.track()]);
        state.models = track.models;
        state.arms = { a: health.models[0]!, b: health.models[1] ?? null, bShare: health.bShare };
      }
    } catch (err) {
      const action = err instanceof ServiceError ? toPanelAction(err.action) : null;
      state.error = { message: err instanceof Error ? err.message : String(err), action };
    }
    state.fetchedAt = new Date().toISOString();
    this.post({ type: 'state', state });
  }

  private post(msg: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDisposed();
  }
}

function toPanelAction(a: ServiceError['action']): MonitoringAction | null {
  return MONITORING_ACTIONS.find((m) => m === a) ?? null;
}
