// The run store (GUIDE contract 2): `.psychohistory/runs/<runId>/{run.json,metrics.jsonl,logs.txt,trees.jsonl}`.
// The one home of its paths, file names, listing, reading and writing: every backend, the dashboard,
// the sidebar and the CLI go through this module, so a run looks the same whoever made it.
// Rules it keeps for all of them:
// - a record whose `id` is not its folder's name is reported and skipped (acting on it acts on another run);
// - one bad record is reported and skipped, never fatal to listing the others;
// - symlinks under the runs folder are not followed (a run folder or a run file that is one is refused);
// - run.json is written atomically (temp file + rename) and merged field by field with what is on disk,
//   under `run.json.lock`, which the Python RunFile takes too, so no writer's field is lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema } from '../contracts/run';
import type { Backend, RecordKind, RunRecord } from '../contracts/run';
import type { MetricEvent, RunState } from '../contracts/metrics';
import { parseJsonl, parseMetricEvent, type ParsedLines } from './metricsFile';
import { describeRecordProblem, readRunRecord, readRunRecordSync, type RunRecordRead } from './runRecord';
import { transition } from '../jobs/stateMachine';
import type { TransitionExtra } from '../jobs/stateMachine';

export const RUN_FILES = {
  record: 'run.json',
  metrics: 'metrics.jsonl',
  logs: 'logs.txt',
  trees: 'trees.jsonl',
} as const;
/** The runs folder, relative to a workspace root. */
export const RUNS_DIR = path.join('.psychohistory', 'runs');

/** `<workspace>/.psychohistory/runs` */
export function runsRootOf(workspaceRoot: string): string {
  return path.join(workspaceRoot, RUNS_DIR);
}

/** A run (folder) the store skipped, and why. */
export interface RunProblem {
  id: string;
  reason: string;
}

/** A run folder or file the store refuses to touch (a symlink, a name that is not a run id). */
export class RunStoreError extends Error {
  override readonly name = 'RunStoreError';
}

/** Is `p` itself a symlink (not following it)? False when it does not exist. */
export function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** run.json's lock: `run.json.lock`, created exclusively; the Python RunFile uses the same protocol. */
export const RECORD_LOCK = { suffix: '.lock', staleMs: 10_000, timeoutMs: 30_000 } as const;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Run `fn` holding `<file>.lock`: created with O_EXCL ('wx'), retried with backoff, taken over when
 * its mtime is older than RECORD_LOCK.staleMs (a writer that died holding it), removed afterwards.
 */
