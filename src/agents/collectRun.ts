// Every agent run is a run in the store (GUIDE contract 2) of kind `collect`, so the Runs view, the
// logs and the cost work unchanged: run.json (config without the key, this process's pid and start
// time so no editor takes it for dead, state, cost {gpu: "openrouter", seconds, usd}), logs.txt (each
// agent log line), metrics.jsonl (status events with the counts, and one cost event at the end).
// A run that stopped before its end is `failed` with the reason and the counts ("partial: …");
// cancelled is `cancelled`; every item tried is `succeeded` even when some failed (they are listed).
import type { MetricEvent } from '../contracts/metrics';
import type { RunRecord } from '../contracts/run';
import { processStartTime } from '../jobs/backends/localProcess';
import type { RunStore } from '../runs/runStore';
import type { AgentSummary, Progress } from './runner';
import { describeSummary } from './runner';

export interface CollectHooks {
  /** The run's id in the store (for Cancel Run). */
  runId: string;
  log: (line: string) => void;
  progress: (p: Progress) => void;
}

export interface CollectOutcome<T extends AgentSummary> {
  run: RunRecord;
  summary?: T;
  error?: string;
}

const PAST = { brainstorm: 'brainstormed', chronicle: 'chronicled', verify: 'verified' } as const;

/** Progress to a status line at most this often (a 100-seed run writes tens of lines, not thousands). */
const PROGRESS_EVERY_MS = 1000;

export async function recordCollect<T extends AgentSummary>(
  store: RunStore,
  config: { agent: 'brainstorm' | 'chronicle' | 'verify'; [key: string]: unknown },
  body: (hooks: CollectHooks) => Promise<T>,
  options: { onChange?: (runId: string) => void; echo?: (line: string) => void } = {},
): Promise<CollectOutcome<T>> {
  const startTime = processStartTime(process.pid);
  const run = store.create({
    kind: 'collect',
    backend: 'local',
    config,
    state: 'queued',
    local: { pid: process.pid, ...(startTime ? { startTime } : {}) },
  });
  const started = Date.now();
  const event = (e: MetricEvent): void => store.appendEvents(run.id, [e]);
  store.setState(run.id, 'running');
  event({ type: 'status', state: 'running', message: `${config.agent} started`, time: new Date().toISOString() });
  options.onChange?.(run.id);
  let lastProgress = 0;
  const hooks: CollectHooks = {
    runId: run.id,
    log: (line) => {
      store.appendLog(run.id, `${new Date().toISOString()} ${line}\n`);
      options.echo?.(line);
    },
    progress: (p) => {
      const now = Date.now();
      if (now - lastProgress < PROGRESS_EVERY_MS && p.done + p.failed + p.skipped < p.total) return;
      lastProgress = now;
      event({
        type: 'status',
        state: 'running',
        message: `${p.done} done, ${p.failed} failed, ${p.skipped} skipped of ${p.total}; ${p.retries} retries; $${p.costUsd.toFixed(4)}`,
        time: new Date().toISOString(),
      });
      options.onChange?.(run.id);
    },
  };
  let summary: T | undefined;
  let error: string | undefined;
  try {
    summary = await body(hooks);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    hooks.log(`error: ${error}`);
  }
  const seconds = (Date.now() - started) / 1000;
  const usd = summary?.costUsd ?? 0;
  const time = new Date().toISOString();
  event({ type: 'cost', gpu: 'openrouter', seconds, usd, time });
  const cost = { gpu: 'openrouter', seconds, usd };
  const verb = PAST[config.agent];
  if (summary?.cancelled) {
    const message = `cancelled: ${describeSummary(verb, summary)}`;
    hooks.log(message);
    event({ type: 'status', state: 'cancelled', message, time });
    store.setState(run.id, 'cancelled', { cost, error: message });
  } else if (error !== undefined || summary?.stopped) {
    const message = summary
      ? `partial: ${describeSummary(verb, summary)}. Nothing written is lost${/resume/.test(summary.stopped ?? '') ? '.' : ': run it again to resume.'}`
      : (error ?? 'failed');
    hooks.log(message);
    event({ type: 'status', state: 'failed', message, time });
    store.setState(run.id, 'failed', { cost, error: message });
  } else if (summary) {
    const message = describeSummary(verb, summary);
    hooks.log(message);
    for (const f of summary.failures) hooks.log(`  ${f.id}: ${f.reason}`);
    event({ type: 'status', state: 'succeeded', message, time });
    store.setState(run.id, 'succeeded', { cost });
  }
  options.onChange?.(run.id);
  return { run: store.read(run.id) ?? run, ...(summary ? { summary } : {}), ...(error !== undefined ? { error } : {}) };
}
