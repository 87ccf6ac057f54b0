// What to do, after a reload, with a run that run.json still calls active. Pure, so the rules are
// unit-tested without processes or Modal: a live local pid or a known Modal call is followed; a
// dead pid or a launch that never got its id is settled as failed with the reason.
import type { RunRecord } from '../contracts/run';
import { isTerminal } from './stateMachine';

export type ReattachDecision =
  { action: 'none' } | { action: 'follow' } | { action: 'fail'; reason: string } | { action: 'wait' };

/** A launch that never recorded a pid / call id within this time is considered lost. */
export const LAUNCH_GRACE_MS = 2 * 60 * 1000;

export function decideReattach(run: RunRecord, probe: { pidAlive?: boolean; now: Date }): ReattachDecision {
  if (isTerminal(run.state)) return { action: 'none' };
  const age = probe.now.getTime() - Date.parse(run.createdAt);
  if (run.kind === 'collect') {
    // A data agent runs inside the editor or the CLI that started it, which settles its record itself.
    if (run.local?.pid !== undefined && probe.pidAlive) return { action: 'none' };
    if (run.local?.pid === undefined && age <= LAUNCH_GRACE_MS) return { action: 'wait' };
    return {
      action: 'fail',
      reason:
        'The data agent stopped (its editor or CLI process ended) before it recorded a result. What it wrote is kept: run it again on the same file to resume.',
    };
  }
  if (run.backend === 'local') {
    if (run.local?.pid === undefined) {
      return age > LAUNCH_GRACE_MS
        ? { action: 'fail', reason: 'The local process never started (no pid was recorded).' }
        : { action: 'wait' };
    }
    return probe.pidAlive
      ? { action: 'follow' }
      : {
          action: 'fail',
          reason: `The training process (pid ${run.local.pid}) ended while no editor was watching, without recording a result.`,
        };
  }
  if (run.modal?.functionCallId) return { action: 'follow' };
  return age > LAUNCH_GRACE_MS
    ? { action: 'fail', reason: 'The launch on Modal was interrupted before the function call was created.' }
    : { action: 'wait' };
}