export function withRecordLock<T>(file: string, fn: () => T): T {
  const lock = `${file}${RECORD_LOCK.suffix}`;
  const deadline = Date.now() + RECORD_LOCK.timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    try {
      fs.closeSync(fs.openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    try {
      if (Date.now() - fs.statSync(lock).mtimeMs > RECORD_LOCK.staleMs) {
        fs.rmSync(lock, { force: true });
        continue;
      }
    } catch {
      continue; // released between our open and stat
    }
    if (Date.now() > deadline)
      throw new RunStoreError(
        `${file} stayed locked for ${RECORD_LOCK.timeoutMs / 1000} s (${lock}); remove the lock file if no job is writing.`,
      );
    sleepSync(delay * (0.5 + Math.random()));
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}

/** Sortable, readable and unique enough across windows: `sft-20261127-034512-a1b2`. */
export function newRunId(kind: RecordKind, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${kind}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** Write a file so readers never see half of it: temp file in the same folder, then rename. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export interface NewRun {
  kind: RecordKind;
  backend: Backend;
  config: Record<string, unknown>;
  id?: string;
  state?: RunState;
  local?: RunRecord['local'];
  modal?: RunRecord['modal'];
}

export interface RunStoreOptions {
  /** Told about every run the store skips (a bad record, a symlink, an id that is not its folder). */
  report?: (problem: RunProblem) => void;
}

export class RunStore {
  constructor(
    readonly root: string,
    private readonly options: RunStoreOptions = {},
  ) {}

  /** The run's folder; throws RunStoreError for a name that is not a run id or a folder that is a symlink. */
  runDir(id: string): string {
    if (!isRunId(id)) throw new RunStoreError(`Invalid run id: ${JSON.stringify(id)}`);
    const dir = path.join(this.root, id);
    if (isSymlink(dir)) throw new RunStoreError(`Refusing run ${id}: its folder is a symlink (not followed).`);
    return dir;
  }

  private readonly reported = new Set<string>();

  /** Tell the store's reporter about a run skipped or refused; once per run and reason (views list often). */
  report(problem: RunProblem): void {
    const key = `${problem.id}\0${problem.reason}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.options.report?.(problem);
  }

  /** A run file's path; throws RunStoreError when it (or the run folder) is a symlink. */
  file(id: string, name: keyof typeof RUN_FILES): string {
    const file = path.join(this.runDir(id), RUN_FILES[name]);
    if (isSymlink(file))
      throw new RunStoreError(`Refusing ${RUN_FILES[name]} of run ${id}: it is a symlink (not followed).`);
    return file;
  }

  create(init: NewRun, now: Date = new Date()): RunRecord {
    const id = init.id ?? newRunId(init.kind, now);
    const dir = this.runDir(id);
    fs.mkdirSync(dir, { recursive: true });
    const record = RunRecordSchema.parse({
      id,
      kind: init.kind,
      backend: init.backend,
      config: { ...init.config, run_id: id },
      state: init.state ?? 'queued',
      createdAt: now.toISOString(),
      ...(init.local ? { local: init.local } : {}),
      ...(init.modal ? { modal: init.modal } : {}),
    });
    const file = this.file(id, 'record');
    withRecordLock(file, () => writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`));
    for (const name of ['metrics', 'logs'] as const) fs.appendFileSync(this.file(id, name), '');
    return record;
  }

  /** The record, or undefined when missing or unreadable (e.g. a hand-edited file). */
  read(id: string): RunRecord | undefined {
    return this.readRecord(id).record ?? undefined;
  }

  /** The record or why there is none (missing, unreadable, a symlink, an id that names another run). */
  readRecord(id: string): RunRecordRead {
    // A folder in runs/ whose name is not a run id (list() meets those) has no record.
    if (!isRunId(id)) return { record: null, problem: { kind: 'missing' } };
    return readRunRecordSync(path.join(this.root, id, RUN_FILES.record), id);
  }

  /**
   * Read-modify-write of run.json. `change` sees the current record on disk (not a cached copy) and
   * returns the fields to set, or undefined to leave the file alone. Fields this side does not know
   * (written by the Python pipeline) are kept. The whole read-modify-write holds run.json's lock.
   */
  update(id: string, change: (current: RunRecord) => Partial<RunRecord> | undefined): RunRecord | undefined {
    if (!this.readRecord(id).record) return undefined;
    const file = this.file(id, 'record');
    return withRecordLock(file, () => {
      const current = this.readRecord(id);
      if (!current.record) return undefined;
      const patch = change(current.record);
      if (!patch || Object.keys(patch).length === 0) return current.record;
      const merged = { ...current.raw, ...patch };
      const next = RunRecordSchema.parse(merged);
      writeFileAtomic(file, `${JSON.stringify(merged, null, 2)}\n`);
      return next;
    });
  }

  /** Move the run through the state machine; a move from a terminal state is ignored. */
  setState(
    id: string,
    to: RunState,
    extra: TransitionExtra & { cost?: RunRecord['cost'] } = {},
  ): RunRecord | undefined {
    return this.update(id, (current) => {
      const patch = transition(current, to, extra);
      if (!patch) return undefined;
      return extra.cost ? { ...patch, cost: extra.cost } : patch;
    });
  }

  /** All readable runs, newest first; each run skipped is reported (see RunStoreOptions.report). */
  list(): RunRecord[] {
    const { runs, problems } = this.scan();
    for (const problem of problems) this.report(problem);
    return runs;
  }

  /** All readable runs, newest first, and the run folders skipped with the reason. */
  scan(): { runs: RunRecord[]; problems: RunProblem[] } {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return { runs: [], problems: [] };
    }
    const runs: RunRecord[] = [];
    const problems: RunProblem[] = [];
    for (const name of names) {
      if (name.startsWith('.') || !isRunId(name)) continue;
      const read = this.readRecord(name);
      if (read.record) runs.push(read.record);
      else if (read.problem.kind !== 'missing')
        problems.push({ id: name, reason: describeRecordProblem(read.problem) });
    }
    return { runs: runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id)), problems };
  }

  /** Append events as JSONL. If the file ends mid-line (a writer was killed), start on a fresh line. */
  appendEvents(id: string, events: readonly MetricEvent[]): void {
    if (events.length === 0) return;
    const file = this.file(id, 'metrics');
    const text = events.map((e) => JSON.stringify(e)).join('\n') + '\n';
    fs.appendFileSync(file, needsNewline(file) ? `\n${text}` : text);
  }

  readEvents(id: string): ParsedLines<MetricEvent> {
    return parseJsonl(readBytes(this.file(id, 'metrics')), parseMetricEvent);
  }

  appendLog(id: string, text: string): void {
    if (!text) return;
    fs.appendFileSync(this.file(id, 'logs'), text.endsWith('\n') ? text : `${text}\n`);
  }

  /** logs.txt ('' when missing); throws RunStoreError when it or the folder is a symlink. */
  readLog(id: string): string {
    return readText(this.file(id, 'logs'));
  }

  /** The last `n` non-empty log lines: what a failed run's error message quotes. */
  lastLogLines(id: string, n = 10): string[] {
    return this.readLog(id)
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-n);
  }
}

