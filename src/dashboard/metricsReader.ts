// A tolerant reader for metrics.jsonl (contract 3). The file is appended while a job runs, so the
// last line may be half-written; emitters may be newer than this extension, so unknown event types
// are skipped with a notice instead of failing the whole run. Pure: works on bytes, not files, so
// the live tail (which reads only the appended bytes) and the unit tests share it.
import { MetricEventSchema, type MetricEvent, type TrainEvent } from '../contracts/metrics';
import type { Notice } from './protocol';

const NEWLINE = 0x0a;

export interface ParsedMetrics {
  events: MetricEvent[];
  /** Lines that were not valid events, by kind, for notices. */
  unknownTypes: Map<string, number>;
  invalidLines: number[];
  /** 1-based number of the last complete line consumed. */
  lastLine: number;
}

/**
 * Incremental line splitter + parser. Feed it chunks of bytes in file order; it keeps the bytes
 * after the last newline (a line still being written, possibly a split UTF-8 sequence) until the
 * next chunk completes it.
 */
export class MetricsLineParser {
  private carry: Uint8Array = new Uint8Array(0);
  private lineNo = 0;
  private readonly decoder = new TextDecoder();
  readonly unknownTypes = new Map<string, number>();
  readonly invalidLines: number[] = [];

  /** Parses every complete line in carry + chunk; returns the events found, in order. */
  push(chunk: Uint8Array): MetricEvent[] {
    const data = this.carry.length ? concat(this.carry, chunk) : chunk;
    const last = data.lastIndexOf(NEWLINE);
    if (last === -1) {
      this.carry = data.slice();
      return [];
    }
    // Decode the complete lines at once: a newline byte never occurs inside a UTF-8 sequence.
    const lines = this.decoder.decode(data.subarray(0, last)).split('\n');
    const events: MetricEvent[] = [];
    for (const text of lines) {
      this.lineNo++;
      const ev = this.parseLine(text, this.lineNo);
      if (ev) events.push(ev);
    }
    this.carry = data.slice(last + 1);
    return events;
  }

  /** Bytes held back after the last newline (a partial last line). */
  get pendingBytes(): number {
    return this.carry.length;
  }

  get linesRead(): number {
    return this.lineNo;
  }

  /**
   * Called when the file is not going to grow (a finished run, or the first full read): parses the
   * held-back tail if it is a complete JSON object without its newline, else reports it truncated.
   */
  flush(): { events: MetricEvent[]; truncated: boolean } {
    if (this.carry.length === 0) return { events: [], truncated: false };
    const text = this.decoder.decode(this.carry);
    if (text.trim() === '') {
      this.carry = new Uint8Array(0);
      return { events: [], truncated: false };
    }
    let complete = true;
    try {
      JSON.parse(text);
    } catch {
      complete = false;
    }
    if (!complete) return { events: [], truncated: true };
    this.carry = new Uint8Array(0);
    this.lineNo++;
    const ev = this.parseLine(text, this.lineNo);
    return { events: ev ? [ev] : [], truncated: false };
  }

  private parseLine(line: string, lineNo: number): MetricEvent | null {
    if (line.trim() === '') return null;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      this.invalidLines.push(lineNo);
      return null;
    }
    const fast = fastTrainEvent(raw);
    if (fast) return fast;
    const r = MetricEventSchema.safeParse(raw);
    if (r.success) return r.data;
    const type = typeof raw === 'object' && raw !== null && 'type' in raw ? (raw as { type: unknown }).type : undefined;
    if (typeof type === 'string' && !KNOWN_TYPES.has(type)) {
      this.unknownTypes.set(type, (this.unknownTypes.get(type) ?? 0) + 1);
    } else {
      this.invalidLines.push(lineNo);
    }
    return null;
  }
}

/**
 * Train events are nearly every line of a long run; checking them by hand is ~10× faster than
 * zod. Accepts exactly what TrainEventSchema accepts (a property test holds the two together) and,
 * like zod, keeps only the known keys; anything it is unsure of falls through to zod.
 */
export function fastTrainEvent(raw: unknown): TrainEvent | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const o = raw as Record<string, unknown>;
  if (o.type !== 'train') return null;
  const { step, epoch, loss, lr, gradNorm, tokensPerSecond, rewardMean, rewardStd, time } = o;
  if (!(num(step) && Number.isSafeInteger(step) && step >= 0) || !nonNeg(epoch) || !num(loss) || !nonNeg(lr)) return null;
  if (typeof time !== 'string' || time.length === 0) return null;
  const ev: TrainEvent = { type: 'train', step, epoch, loss, lr, time };
  if (gradNorm !== undefined) {
    if (!nonNeg(gradNorm)) return null;
    ev.gradNorm = gradNorm;
  }
  if (tokensPerSecond !== undefined) {
    if (!nonNeg(tokensPerSecond)) return null;
    ev.tokensPerSecond = tokensPerSecond;
  }
  if (rewardMean !== undefined) {
    if (!num(rewardMean)) return null;
    ev.rewardMean = rewardMean;
  }
  if (rewardStd !== undefined) {
    if (!nonNeg(rewardStd)) return null;
    ev.rewardStd = rewardStd;
  }
  return ev;
}

// Module-level (not closures in fastTrainEvent): it runs once per line of a long history.
function num(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function nonNeg(v: unknown): v is number {
  return num(v) && v >= 0;
}

const KNOWN_TYPES = new Set(['train', 'eval', 'status', 'cost', 'artifact']);

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Parses a whole metrics.jsonl content at once (a finished file or a first read). */
export function parseMetricsText(text: string | Uint8Array): { events: MetricEvent[]; notices: Notice[]; parser: MetricsLineParser } {
  const parser = new MetricsLineParser();
  const bytes = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const events = parser.push(bytes);
  const notices = parserNotices(parser);
  if (parser.pendingBytes > 0) {
    const tail = parser.flush();
    events.push(...tail.events);
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
export function parserNotices(parser: MetricsLineParser): Notice[] {
  const notices: Notice[] = [];
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
