// What every backend offers the job service. A backend writes only through the RunStore, so the
// views and the CLI see its runs exactly like any other backend's.
import type { Backend, RunRecord } from '../contracts/run';
import type { MetricEvent } from '../contracts/metrics';

export interface Watch {
  /** Resolves with the final record when the run ends (or undefined if the watch was stopped first). */
  readonly done: Promise<RunRecord | undefined>;
  /** Stop following; the run itself keeps going. */
  dispose(): void;
}

export interface BackendHooks {
  /** run.json, metrics or logs of this run changed. */
  changed(runId: string, events?: readonly MetricEvent[]): void;
  log(message: string): void;
  /**
   * A loop following this run failed (a dropped Modal stream, a local tail that cannot read): the
   * user should hear of it, not only the log. Called on every failure; the shell de-duplicates
   * (FollowWarnings).
   */
  warn?(runId: string, message: string): void;
}

export interface JobBackend {
  readonly name: Backend;
  /** Start the job of a freshly created (queued) run and follow it. */
  start(run: RunRecord): Promise<Watch>;
  /** Follow a run that was started earlier (after a reload, or by another process). */
  attach(run: RunRecord): Watch;
  /** Ask the job to stop; resolves once the record says cancelled (or the run already ended). */
  cancel(run: RunRecord): Promise<RunRecord | undefined>;
}

export function sleep(ms: number, signal?: { stopped: boolean }): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    if (signal?.stopped) {
      clearTimeout(t);
      resolve();
    }
  });
}
