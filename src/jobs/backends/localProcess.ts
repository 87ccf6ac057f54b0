// Which process is a local run's job? A pid alone is no identity: once the job ends the kernel
// hands its number to another process, and `cancel` would signal that one. So a local run records,
// at spawn, its process's start time (Linux: /proc/<pid>/stat field 22, clock ticks since boot;
// macOS and other Unixes: `ps -o lstart=`), and its command line names the run folder
// (`--run_dir=<…>/<runId>`). Nothing is signalled unless pid, start time and run id all match.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';

export interface LocalProcess {
  pid: number;
  startTime?: string;
}

export type JobIdentity =
  | { ok: true }
  /**
   * `gone`: no such process (or a zombie); `other-process`: the pid now names a process that started
   * at another time (the job has ended); `unverified`: a process that cannot be shown to be the job.
   */
  | { ok: false; kind: 'gone' | 'other-process' | 'unverified'; reason: string };

interface ProcessFacts {
  startTime: string;
  args: string[];
  zombie: boolean;
}

function linuxFacts(pid: number): ProcessFacts | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces and parentheses): state is field 3, starttime field 22.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const args = fs
      .readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((a) => a !== '');
    return { startTime: rest[19] ?? '', args, zombie: rest[0] === 'Z' || rest[0] === 'X' };
  } catch {
    return undefined;
  }
}

function psFacts(pid: number): ProcessFacts | undefined {
  try {
    const ps = (field: string) =>
      execFileSync('ps', ['-o', `${field}=`, '-p', String(pid)], { encoding: 'utf8' }).trim();
    const state = ps('stat');
    // `ps` joins the arguments with spaces; a run id has none, so splitting finds --run_dir=… whole enough.
    return { startTime: ps('lstart'), args: ps('command').split(' '), zombie: state.startsWith('Z') };
  } catch {
    return undefined;
  }
}

function facts(pid: number): ProcessFacts | undefined | 'unsupported' {
  if (process.platform === 'linux') return linuxFacts(pid);
  if (process.platform === 'win32') return 'unsupported';
  return psFacts(pid);
}

/** The start time to record for a process just spawned (undefined where it cannot be read). */
export function processStartTime(pid: number): string | undefined {
  const f = facts(pid);
  return f && f !== 'unsupported' && f.startTime ? f.startTime : undefined;
}

/** Is `local` still the job of run `runId` — same pid, same start time, a command line naming its run folder? */
export function identifyJob(local: LocalProcess, runId: string): JobIdentity {
  const { pid } = local;
  const f = facts(pid);
  if (f === 'unsupported')
    return {
      ok: false,
      kind: 'unverified',
      reason: `cannot tell on ${process.platform} whether pid ${pid} is still this run's job`,
    };
  if (!f || f.zombie) return { ok: false, kind: 'gone', reason: `pid ${pid} is not running` };
  if (!local.startTime)
    return {
      ok: false,
      kind: 'unverified',
      reason: `run.json records no start time for pid ${pid}, so it cannot be told from another process that reused the pid`,
    };
  if (f.startTime !== local.startTime)
    return {
      ok: false,
      kind: 'other-process',
      reason: `pid ${pid} is now another process (started at ${f.startTime}, the job at ${local.startTime})`,
    };
  const runDirs = f.args
    .filter((a) => a.startsWith('--run_dir='))
    .map((a) => path.basename(a.slice('--run_dir='.length).replace(/[\\/]+$/, '')));
  if (!runDirs.includes(runId))
    return { ok: false, kind: 'unverified', reason: `pid ${pid}'s command line does not name run ${runId}` };
  return { ok: true };
}

/**
 * Is `local` still the process that recorded it — same pid and start time? For a data agent's run, which lives in
 * the editor or CLI that started it (a command line that names no run folder). Without a recorded start time (or
 * where it cannot be read) a live pid is all there is to go on.
 */
export function isSameProcess(local: LocalProcess): boolean {
  const f = facts(local.pid);
  if (f === 'unsupported' || !local.startTime) {
    try {
      process.kill(local.pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
  return f !== undefined && !f.zombie && f.startTime === local.startTime;
}
