// Local backend: runs the training command line
//   python -m psychohistory <kind> --run_dir=DIR --key=value ...
// from training/ with the configured Python. The process is detached and writes straight into
// logs.txt (not through a pipe to us), so it survives an editor reload; after a reload we find it
// again by the pid in run.json. Python updates run.json and metrics.jsonl itself; this side only
// fills in what Python cannot: the pid, and the final state when the process dies without saying.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { RunRecord } from '../../contracts/run';
import type { RunStore } from '../../runs/runStore';
import { isTerminal } from '../stateMachine';
import { followEvents } from '../../runs/metricsFile';
import { JobError, messageOf } from '../errors';
import { identifyJob, isSameProcess, processStartTime } from './localProcess';
import type { BackendHooks, JobBackend, Watch } from '../backend';
import { sleep } from '../backend';

export interface LocalBackendOptions {
  store: RunStore;
  /** The folder holding the `psychohistory` Python package (the repo's training/). */
  trainingDir: string;
  /** Python executable (already resolved, see resolvePython); a function is asked at each launch. */
  python: string | (() => string);
  hooks: BackendHooks;
  /** Extra environment for the job (secrets go here, never into run.json); asked at each launch. */
  env?: () => Promise<Record<string, string>> | Record<string, string>;
  /** Grace period between SIGTERM and SIGKILL. */
  killGraceMs?: number;
  /** How often a reattached run checks its pid. */
  pollMs?: number;
}

/** setting → <workspace>/.venv → training/.venv → python3 (GUIDE: the configured python). */
export function resolvePython(
  setting: string | undefined,
  workspaceRoot: string | undefined,
  trainingDir: string,
): string {
  if (setting && setting.trim()) return setting.trim();
  const bin = process.platform === 'win32' ? path.join('Scripts', 'python.exe') : path.join('bin', 'python');
  for (const venv of [workspaceRoot && path.join(workspaceRoot, '.venv'), path.join(trainingDir, '.venv')]) {
    if (venv && fs.existsSync(path.join(venv, bin))) return path.join(venv, bin);
  }
  return process.platform === 'win32' ? 'python' : 'python3';
}

