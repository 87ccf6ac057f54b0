// Incremental reading of a file another process appends to (metrics.jsonl, logs.txt): each read
// takes only the bytes appended since the last one, and a partial last line waits for its newline.
// One implementation for the jobs follower, the CLI's `logs` and the dashboard's live tail. Node
// `fs` only, no `vscode`, so tests, the CLI and the benchmark use it directly.
import * as fs from 'node:fs';

const NEWLINE = 0x0a;
const NO_BYTES = new Uint8Array(0);

export interface Disposable {
  dispose(): void;
}

/**
 * Splits a byte stream into complete lines. The bytes after the last newline (a line still being
 * written, possibly ending inside a multi-byte UTF-8 character) wait for the next chunk, so a
 * character split across two reads is never decoded in halves.
 */
export class LineSplitter {
  private carry: Uint8Array = NO_BYTES;
  private readonly decoder = new TextDecoder();

  /** The complete lines in carry + chunk, without their newlines. */
  push(chunk: Uint8Array): string[] {
    if (chunk.length === 0) return [];
    const data = this.carry.length ? concat(this.carry, chunk) : chunk;
    const last = data.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.carry = copy(data);
      return [];
    }
    this.carry = copy(data.subarray(last + 1));
    // Decode the complete lines at once: a newline byte never occurs inside a UTF-8 sequence.
    return this.decoder.decode(data.subarray(0, last)).split('\n');
  }

  /** Bytes held back after the last newline (a partial last line). */
  get pendingBytes(): number {
    return this.carry.length;
  }

  /** The held-back partial line, decoded. */
  get pendingText(): string {
    return this.decoder.decode(this.carry);
  }

  clearPending(): void {
    this.carry = NO_BYTES;
  }
}

export interface TailRead {
  /** What was appended since the last read (after a reset: the file from its start). */
  bytes: Uint8Array;
  /** The file was rewritten since the last read: whatever was built from its old content is stale. */
  reset: boolean;
  /** The file does not exist (yet). */
  missing: boolean;
}

/**
 * Reads a file from a byte offset, one read at a time. A file that shrank was rewritten from
 * scratch, and one that disappeared may come back with new content: either way reading starts over
 * at byte 0 and `reset` says so.
 */
export class FileTail {
  private offset: number;
  private gone = false;

  /** `startAt`: the byte to start from (the current size, to skip what is already there). */
  constructor(
    readonly file: string,
    startAt = 0,
  ) {
    this.offset = startAt;
  }

  get bytesRead(): number {
    return this.offset;
  }

  async read(): Promise<TailRead> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(this.file, 'r');
    } catch (err) {
      // Only "not there" means gone; a transient error (EMFILE, a locked file) is tried again as is.
      if (isNotFound(err) && this.offset > 0) this.gone = true;
      return { bytes: NO_BYTES, reset: false, missing: true };
    }
    try {
      // Size from the open handle, not the path, so size and bytes come from the same file even
      // if it is replaced meanwhile.
      const { size } = await handle.stat();
      const reset = this.gone || size < this.offset;
      if (reset) this.offset = 0;
      this.gone = false;
      if (size === this.offset) return { bytes: NO_BYTES, reset, missing: false };
      const buf = new Uint8Array(size - this.offset);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, this.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      this.offset += got;
      return { bytes: buf.subarray(0, got), reset, missing: false };
    } finally {
      await handle.close();
    }
  }
}

/**
 * Runs `step` now and every `intervalMs`, never two at once: a slow read (a network disk) that
 * overlapped the next tick would read the same bytes twice. fs.watch misses appends on network and
 * container file systems, and a run can take hours, so a 500 ms poll is both reliable and cheap.
 * `stop` runs one last step with `last: true`, for what only an ended writer allows (a final
 * line without its newline).
 */
export class Poller implements Disposable {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly step: (last: boolean) => Promise<void>,
    intervalMs = 500,
    /** Told of every failed step (the follower decides whether that is worth a warning). */
    private readonly onError?: (err: unknown) => void,
  ) {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), intervalMs);
    this.timer.unref?.();
  }

  /** One step now, or the one already running. */
  poll(): Promise<void> {
    return this.run(false);
  }

  /** Stops the timer, then makes the last step after any running one (which may predate the last append). */
  async stop(): Promise<void> {
    this.dispose();
    while (this.running) await this.running;
    await this.run(true);
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * A step that fails (the file vanished mid-read, a listener threw) is dropped: it runs on a
   * timer, nobody would see the rejection, and the next tick goes on from where the tail stands.
   * `onError` hears of it, so a follower can tell the user instead of failing silently.
   */
  private run(last: boolean): Promise<void> {
    this.running ??= this.step(last)
      .catch((err: unknown) => {
        try {
          this.onError?.(err);
        } catch {
          // A failing error listener must not stop the poller.
        }
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }
}

/**
 * Follows a growing text file (logs.txt) line by line: only complete, non-blank lines are delivered;
 * a partial last line waits for its newline, or is delivered at `close(true)` (a writer that ended
 * without one).
 */
export class LineTail implements Disposable {
  private readonly tail: FileTail;
  private lines = new LineSplitter();
  private readonly poller: Poller;
  private flushPartial = false;

  /** `fromStart: false` skips what is already in the file. */
  constructor(
    file: string,
    private readonly onLines: (lines: string[]) => void,
    options: { fromStart?: boolean; intervalMs?: number; onError?: (err: unknown) => void } = {},
  ) {
    this.tail = new FileTail(file, options.fromStart === false ? sizeNow(file) : 0);
    this.poller = new Poller((last) => this.step(last), options.intervalMs, options.onError);
  }

  /** Read whatever was appended since the last poll. Public so a caller can flush right before it stops. */
  poll(): Promise<void> {
    return this.poller.poll();
  }

  /** Final read; a last line without newline is delivered if `flushPartial`. */
  async close(flushPartial = false): Promise<void> {
    this.flushPartial = flushPartial;
    await this.poller.stop();
  }

  dispose(): void {
    this.poller.dispose();
  }

  private async step(last: boolean): Promise<void> {
    const { bytes, reset } = await this.tail.read();
    if (reset) this.lines = new LineSplitter();
    const lines = this.lines
      .push(bytes)
      .map((l) => l.replace(/\r$/, ''))
      .filter((l) => l.trim() !== '');
    if (last) {
      const rest = this.lines.pendingText;
      this.lines.clearPending();
      if (this.flushPartial && rest.trim()) lines.push(rest);
    }
    if (lines.length) this.onLines(lines);
  }
}

/** The file's size now, 0 when it does not exist: where a tail that skips existing content starts. */
export function sizeNow(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOENT';
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A copy, never a view: a Buffer's slice() shares memory, and the chunk may be a whole file. */
function copy(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}
