// The run store (GUIDE contract 2): `.psychohistory/runs/<runId>/{run.json,metrics.jsonl,logs.txt,trees.jsonl}`.
// Every backend, the sidebar and the CLI go through this module, so a run looks the same whoever made it.
// run.json is written atomically (temp file + rename) and merged field by field with what is on disk,
// so the Python side and a second editor window can update the same record without losing fields.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { RunRecordSchema } from '../contracts/run';
import type { Backend, RunKind, RunRecord } from '../contracts/run';
import { MetricEventSchema } from '../contracts/metrics';
import type { MetricEvent, RunState } from '../contracts/metrics';
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

export interface ParsedLines<T> {
  items: T[];
  /** Lines that were not valid (bad JSON or wrong shape), 1-based. */
  invalidLines: number[];
  /** The text after the last newline, when it does not parse: a write cut short. */
  truncatedTail: string;
}

/** Parse JSONL text, tolerating a truncated last line (a run killed mid-write). */
export function parseJsonl<T>(text: string, parse: (value: unknown) => T | undefined): ParsedLines<T> {
  const lines = text.split('\n');
  const items: T[] = [];
  const invalidLines: number[] = [];
  let truncatedTail = '';
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const isLast = index === lines.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (isLast) truncatedTail = raw;
      else invalidLines.push(index + 1);
      return;
    }
    const item = parse(value);
    if (item === undefined) invalidLines.push(index + 1);
    else items.push(item);
  });
  return { items, invalidLines, truncatedTail };
}

export function parseMetricEvent(value: unknown): MetricEvent | undefined {
  const result = MetricEventSchema.safeParse(value);
  return result.success ? result.data : undefined;
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

type RawRecord = Record<string, unknown>;

export class RunStore {
  constructor(readonly root: string) {}

  runDir(id: string): string {
    if (!/^[\w.-]+$/.test(id) || id.startsWith('.')) throw new Error(`Invalid run id: ${JSON.stringify(id)}`);
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
    const raw = this.readRaw(id);
    if (!raw) return undefined;
    const parsed = RunRecordSchema.safeParse(raw);
    return parsed.success ? parsed.data : undefined;
  }

  private readRaw(id: string): RawRecord | undefined {
    try {
      const value: unknown = JSON.parse(fs.readFileSync(this.file(id, 'record'), 'utf8'));
      return value && typeof value === 'object' && !Array.isArray(value) ? (value as RawRecord) : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Read-modify-write of run.json. `change` sees the current record on disk (not a cached copy) and
   * returns the fields to set, or undefined to leave the file alone. Fields this side does not know
   * (written by the Python pipeline) are kept.
   */
  update(id: string, change: (current: RunRecord) => Partial<RunRecord> | undefined): RunRecord | undefined {
    const raw = this.readRaw(id);
    if (!raw) return undefined;
    const current = RunRecordSchema.safeParse(raw);
    if (!current.success) return undefined;
    const patch = change(current.data);
    if (!patch || Object.keys(patch).length === 0) return current.data;
    const merged = { ...raw, ...patch };
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
    return parseJsonl(readText(this.file(id, 'metrics')), parseMetricEvent);
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
