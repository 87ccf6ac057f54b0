// One copy of a Modal run's events in metrics.jsonl, whatever reached the live queue.
//
// The function's record (/data/runs/<id>/metrics.jsonl on the Volume) is the truth; the Queue partition is a
// live window onto it that may have gaps: a partition holds 5,000 items, the Python side clears it when full,
// it expires a day after the last put, a put can fail. Each queue item names the record lines it carries
// (`seq` = line number of its first event, `offset`..`end` = its bytes; training/psychohistory/events.py
// QueueSink), so the copier knows the next line it needs, skips what it has, and asks the record (the Modal
// function `read_run`, from a byte offset) for whatever the queue skipped. Its position survives a reload in a
// cursor file beside the run, checked against the lines already on disk, so no event is written twice.
import * as fs from 'node:fs';
import type { MetricEvent } from '../../contracts/metrics';
import { parseMetricEvent } from '../../runs/metricsFile';
import { writeFileAtomic } from '../../runs/runStore';

/** One page of the record, as read_run returns it. */
export interface RecordPage {
  lines: string[];
  nextOffset: number;
  /** Nothing more is there and the run has ended. */
  done: boolean;
}

/** A queue item from QueueSink: consecutive record lines. */
export interface QueueBatch {
  seq: number;
  offset: number;
  end: number;
  events: unknown[];
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The batch a queue item carries, or undefined for anything else (an old app puts bare events). */
export function queueBatchOf(item: unknown): QueueBatch | undefined {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  const { seq, offset, end, events } = o;
  if (!isCount(seq) || !isCount(offset) || !isCount(end) || end < offset || !Array.isArray(events)) return undefined;
  return { seq, offset, end, events };
}

/** read_run's answer, checked: `{lines, next_offset, done}`. */
export function recordPageOf(result: unknown, from: number): RecordPage {
  const o = (result && typeof result === 'object' ? result : {}) as Record<string, unknown>;
  const lines = Array.isArray(o['lines']) ? o['lines'].filter((l): l is string => typeof l === 'string') : [];
  const next = o['next_offset'];
  if (typeof o['error'] === 'string') throw new Error(`read_run: ${o['error']}`);
  if (
    !isCount(next) ||
    next < from ||
    (next === from && lines.length > 0) ||
    lines.length !== (o['lines'] as unknown[] | undefined)?.length
  ) {
    throw new Error(`read_run returned an unexpected answer: ${JSON.stringify(result).slice(0, 200)}`);
  }
  return { lines, nextOffset: next, done: o['done'] === true };
}

interface Cursor {
  /** Record lines before `offset` (a consistent pair: line `seq` starts at byte `offset`). */
  seq: number;
  offset: number;
  /** Events in the local metrics.jsonl when the cursor was written. */
  lines: number;
}

function readCursor(file: string): Cursor {
  try {
    const v = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Cursor>;
    if (isCount(v.seq) && isCount(v.offset) && isCount(v.lines))
      return { seq: v.seq, offset: v.offset, lines: v.lines };
  } catch {
    // No cursor yet (a new run, or one copied before cursors existed).
  }
  return { seq: 0, offset: 0, lines: 0 };
}

export class EventCopier {
  private cursor: Cursor;
  /** The next record line that is not on disk yet. */
  private expected: number;
  private localLines: number;
  /** Batches that arrived ahead of a gap, by first line. */
  private readonly pending = new Map<number, QueueBatch>();
  /** The last event this copier wrote. */
  private last: MetricEvent | undefined;

  /**
   * @param cursorFile where the position is kept between reloads
   * @param localLines events already in the local metrics.jsonl
   * @param write appends events to metrics.jsonl (and tells whoever listens)
   */
  constructor(
    private readonly cursorFile: string,
    localLines: number,
    private readonly write: (events: MetricEvent[]) => void,
  ) {
    this.cursor = readCursor(cursorFile);
    this.localLines = localLines;
    // Events written after the cursor was last saved (a reload between the two) are the next record lines.
    this.expected = this.cursor.seq + Math.max(0, localLines - this.cursor.lines);
  }

  /** Record lines on disk (the next one wanted). */
  get next(): number {
    return this.expected;
  }

  /** The byte offset to read the record from: the cursor's, at or before the next wanted line. */
  get offset(): number {
    return this.cursor.offset;
  }

  /**
   * The copy ends with the run's own last word — a terminal status event, the last line jobs.run writes — with
   * nothing held behind a gap: the record has nothing more to give.
   */
  get complete(): boolean {
    const last = this.last;
    return (
      !this.hasGap &&
      last?.type === 'status' &&
      (last.state === 'succeeded' || last.state === 'failed' || last.state === 'cancelled')
    );
  }

  /** Batches wait behind a gap that only the record can fill. */
  get hasGap(): boolean {
    return this.pending.size > 0;
  }

  /** A batch from the queue: written if it continues the file, kept if it is ahead, dropped if already there. */
  offer(batch: QueueBatch): void {
    if (batch.seq + batch.events.length <= this.expected) return;
    if (batch.seq > this.expected) {
      this.pending.set(batch.seq, batch);
      return;
    }
    this.apply(batch);
    this.drainPending();
  }

  /** A page of the record read from `from`; false (and nothing written) when the cursor has moved on since. */
  fill(page: RecordPage, from: number): boolean {
    if (from !== this.cursor.offset) return false; // a stale answer: the queue moved the cursor meanwhile
    const events: MetricEvent[] = [];
    page.lines.forEach((line, i) => {
      if (this.cursor.seq + i < this.expected) return;
      const event = parseLine(line);
      if (event) events.push(event);
    });
    this.commit(events, { seq: this.cursor.seq + page.lines.length, offset: page.nextOffset });
    this.drainPending();
    return true;
  }

  private apply(batch: QueueBatch): void {
    const events: MetricEvent[] = [];
    batch.events.forEach((raw, i) => {
      if (batch.seq + i < this.expected) return;
      const event = parseMetricEvent(raw);
      if (event) events.push(event);
    });
    this.commit(events, { seq: batch.seq + batch.events.length, offset: batch.end });
  }

  private drainPending(): void {
    for (const [seq, batch] of [...this.pending].sort(([a], [b]) => a - b)) {
      if (seq > this.expected) break;
      this.pending.delete(seq);
      if (seq + batch.events.length > this.expected) this.apply(batch);
    }
  }

  private commit(events: MetricEvent[], at: { seq: number; offset: number }): void {
    if (events.length > 0) {
      this.write(events);
      this.last = events[events.length - 1];
    }
    this.localLines += events.length;
    this.expected = Math.max(this.expected, at.seq);
    this.cursor = { ...at, lines: this.localLines };
    try {
      writeFileAtomic(this.cursorFile, JSON.stringify(this.cursor));
    } catch {
      // The run folder may be gone (deleted by the user).
    }
  }
}

function parseLine(line: string): MetricEvent | undefined {
  try {
    return parseMetricEvent(JSON.parse(line));
  } catch {
    return undefined;
  }
}