/** A run id is a folder name that cannot climb out of the runs folder. */
function isRunId(id: string): boolean {
  return /^[\w.-]+$/.test(id) && !id.startsWith('.');
}

/** O_NOFOLLOW: a file swapped for a symlink after `file()` checked it still does not open. */
const NOFOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

function readBytes(file: string): Uint8Array {
  let fd: number;
  try {
    fd = fs.openSync(file, NOFOLLOW);
  } catch {
    return new Uint8Array(0);
  }
  try {
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readText(file: string): string {
  return Buffer.from(readBytes(file)).toString('utf8');
}

export interface RunListing {
  id: string;
  dir: string;
  record: RunRecord | null;
}

/**
 * The runs of a workspace for the dashboard, newest first, without blocking on the disk: a folder
 * with a readable run.json, or (a run the pipeline made by hand) metrics.jsonl only. Symlinks, ids
 * that name another run and unreadable records are reported and skipped.
 */
export async function listRuns(workspaceRoot: string, report?: (problem: RunProblem) => void): Promise<RunListing[]> {
  const root = runsRootOf(workspaceRoot);
  let entries: fs.Dirent[];
  try {
    entries = await fs.promises.readdir(root, { withFileTypes: true });
  } catch {
    return [];
  }
  const runs = await Promise.all(
    entries.map(async (entry): Promise<RunListing | null> => {
      const name = entry.name;
      if (name.startsWith('.')) return null;
      if (entry.isSymbolicLink()) {
        report?.({ id: name, reason: describeRecordProblem({ kind: 'symlink' }) });
        return null;
      }
      if (!entry.isDirectory()) return null;
      const dir = path.join(root, name);
      const read = await readRunRecord(path.join(dir, RUN_FILES.record), name);
      if (read.record) return { id: name, dir, record: read.record };
      if (read.problem.kind === 'missing')
        return isPlainFile(path.join(dir, RUN_FILES.metrics)) ? { id: name, dir, record: null } : null;
      report?.({ id: name, reason: describeRecordProblem(read.problem) });
      return null;
    }),
  );
  return runs
    .filter((r): r is RunListing => r !== null)
    .sort((a, b) => (b.record?.createdAt ?? '').localeCompare(a.record?.createdAt ?? '') || a.id.localeCompare(b.id));
}

/** A regular file, not a symlink to one. */
export function isPlainFile(p: string): boolean {
  try {
    return fs.lstatSync(p).isFile();
  } catch {
    return false;
  }
}

function needsNewline(file: string): boolean {
  let fd: number | undefined;
  try {
    const size = fs.statSync(file).size;
    if (size === 0) return false;
    fd = fs.openSync(file, 'r');
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
