// Follow a growing text file (metrics.jsonl, logs.txt) by polling its size: fs.watch misses
// appends on network and container file systems, and a run can take hours, so a 500 ms poll is
// both reliable and cheap. Only complete lines are delivered; a partial last line waits for its
// newline (or is dropped at `close()` if it never becomes valid JSON — a writer killed mid-line).
import * as fs from 'node:fs';
import { parseMetricEvent } from './runStore';
import type { MetricEvent } from '../contracts/metrics';

export interface Disposable {
  dispose(): void;
}

export class LineTail implements Disposable {
  private offset: number;
  private pending = '';
  private timer: NodeJS.Timeout | undefined;

  /** `fromStart: false` skips what is already in the file. */
  constructor(
    private readonly file: string,
    private readonly onLines: (lines: string[]) => void,
    options: { fromStart?: boolean; intervalMs?: number } = {},
  ) {
    this.offset = options.fromStart === false ? sizeOf(file) : 0;
    this.poll();
    this.timer = setInterval(() => this.poll(), options.intervalMs ?? 500);
    this.timer.unref?.();
  }

  /** Read whatever was appended since the last poll. Public so a caller can flush right before it stops. */
  poll(): void {
    const size = sizeOf(this.file);
    if (size < this.offset) {
      // Truncated or replaced: start over.
      this.offset = 0;
      this.pending = '';
    }
    if (size === this.offset) return;
    let fd: number | undefined;
    try {
      fd = fs.openSync(this.file, 'r');
      const buf = Buffer.alloc(size - this.offset);
      const read = fs.readSync(fd, buf, 0, buf.length, this.offset);
      this.offset += read;
      const text = this.pending + buf.subarray(0, read).toString('utf8');
      const parts = text.split('\n');
      this.pending = parts.pop() ?? '';
      const lines = parts.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
      if (lines.length) this.onLines(lines);
    } catch {
      // The file may not exist yet; try again next tick.
    } finally {
      if (fd !== undefined) fs.closeSync(fd);
    }
  }

  /** Final read; a last line without newline is delivered if `flushPartial`. */
  close(flushPartial = false): void {
    this.poll();
    if (flushPartial && this.pending.trim()) this.onLines([this.pending]);
    this.pending = '';
    this.dispose();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

/** Follow metrics.jsonl as contract-3 events; lines that are not valid events are skipped. */
export function followEvents(
  file: string,
  onEvents: (events: MetricEvent[]) => void,
  options: { fromStart?: boolean; intervalMs?: number } = {},
): LineTail {
  return new LineTail(
    file,
    (lines) => {
      const events: MetricEvent[] = [];
      for (const line of lines) {
        try {
          const event = parseMetricEvent(JSON.parse(line));
          if (event) events.push(event);
        } catch {
          // A torn line: ignore it, the writer starts the next event on a new line.
        }
      }
      if (events.length) onEvents(events);
    },
    options,
  );
}

function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
