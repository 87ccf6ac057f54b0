// The Predictions view: forecasts the service holds that still await an outcome (GET /v1/forecasts),
// each with Record Outcome inline. Rows come from the pure model (../predictions.ts); the empty,
// no-service and unreachable states are the view's welcome content, picked by a context key, with
// the reason (e.g. the connection error) in the view's message.
import { FORECAST_COMMANDS } from '../commands';
import * as vscode from 'vscode';
import type { ForecastListItem } from '../../contracts/service';
import { predictionRow } from '../predictions';
import type { ForecastClient } from '../client';
import { ServiceError } from '../client';

export { PREDICTIONS_VIEW } from '../commands';
/** Context key the welcome content reads: 'loading' | 'ready' | 'empty' | 'noService' | 'error'. */
export const PREDICTIONS_STATE = 'psychohistory.predictions.state';

export interface PredictionNode {
  item: ForecastListItem;
  /** What Record Outcome and Show Prediction receive: the forecast id. */
  id: string;
}

export class PredictionsProvider implements vscode.TreeDataProvider<PredictionNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<PredictionNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private items: ForecastListItem[] = [];
  view: vscode.TreeView<PredictionNode> | undefined;

  constructor(
    private readonly client: () => Promise<ForecastClient | undefined>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The open forecasts last fetched. */
  get open(): readonly ForecastListItem[] {
    return this.items;
  }

  /** Fetches the open forecasts again and redraws; never throws (the view shows the problem). */
  async refresh(): Promise<void> {
    let state: string;
    let message: string | undefined;
    try {
      const client = await this.client();
      if (!client) {
        this.items = [];
        state = 'noService';
      } else {
        this.items = (await client.forecasts(true)).forecasts;
        state = this.items.length ? 'ready' : 'empty';
        if (!this.items.length) message = undefined;
      }
    } catch (err) {
      this.items = [];
      state = 'error';
      message = err instanceof ServiceError || err instanceof Error ? err.message : String(err);
      this.log.warn(`Predictions: ${message}`);
    }
    if (this.view) this.view.message = message;
    await vscode.commands.executeCommand('setContext', PREDICTIONS_STATE, state);
    this.emitter.fire(undefined);
  }

  getChildren(element?: PredictionNode): PredictionNode[] {
    return element ? [] : this.items.map((item) => ({ item, id: item.id }));
  }

  getTreeItem(node: PredictionNode): vscode.TreeItem {
    const row = predictionRow(node.item);
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = row.id;
    item.description = row.description;
    item.tooltip = row.tooltip;
    item.iconPath = new vscode.ThemeIcon('watch');
    item.contextValue = 'prediction.open';
    item.accessibilityInformation = {
      label: `${row.label}, ${row.description}, awaiting the outcome of depth ${row.nextDepth ?? '—'}`,
    };
    item.command = { command: FORECAST_COMMANDS.showPrediction, title: 'Show Forecast Tree', arguments: [node] };
    return item;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
