// The dashboard webview's message protocol, imported by both the panel host (src/dashboard/vscode)
// and the browser app (webview/dashboard). One discriminated union per direction; the host
// validates what the webview sends against the strict schema in ./inbound.ts (kept apart so zod
// stays out of the browser bundle); the webview trusts the host.
// Everything here is JSON data: no classes, no functions, no `undefined`-only fields.
import type { Backend, RecordKind } from '../contracts/run';
import type { EvalEvent, RunState } from '../contracts/metrics';
import type { ForecastTree } from '../contracts/tree';

/** Train events as columns: compact over postMessage and cheap to append. `null` = not logged. */
export interface TrainColumns {
  step: number[];
  loss: number[];
  lr: number[];
  rewardMean: (number | null)[];
  rewardStd: (number | null)[];
}

export type NoticeLevel = 'info' | 'warning' | 'error';

/** Something the user should know about the data (never a blank panel). */
export interface Notice {
  level: NoticeLevel;
  message: string;
}

export interface TreeSummary {
  index: number;
  seedEvent: string;
  seedDate: string;
  model: string;
  nodeCount: number;
}

/** One bin of the reliability diagram: predictions with probability in [lo, hi). */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  meanPredicted: number | null;
  observed: number | null;
}

export interface RunSnapshot {
  id: string;
  kind: RecordKind | null;
  backend: Backend | null;
  state: RunState | null;
  createdAt: string | null;
  /** Seconds from start to end (or to the last event while running); null when unknown. */
  durationSeconds: number | null;
  cost: { gpu: string; seconds: number; usd: number } | null;
  /** Train history; may be decimated (then `trainTotal` > `train.step.length`). */
  train: TrainColumns;
  trainTotal: number;
  evals: EvalEvent[];
  notices: Notice[];
  trees: TreeSummary[];
  reliability: ReliabilityBin[];
}

/** 'forecast': trees answered by the forecast service (src/forecast), shown in the same tree viewer. */
export type DashboardMode = 'run' | 'compare' | 'empty' | 'forecast';

export interface DashboardState {
  mode: DashboardMode;
  runs: RunSnapshot[];
  /** Shown when mode is 'empty': says what to do. */
  emptyMessage: string | null;
  /** A tree to open right away (CodeLens "Show forecast tree"). */
  focusTree: TreeRef | null;
}

export interface TreeRef {
  runId: string;
  index: number;
}

/** New data for one run since the last message: only appended points. */
export interface RunAppend {
  runId: string;
  train: TrainColumns;
  evals: EvalEvent[];
  notices: Notice[];
  state: RunState | null;
  cost: RunSnapshot['cost'];
  durationSeconds: number | null;
}

export type HostToWebview =
  | { type: 'state'; state: DashboardState }
  | { type: 'append'; append: RunAppend }
  | { type: 'tree'; ref: TreeRef; tree: ForecastTree | null; error: string | null }
  | { type: 'focusTree'; ref: TreeRef };

/** What the dashboard's buttons ask the host to do; the host runs the matching command. */
export const WEBVIEW_COMMANDS = ['launchSft', 'openRunFolder', 'openModalDashboard', 'refresh'] as const;
export type WebviewCommand = (typeof WEBVIEW_COMMANDS)[number];

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'requestTree'; ref: TreeRef }
  | { type: 'command'; command: WebviewCommand; runId?: string };

export function emptyColumns(): TrainColumns {
  return { step: [], loss: [], lr: [], rewardMean: [], rewardStd: [] };
}
