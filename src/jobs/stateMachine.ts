// The run lifecycle (GUIDE contract 2). One table of allowed moves so every backend, the CLI and
// the reattach logic agree on what "done" means; terminal states never change again, which is what
// makes two windows racing on one run harmless.
import type { RunState } from '../contracts/metrics';
import type { RunRecord } from '../contracts/run';

const NEXT: Record<RunState, readonly RunState[]> = {
  queued: ['running', 'succeeded', 'failed', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export const TERMINAL_STATES: readonly RunState[] = ['succeeded', 'failed', 'cancelled'];

export function isTerminal(state: RunState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function isActive(state: RunState): boolean {
  return !isTerminal(state);
}

export function canTransition(from: RunState, to: RunState): boolean {
  return from === to || NEXT[from].includes(to);
}

export interface TransitionExtra {
  error?: string;
  at?: Date;
}

/**
 * The fields to merge into run.json to move `run` to `to`, or undefined when the move is not allowed
 * (e.g. a late "running" event after the run already ended). Staying in the same state is a no-op patch.
 */
export function transition(
  run: Pick<RunRecord, 'state' | 'startedAt' | 'endedAt'>,
  to: RunState,
  extra: TransitionExtra = {},
): Partial<RunRecord> | undefined {
  if (!canTransition(run.state, to)) return undefined;
  const at = (extra.at ?? new Date()).toISOString();
  const patch: Partial<RunRecord> = { state: to };
  if (to !== 'queued' && !run.startedAt) patch.startedAt = at;
  if (isTerminal(to) && !run.endedAt) patch.endedAt = at;
  if (extra.error !== undefined) patch.error = extra.error;
  return patch;
}

/** Seconds the run has been going (or went), for the sidebar and the cost of a finished run. */
export function elapsedSeconds(
  run: Pick<RunRecord, 'createdAt' | 'startedAt' | 'endedAt'>,
  now: Date = new Date(),
): number {
  const start = Date.parse(run.startedAt ?? run.createdAt);
  const end = run.endedAt ? Date.parse(run.endedAt) : now.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return 0;
  return Math.max(0, (end - start) / 1000);
}
