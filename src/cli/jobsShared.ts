// Shared by the jobs subcommands (launch, runs, cancel, logs): workspace discovery and following
// a run's log to the terminal until it ends.
import type { CliIo } from './types';
import { findWorkspaceRoot, openWorkspaceJobs } from '../jobs/workspace';
import type { JobService } from '../jobs/jobService';
import { LineTail } from '../runs/fileTail';
import { isTerminal } from '../jobs/stateMachine';
import type { RunRecord } from '../contracts/run';

export const WORKSPACE_OPTION = { workspace: { type: 'string' as const, short: 'w' } };

export function jobsFor(io: CliIo, workspace: unknown): JobService {
  const root = typeof workspace === 'string' ? workspace : findWorkspaceRoot(io.cwd);
  return openWorkspaceJobs({ root, log: (m) => io.stderr(`${m}\n`) });
}

/**
 * Print the run's log from `fromStart` (or from now) and follow it while the run lasts; the backend
 * is attached so Modal events reach metrics.jsonl even with no editor open. Ctrl-C stops following only.
 */
export async function followRun(
  io: CliIo,
  jobs: JobService,
  runId: string,
  fromStart: boolean,
): Promise<RunRecord | undefined> {
  const tail = new LineTail(jobs.store.file(runId, 'logs'), (lines) => io.stdout(`${lines.join('\n')}\n`), {
    fromStart,
    intervalMs: 250,
  });
  const onSigint = () => {
    io.stderr(`\nStopped following; the run goes on. Cancel it with: psychohistory cancel ${runId}\n`);
    tail.dispose();
    jobs.dispose();
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  try {
    const current = jobs.store.read(runId);
    const final = current && !isTerminal(current.state) ? await jobs.wait(runId) : current;
    await tail.close(true);
    return final;
  } finally {
    process.off('SIGINT', onSigint);
    tail.dispose();
  }
}

export function describeEnd(run: RunRecord | undefined): string {
  if (!run) return 'run not found';
  const cost = run.cost ? ` · cost $${run.cost.usd.toFixed(2)} (${run.cost.gpu})` : '';
  return `${run.id}: ${run.state}${cost}${run.error ? `\n${run.error}` : ''}`;
}
