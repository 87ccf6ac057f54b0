// A tolerant reader of metrics.jsonl (contract 3), shared by the jobs feature (run store, local
// follower, Modal event copy) and the dashboard. The file is appended while a job runs, so the last
// line may be half-written: it waits for its newline. Bad lines are skipped and counted, never
// thrown; emitters may be newer than this extension, so unknown event types are told apart from
// garbage. The parsers work on bytes, not files, so the live tail (which reads only the appended
// bytes), whole-file reads and the unit tests share them.
import { MetricEventSchema, type MetricEvent, type TrainEvent } from '../contracts/metrics';
import { FileTail, LineSplitter, Poller, sizeNow, type Disposable } from './fileTail';

/** Something a reader skipped, in words for the user; the dashboard shows these as notices. */
export interface FileNotice {
  level: 'info' | 'warning';
  message: string;
}

/** A contract-3 event, or undefined. Train events (nearly every line) skip zod; see fastTrainEvent. */
export function parseMetricEvent(value: unknown): MetricEvent | undefined {
  const fast = fastTrainEvent(value);
  if (fast) return fast;
  const r = MetricEventSchema.safeParse(value);
  return r.success ? r.data : undefined;
}

/**
 * Train events are nearly every line of a long run; checking them by hand is ~10× faster than
 * zod. Accepts exactly what TrainEventSchema accepts (a property test holds the two together) and,
 * like zod, keeps only the known keys, in the schema's order (so an event the Modal follower writes
 * back reads the same whichever path parsed it); anything it is unsure of falls through to zod.
 */
export function fastTrainEvent(raw: unknown): TrainEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (o.type !== 'train') return null;
  const { step, epoch, loss, lr, time } = o;
  if (!(num(step) && Number.isSafeInteger(step) && step >= 0) || !nonNeg(epoch) || !num(loss) || !nonNeg(lr))
    return null;
  if (typeof time !== 'string' || time.length === 0) return null;
  // `time` is set last, where the schema has it; the cast covers the few lines until then.
  const ev = { type: 'train', step, epoch, loss, lr } as TrainEvent;
  for (const [key, ok] of OPTIONAL_TRAIN_NUMBERS) {
    const v = o[key];
    if (v === undefined) continue;
    if (!ok(v)) return null;
    ev[key] = v;
  }
  ev.time = time;
  return ev;
}

// Module-level (not closures in fastTrainEvent): it runs once per line of a long history.
/** A train event's optional numbers, in the schema's order, each with the check it must pass. */
const OPTIONAL_TRAIN_NUMBERS = [
  ['gradNorm', nonNeg],
  ['tokensPerSecond', nonNeg],
  ['rewardMean', num],
  ['rewardStd', nonNeg],
] as const;

function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function nonNeg(v: unknown): v is number {
  return num(v) && v >= 0;
}

/**
 * Incremental JSONL parser. Feed it chunks of bytes in file order; it parses every complete line
 * with `parseValue` and keeps the bytes after the last newline until a later chunk completes them.
 * Lines are numbered from 1, blank lines included, so skipped lines can be named.
 */
export class JsonlParser<T> {
  private readonly lines = new LineSplitter();
  private lineNo = 0;
  /** Lines that are not JSON, or JSON that `parseValue` rejected (see `rejected`), 1-based. */
  readonly invalidLines: number[] = [];

  constructor(private readonly parseValue: (value: unknown) => T | undefined) {}

  /** Parses every complete line in what is held back + chunk; returns the items found, in order. */
  push(chunk: Uint8Array): T[] {
    const items: T[] = [];
    for (const text of this.lines.push(chunk)) {
      const item = this.parseLine(text, ++this.lineNo);
      if (item !== undefined) items.push(item);
    }
    return items;
  }

  /** Bytes held back after the last newline (a partial last line). */
  get pendingBytes(): number {
    return this.lines.pendingBytes;
  }

  /** The held-back partial line, decoded. */
  get pendingText(): string {
    return this.lines.pendingText;
  }

  get linesRead(): number {
    return this.lineNo;
  }

  /**
   * Called when the file is not going to grow (a finished run, or the first full read): parses the
   * held-back tail if it is a complete JSON value without its newline, else reports it truncated
   * and keeps holding it (the writer may still finish the line).
   */
  flush(): { items: T[]; truncated: boolean } {
    const text = this.lines.pendingText;
    if (text.trim() === '') {
      this.lines.clearPending();
      return { items: [], truncated: false };
    }
    try {
      JSON.parse(text);
    } catch {
      return { items: [], truncated: true };
    }
    this.lines.clearPending();
    const item = this.parseLine(text, ++this.lineNo);
    return { items: item === undefined ? [] : [item], truncated: false };
  }

  /** A JSON line `parseValue` refused. Overridden to sort such lines further. */
  protected rejected(_value: unknown, lineNo: number): void {
    this.invalidLines.push(lineNo);
  }

  private parseLine(line: string, lineNo: number): T | undefined {
    if (line.trim() === '') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.invalidLines.push(lineNo);
      return undefined;
    }
    const item = this.parseValue(value);
    if (item === undefined) this.rejected(value, lineNo);
    return item;
  }
}

const KNOWN_TYPES = new Set(['train', 'eval', 'status', 'cost', 'artifact']);

/** The metrics.jsonl parser: events, with lines of an unknown event type counted apart from garbage. */
export class MetricsLineParser extends JsonlParser<MetricEvent> {
  /** Events of a type this reader does not know (a newer pipeline), by type. Not in `invalidLines`. */
  readonly unknownTypes = new Map<string, number>();