/** `--key=value` for every config entry; objects as JSON. */
export function commandLineArgs(run: Pick<RunRecord, 'kind' | 'config'>, runDir: string): string[] {
  const args = ['-m', 'psychohistory', run.kind, `--run_dir=${runDir}`];
  for (const [key, value] of Object.entries(run.config)) {
    if (value === undefined || value === null || key === 'dataset_text') continue;
    args.push(`--${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  }
  return args;
}

/** Is this pid a live process (and, on Linux, still our training job rather than a reused pid)? */
export function isJobAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  if (process.platform === 'linux') {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/\)\s+[ZX]\s/.test(stat)) return false; // zombie or dead
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return cmdline.includes('psychohistory');
    } catch {
      return false;
    }
  }
  return true;
}

/** Is this run's job still running? A pid that now names another process is not (see localProcess.ts). */
export function isRunJobAlive(run: Pick<RunRecord, 'id' | 'kind' | 'local'>): boolean {
  if (!run.local) return false;
  if (run.kind === 'collect') return isSameProcess(run.local); // a data agent: the editor's or CLI's own process
  const identity = identifyJob(run.local, run.id);
  return identity.ok || (identity.kind === 'unverified' && isJobAlive(run.local.pid));
}

export class LocalBackend implements JobBackend {
  readonly name = 'local' as const;
  private readonly children = new Map<string, ChildProcess>();
  private readonly cancelling = new Set<string>();

  constructor(private readonly options: LocalBackendOptions) {}

  async start(run: RunRecord): Promise<Watch> {
    const { store, trainingDir } = this.options;
    const python = typeof this.options.python === 'function' ? this.options.python() : this.options.python;
    const extraEnv = (await this.options.env?.()) ?? {};
    // Cancelled (or otherwise ended) while the launch was on its way: start nothing.
    const now = store.read(run.id);
    if (!now || isTerminal(now.state)) return { done: Promise.resolve(now), dispose: () => undefined };
    const dir = store.runDir(run.id);
    const logFd = fs.openSync(store.file(run.id, 'logs'), 'a');
    let child: ChildProcess;
    try {
      child = spawn(python, commandLineArgs(run, dir), {
        cwd: trainingDir,
        detached: true,
        stdio: ['ignore', logFd, logFd],
        env: { ...process.env, ...extraEnv, PYTHONUNBUFFERED: '1' },
      });
    } finally {
      fs.closeSync(logFd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      // spawn reports ENOENT etc. asynchronously; wait for it so the message is useful.
      const reason = await new Promise<string>((resolve) => child.once('error', (e) => resolve(e.message)));
      store.appendLog(run.id, `Could not start ${python}: ${reason}`);
      const failed = store.setState(run.id, 'failed', { error: `Could not start ${python}: ${reason}` });
      this.options.hooks.changed(run.id);
      return { done: Promise.resolve(failed), dispose: () => undefined };
    }
    // Not a reason for Node to stay alive by itself (an editor reload, `launch --detach`); a watch
    // holds a reference while it follows, so `launch` without --detach lives until the job ends.
    child.unref();
    this.children.set(run.id, child);
    const startTime = processStartTime(pid);
    const started = store.update(run.id, (current) => ({
      local: { pid, ...(startTime ? { startTime } : {}) },
      ...(current.state === 'queued' ? { state: 'running' as const, startedAt: new Date().toISOString() } : {}),
    }));
    this.options.hooks.changed(run.id);
    return this.follow(started ?? run, child);
  }

  attach(run: RunRecord): Watch {
    return this.follow(run, this.children.get(run.id));
  }

  private follow(run: RunRecord, child: ChildProcess | undefined): Watch {
    const { store, hooks } = this.options;
    const signal = { stopped: false };
    const tail = followEvents(store.file(run.id, 'metrics'), (events) => hooks.changed(run.id, events), {
      fromStart: false,
      onError: (err) => {
        hooks.log(`Run ${run.id}: reading metrics.jsonl failed (${messageOf(err)}); trying again`);
        hooks.warn?.(
          run.id,
          `Following run ${run.id}: reading its metrics failed (${messageOf(err)}); live metrics may lag.`,
        );
      },
    });
    child?.ref();
    const exited = child
      ? new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null)
            resolve({ code: child.exitCode, signal: child.signalCode });
          else child.once('exit', (code, sig) => resolve({ code, signal: sig }));
        })
      : this.pollUntilDead(run, signal);
    const done = exited.then(async (exit) => {
      await tail.close();
      this.children.delete(run.id);
      if (signal.stopped) return undefined;
      const final = this.finish(run.id, exit);
      hooks.changed(run.id);
      return final;
    });
    return {
      done,
      dispose: () => {
        signal.stopped = true;
        child?.unref();
        tail.dispose();
      },
    };
  }

  private async pollUntilDead(
    run: RunRecord,
    signal: { stopped: boolean },
  ): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    while (!signal.stopped && isRunJobAlive(run)) await sleep(this.options.pollMs ?? 1000);
    return { code: null, signal: null };
  }

  /** The process is gone: keep Python's verdict if it wrote one, else decide from how it ended. */
  private finish(runId: string, exit: { code: number | null; signal: NodeJS.Signals | null }): RunRecord | undefined {
    const { store } = this.options;
    const current = store.read(runId);
    if (!current || isTerminal(current.state)) return current;
    // A cancel here, or from another window or the CLI (its mark), or a plain SIGTERM (what cancel sends). A
    // SIGKILL nobody asked for is no cancel: it is how the kernel's out-of-memory killer ends a job.
    if (this.cancelling.has(runId) || fs.existsSync(this.cancelMark(runId)) || exit.signal === 'SIGTERM') {
      this.cancelling.delete(runId);
      return store.setState(runId, 'cancelled');
    }
    if (exit.code === 0) return store.setState(runId, 'succeeded');
    const how =
      exit.code !== null
        ? `exited with code ${exit.code}`
        : exit.signal
          ? `was killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (the system may have run out of memory)' : ''}`
          : 'ended while no editor was watching it';
    const last = store.lastLogLines(runId, 10);
    return store.setState(runId, 'failed', {
      error: `The training process ${how}.${last.length ? `\nLast log lines:\n${last.join('\n')}` : ''}`,
    });
  }

  /** Written by cancel before it signals: the process's end, whoever sees it, is a cancel. */
  private cancelMark(runId: string): string {
    return path.join(this.options.store.runDir(runId), '.cancel-requested');
  }

  async cancel(run: RunRecord): Promise<RunRecord | undefined> {
    const { store } = this.options;
    if (isTerminal(run.state)) return run;
    if (!run.local) return store.setState(run.id, 'cancelled');
    const { pid } = run.local;
    // Signal nothing that is not provably this run's job: pid, start time and run id.
    const identity = identifyJob(run.local, run.id);
    if (!identity.ok && identity.kind === 'gone') return store.setState(run.id, 'cancelled');
    if (!identity.ok)
      throw new JobError(
        `Not cancelling run ${run.id}: ${identity.reason}. No signal was sent; stop the process yourself if it is the job.`,
        'unknown',
      );
    this.cancelling.add(run.id);
    // Tells a window watching this run (or a later reattach) that its end is a cancel, whatever signal ends it.
    try {
      fs.writeFileSync(this.cancelMark(run.id), new Date().toISOString());
    } catch {
      // The run folder is gone; nobody is left to read the mark.
    }
    signalGroup(pid, 'SIGTERM');
    const deadline = Date.now() + (this.options.killGraceMs ?? 10_000);
    while (Date.now() < deadline && isRunJobAlive(run)) await sleep(100);
    if (isRunJobAlive(run)) signalGroup(pid, 'SIGKILL');
    while (isRunJobAlive(run)) await sleep(50);
    const final = store.setState(run.id, 'cancelled');
    this.options.hooks.changed(run.id);
    return final ?? store.read(run.id);
  }
}

/** The job is a process-group leader (detached), so signal the group: workers die with it. */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(process.platform === 'win32' ? pid : -pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}
