// Metric events (contract 3) → what the dashboard draws: train columns, the latest eval per
// (stage, depth), cost and duration. Pure; the host runs it on the first read and on each append.
import type { EvalEvent, MetricEvent, RunState, Stage } from '../contracts/metrics';
import type { RunRecord } from '../contracts/run';
import { emptyColumns, type RunSnapshot, type TrainColumns } from './protocol';
import { lttb } from './decimate';

export interface EventDigest {
  train: TrainColumns;
  evals: EvalEvent[];
  /** Latest cost event: emitters report the cumulative cost so far. */
  cost: RunSnapshot['cost'];
  lastState: RunState | null;
  lastMessage: string | null;
  firstTime: string | null;
  lastTime: string | null;
}

export function digestEvents(events: readonly MetricEvent[]): EventDigest {
  const train = emptyColumns();
  const evals: EvalEvent[] = [];
  let cost: RunSnapshot['cost'] = null;
  let lastState: RunState | null = null;
  let lastMessage: string | null = null;
  let firstTime: string | null = null;
  let lastTime: string | null = null;
  for (const e of events) {
    firstTime ??= e.time;
    lastTime = e.time;
    switch (e.type) {
      case 'train':
        train.step.push(e.step);
        train.loss.push(e.loss);
        train.lr.push(e.lr);
        train.rewardMean.push(e.rewardMean ?? null);
        train.rewardStd.push(e.rewardStd ?? null);
        break;
      case 'eval':
        evals.push(e);
        break;
      case 'cost':
        cost = { gpu: e.gpu, seconds: e.seconds, usd: e.usd };
        break;
      case 'status':
        lastState = e.state;
        lastMessage = e.message ?? null;
        break;
      case 'artifact':
        break;
    }
  }
  return { train, evals, cost, lastState, lastMessage, firstTime, lastTime };
}

export function appendColumns(into: TrainColumns, more: TrainColumns): void {
  into.step.push(...more.step);
  into.loss.push(...more.loss);
  into.lr.push(...more.lr);
  into.rewardMean.push(...more.rewardMean);
  into.rewardStd.push(...more.rewardStd);
}

/** Thins train columns to about `maxPoints` with LTTB on the loss (the other columns follow). */
export function decimateColumns(cols: TrainColumns, maxPoints: number): TrainColumns {
  if (cols.step.length <= maxPoints) return cols;
  const keep = lttb(cols.step, cols.loss, maxPoints);
  return {
    step: keep.map((i) => cols.step[i]!),
    loss: keep.map((i) => cols.loss[i]!),
    lr: keep.map((i) => cols.lr[i]!),
    rewardMean: keep.map((i) => cols.rewardMean[i] ?? null),
    rewardStd: keep.map((i) => cols.rewardStd[i] ?? null),
  };
}

/** Seconds from start to end; a running job counts to `now`, a run without timestamps to its last event. */
export function runDuration(
  record: RunRecord | null,
  digest: Pick<EventDigest, 'firstTime' | 'lastTime'>,
  now: Date,
): number | null {
  const start = parseTime(record?.startedAt) ?? parseTime(digest.firstTime);
  if (start === null) return null;
  let end = parseTime(record?.endedAt);
  if (end === null) end = record?.state === 'running' ? now.getTime() : parseTime(digest.lastTime);
  if (end === null || end < start) return null;
  return (end - start) / 1000;
}

function parseTime(t: string | null | undefined): number | null {
  if (!t) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : ms;
}

export type DepthKey = 'all' | `${number}`;

export function depthKey(depth: number | null): DepthKey {
  return depth === null ? 'all' : `${depth}`;
}

/** The latest eval event per stage and depth (a re-run evaluation replaces the earlier one). */
export type EvalMatrix = Map<Stage, Map<DepthKey, EvalEvent>>;

export function latestEvals(evals: readonly EvalEvent[]): EvalMatrix {
  const m: EvalMatrix = new Map();
  for (const e of evals) {
    let byDepth = m.get(e.stage);
    if (!byDepth) m.set(e.stage, (byDepth = new Map()));
    byDepth.set(depthKey(e.depth), e);
  }
  return m;
}

/** Depth keys present anywhere in the matrix: 'all' first, then depths ascending. */
export function depthsOf(m: EvalMatrix): DepthKey[] {
  const depths = new Set<number>();
  let all = false;
  for (const byDepth of m.values()) {
    for (const k of byDepth.keys()) {
      if (k === 'all') all = true;
      else depths.add(Number(k));
    }
  }
  return [...(all ? (['all'] as DepthKey[]) : []), ...[...depths].sort((a, b) => a - b).map((d) => `${d}` as DepthKey)];
}

// Pipeline order, kept here rather than imported as a value so the webview bundle stays free of zod.
const STAGE_ORDER: readonly Stage[] = ['baseline', 'sft', 'grpo'];

/** Stages in pipeline order that have at least one eval. */
export function stagesOf(m: EvalMatrix): Stage[] {
  return STAGE_ORDER.filter((s) => m.has(s));
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '—';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}
