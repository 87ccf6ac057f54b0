// The item loop every agent shares: a pool of workers over the items, progress with counts after
// each one, and the line between an item that failed (its answer broke the schema after every retry:
// counted, the run goes on) and a run that must stop (cancelled, budget or credits spent, the key
// refused, the service unreachable): the items already written stay, the rest wait for a resume.
import { AnswerError, BudgetError, CancelledError, ServiceError } from './openRouterClient';
import type { OpenRouterClient } from './openRouterClient';

export interface Progress {
  total: number;
  done: number;
  failed: number;
  skipped: number;
  costUsd: number;
  retries: number;
}

export interface AgentSummary extends Progress {
  /** Why the run stopped before every item was tried (absent: it ran to the end). */
  stopped?: string;
  cancelled: boolean;
  failures: { id: string; reason: string }[];
  calls: number;
  retriesBy: Record<string, number>;
}

export interface AgentContext {
  client: OpenRouterClient;
  model: string;
  signal?: AbortSignal;
  log: (line: string) => void;
  progress?: (p: Progress) => void;
  now?: () => Date;
  /** Workers pulling items (the client's own limit bounds the calls in flight). */
  workers?: number;
}

/** Unreachable-service failures in a row that stop the run rather than fail item after item. */
export const MAX_CONSECUTIVE_SERVICE_FAILURES = 5;

export async function forEachItem<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  work: (item: T) => Promise<'done' | 'skipped' | { failed: string }>,
  ctx: AgentContext,
): Promise<AgentSummary> {
  const p: AgentSummary = {
    total: items.length,
    done: 0,
    failed: 0,
    skipped: 0,
    costUsd: 0,
    retries: 0,
    cancelled: false,
    failures: [],
    calls: 0,
    retriesBy: {},
  };
  const report = (): void => {
    p.costUsd = ctx.client.stats.costUsd;
    p.retries = ctx.client.stats.retries;
    ctx.progress?.({
      total: p.total,
      done: p.done,
      failed: p.failed,
      skipped: p.skipped,
      costUsd: p.costUsd,
      retries: p.retries,
    });
  };
  let next = 0;
  let serviceFailures = 0;
  const stop = (why: string): void => {
    p.stopped ??= why;
  };
  const worker = async (): Promise<void> => {
    while (p.stopped === undefined && next < items.length) {
      if (ctx.signal?.aborted) {
        p.cancelled = true;
        stop('cancelled');
        return;
      }
      const item = items[next++] as T;
      const id = idOf(item);
      try {
        const r = await work(item);
        if (r === 'done') p.done++;
        else if (r === 'skipped') p.skipped++;
        else {
          p.failed++;
          p.failures.push({ id, reason: r.failed });
          ctx.log(`${id}: failed: ${r.failed}`);
        }
        serviceFailures = 0;
      } catch (err) {
        if (err instanceof CancelledError || ctx.signal?.aborted) {
          p.cancelled = true;
          stop('cancelled');
        } else if (err instanceof BudgetError) {
          stop(err.message);
        } else if (err instanceof ServiceError && err.status !== undefined) {
          stop(err.message);
        } else if (err instanceof ServiceError || err instanceof AnswerError) {
          p.failed++;
          p.failures.push({ id, reason: err.message });
          ctx.log(`${id}: failed: ${err.message}`);
          if (err instanceof ServiceError && ++serviceFailures >= MAX_CONSECUTIVE_SERVICE_FAILURES) {
            stop(`${serviceFailures} items in a row could not reach the service (last: ${err.message})`);
          }
        } else {
          // A bug of ours: fail the item with its message, keep the run (and everything written) going.
          p.failed++;
          const message = err instanceof Error ? err.message : String(err);
          p.failures.push({ id, reason: `internal error: ${message}` });
          ctx.log(`${id}: internal error: ${err instanceof Error ? (err.stack ?? message) : message}`);
        }
      }
      report();
    }
  };
  report();
  // As many workers as calls may be in flight: when the run stops, no item is waiting in the limiter to start after it.
  await Promise.all(
    Array.from({ length: Math.max(1, ctx.workers ?? ctx.client.options.concurrency ?? 4) }, () => worker()),
  );
  p.calls = ctx.client.stats.calls;
  p.retriesBy = { ...ctx.client.stats.retriesBy };
  report();
  return p;
}

/** The one-line account of a run: counts, retries, cost, and why it stopped early. */
export function describeSummary(verb: string, s: AgentSummary): string {
  const parts = [`${verb} ${s.done} of ${s.total}`];
  if (s.skipped > 0) parts.push(`${s.skipped} already done`);
  if (s.failed > 0) parts.push(`${s.failed} failed`);
  parts.push(`${s.retries} retries`, `$${s.costUsd.toFixed(4)}`);
  const line = parts.join(', ');
  return s.stopped ? `${line}; stopped: ${s.stopped}` : line;
}