  constructor() {
    super(parseMetricEvent);
  }

  protected override rejected(value: unknown, lineNo: number): void {
    const type =
      typeof value === 'object' && value !== null && 'type' in value ? (value as { type: unknown }).type : undefined;
    if (typeof type === 'string' && !KNOWN_TYPES.has(type))
      this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + 1);
    else super.rejected(value, lineNo);
  }
}

export interface ParsedLines<T> {
  items: T[];
  /** Lines that were not valid (bad JSON or wrong shape, unknown event types included), 1-based. */
  invalidLines: number[];
  /** The text after the last newline, when it does not parse: a write cut short. */
  truncatedTail: string;
}

/** Parse a whole JSONL content at once, tolerating a truncated last line (a run killed mid-write). */
export function parseJsonl<T>(content: string | Uint8Array, parse: (value: unknown) => T | undefined): ParsedLines<T> {
  const parser = new JsonlParser(parse);
  const items = parser.push(bytesOf(content));
  const last = parser.flush();
  items.push(...last.items);
  return { items, invalidLines: parser.invalidLines, truncatedTail: last.truncated ? parser.pendingText : '' };
}

/** Parses a whole metrics.jsonl content at once (a finished file or a first read), with notices. */
export function parseMetricsText(text: string | Uint8Array): {
  events: MetricEvent[];
  notices: FileNotice[];
  parser: MetricsLineParser;
} {
  const parser = new MetricsLineParser();
  const events = parser.push(bytesOf(text));
  const notices = parserNotices(parser);
  if (parser.pendingBytes > 0) {
    const tail = parser.flush();
    events.push(...tail.items);
    if (tail.truncated) {
      notices.push({
        level: 'warning',
        message: `The last line of metrics.jsonl is incomplete (line ${parser.linesRead + 1}); it was skipped — the job may still be writing it.`,
      });
    }
  }
  return { events, notices, parser };
}

/** Notices for what the parser skipped so far. */
export function parserNotices(parser: MetricsLineParser): FileNotice[] {
  const notices: FileNotice[] = [];
  for (const [type, count] of parser.unknownTypes) {
    notices.push({
      level: 'info',
      message: `Skipped ${count} event${count === 1 ? '' : 's'} of unknown type "${type}" (written by a newer pipeline?).`,
    });
  }
  if (parser.invalidLines.length > 0) {
    const lines = parser.invalidLines.slice(0, 5).join(', ') + (parser.invalidLines.length > 5 ? ', …' : '');
    notices.push({
      level: 'warning',
      message: `Skipped ${parser.invalidLines.length} line${parser.invalidLines.length === 1 ? '' : 's'} of metrics.jsonl that are not valid metric events (line ${lines}).`,
    });
  }
  return notices;
}

/**
 * Reads metrics.jsonl from a byte offset, keeping a partial last line for the next read. When the
 * file is rewritten (it shrank, or went away and came back), `reset` says so and parsing starts over.
 */
export class MetricsTail {
  private readonly bytes: FileTail;
  private parser = new MetricsLineParser();
  private readonly reportedNotices = new Set<string>();

  /** `startAt`: the byte to start from (the current size, to skip the events already there). */
  constructor(
    readonly file: string,
    startAt = 0,
  ) {
    this.bytes = new FileTail(file, startAt);
  }

  get bytesRead(): number {
    return this.bytes.bytesRead;
  }

  async read(): Promise<{ events: MetricEvent[]; reset: boolean; missing: boolean }> {
    const { bytes, reset, missing } = await this.bytes.read();
    if (reset) {
      this.parser = new MetricsLineParser();
      this.reportedNotices.clear();
    }
    return { events: this.parser.push(bytes), reset, missing };
  }

  /** For a run that has stopped writing: the held-back last line, if it is a complete event. */
  flush(): MetricEvent[] {
    return this.parser.flush().items;
  }

  /** Notices about skipped lines not yet reported (each reported once). */
  newNotices(): FileNotice[] {
    const fresh = parserNotices(this.parser).filter((n) => !this.reportedNotices.has(n.message));
    for (const n of fresh) this.reportedNotices.add(n.message);
    return fresh;
  }

  /** A held-back partial line, as a notice, for a run that has stopped writing. */
  truncationNotice(): FileNotice | null {
    if (this.parser.pendingBytes === 0) return null;
    return {
      level: 'warning',
      message: `The last line of metrics.jsonl is incomplete (${this.parser.pendingBytes} bytes after line ${this.parser.linesRead}); it was skipped — the job may still be writing it.`,
    };
  }
}

export interface EventFollower extends Disposable {
  /** Final read, then the held-back last line if it is a complete event (the writer has ended). */
  close(): Promise<void>;
}

/**
 * Follows metrics.jsonl on a timer (see Poller) and delivers new events as they complete; lines
 * that are not valid events are skipped. `fromStart: false` skips the events already there.
 */
export function followEvents(
  file: string,
  onEvents: (events: MetricEvent[]) => void,
  options: { fromStart?: boolean; intervalMs?: number; onError?: (err: unknown) => void } = {},
): EventFollower {
  const tail = new MetricsTail(file, options.fromStart === false ? sizeNow(file) : 0);
  const poller = new Poller(
    async (last) => {
      const { events } = await tail.read();
      // The writer has ended: a last line that lacks only its newline is a complete event.
      if (last) events.push(...tail.flush());
      if (events.length) onEvents(events);
    },
    options.intervalMs,
    options.onError,
  );
  return { close: () => poller.stop(), dispose: () => poller.dispose() };
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === 'string' ? new TextEncoder().encode(content) : content;
}
