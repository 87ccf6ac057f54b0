// The run store (GUIDE contract 2): `.psychohistory/runs/<runId>/{run.json,metrics.jsonl,logs.txt,trees.jsonl}`.
// Every backend, the sidebar and the CLI go through this module, so a run looks the same whoever made it.
// Reading run.json and metrics.jsonl tolerantly is src/runs' job, shared with the dashboard.
// run.json is written atomically (temp file + rename) and merged field by field with what is on disk,
// so the Python side and a second editor window can update the same record without losing fields.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema } from '../contracts/run';
import type { Backend, RunKind, RunRecord } from '../contracts/run';
import type { MetricEvent, RunState } from '../contracts/metrics';
import { parseJsonl, parseMetricEvent, type ParsedLines } from '../runs/metricsFile';
import { readRunRecordSync, type RunRecordRead } from '../runs/runRecord';
import { transition } from './stateMachine';
import type { TransitionExtra } from './stateMachine';

export const RUN_FILES = { record: 'run.json', metrics: 'metrics.jsonl', logs: 'logs.txt', trees: 'trees.jsonl' } as const;

/** `<workspace>/.psychohistory/runs` */
export function runsRootOf(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.psychohistory', 'runs');
}

/** Sortable, readable and unique enough across windows: `sft-20261127-034512-a1b2`. */
export function newRunId(kind: RunKind, now: Date = new Date()): string {
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
  kind: RunKind;
  backend: Backend;
  config: Record<string, unknown>;
  id?: string;
  state?: RunState;
  local?: RunRecord['local'];
  modal?: RunRecord['modal'];
}

export class RunStore {
  constructor(readonly root: string) {}

  runDir(id: string): string {
    if (!isRunId(id)) throw new Error(`Invalid run id: ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  file(id: string, name: keyof typeof RUN_FILES): string {
    return path.join(this.runDir(id), RUN_FILES[name]);
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
    writeFileAtomic(this.file(id, 'record'), `${JSON.stringify(record, null, 2)}\n`);
    for (const name of ['metrics', 'logs'] as const) fs.appendFileSync(this.file(id, name), '');
    return record;
  }

  /** The record, or undefined when missing or unreadable (e.g. a hand-edited file). */
  read(id: string): RunRecord | undefined {
    return this.readRecord(id).record ?? undefined;
  }

  private readRecord(id: string): RunRecordRead {
    // A folder in runs/ whose name is not a run id (list() meets those) has no record.
    if (!isRunId(id)) return { record: null, problem: { kind: 'missing' } };
    return readRunRecordSync(this.file(id, 'record'));
  }

  /**
   * Read-modify-write of run.json. `change` sees the current record on disk (not a cached copy) and
   * returns the fields to set, or undefined to leave the file alone. Fields this side does not know
   * (written by the Python pipeline) are kept.
   */
  update(id: string, change: (current: RunRecord) => Partial<RunRecord> | undefined): RunRecord | undefined {
    const current = this.readRecord(id);
    if (!current.record) return undefined;
    const patch = change(current.record);
    if (!patch || Object.keys(patch).length === 0) return current.record;
    const merged = { ...current.raw, ...patch };
    const next = RunRecordSchema.parse(merged);
    writeFileAtomic(this.file(id, 'record'), `${JSON.stringify(merged, null, 2)}\n`);
    return next;
  }

  /** Move the run through the state machine; a move from a terminal state is ignored. */
  setState(id: string, to: RunState, extra: TransitionExtra & { cost?: RunRecord['cost'] } = {}): RunRecord | undefined {
    return this.update(id, (current) => {
      const patch = transition(current, to, extra);
      if (!patch) return undefined;
      return extra.cost ? { ...patch, cost: extra.cost } : patch;
    });
  }

  /** All readable runs, newest first. */
  list(): RunRecord[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.root);
    } catch {
      return [];
    }
    const runs: RunRecord[] = [];
    for (const name of names) {
      if (name.startsWith('.')) continue;
      const run = this.read(name);
      if (run) runs.push(run);
    }
    return runs.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
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

function readBytes(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch {
    return new Uint8Array(0);
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
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
