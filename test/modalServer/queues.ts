// Modal Queues as the stand-in serves them, with the limits of the real service (modal.com/docs/guide/queues):
// a partition holds at most 5,000 items (a put that would pass the cap fails with RESOURCE_EXHAUSTED, which the
// Python SDK turns into queue.Full for a non-blocking put and retries forever for a blocking one); each partition
// expires `partition_ttl` after its last put (24 h by default) and is then empty. Entry ids grow like the real
// ones (`<ms>-<n>`), so a reader's lastEntryId stays meaningful after the items before it are gone. Items are
// kept as the bytes the writer sent (pickles), never decoded here.

export const QUEUE_PARTITION_CAP = 5_000;
export const QUEUE_DEFAULT_TTL_MS = 24 * 60 * 60 * 1000;

export interface QueueEntry {
  entryId: string;
  value: Buffer;
}

interface Partition {
  entries: QueueEntry[];
  lastPutMs: number;
  ttlMs: number;
}

export class QueueFullError extends Error {
  constructor(partition: string, cap: number) {
    super(`Queue partition ${JSON.stringify(partition)} is full (${cap} items)`);
  }
}

export class FakeQueue {
  private readonly partitions = new Map<string, Partition>();
  private seq = 0;

  constructor(
    readonly id: string,
    private readonly limits: { cap: () => number; ttlMs: () => number | undefined; now: () => number },
  ) {}

  /** All of `values` or none (RESOURCE_EXHAUSTED), as one QueuePut does. */
  put(partition: string, values: readonly Buffer[], ttlMs?: number): void {
    const live = this.live(partition);
    const cap = this.limits.cap();
    if ((live?.entries.length ?? 0) + values.length > cap) throw new QueueFullError(partition, cap);
    const now = this.limits.now();
    const entries = live?.entries ?? [];
    for (const value of values) entries.push({ entryId: `${now}-${this.seq++}`, value });
    this.partitions.set(partition, {
      entries,
      lastPutMs: now,
      ttlMs: this.limits.ttlMs() ?? ttlMs ?? QUEUE_DEFAULT_TTL_MS,
    });
  }

  /** Items after `lastEntryId` (all when empty), in order; an expired partition has none. */
  after(partition: string, lastEntryId: string): QueueEntry[] {
    const entries = this.live(partition)?.entries ?? [];
    if (!lastEntryId) return entries.slice();
    const last = parseEntryId(lastEntryId);
    const index = entries.findIndex((e) => compareEntryIds(parseEntryId(e.entryId), last) > 0);
    return index < 0 ? [] : entries.slice(index);
  }

  /** Remove and return up to `n` items from the front (QueueGet). */
  take(partition: string, n: number): QueueEntry[] {
    const live = this.live(partition);
    return live ? live.entries.splice(0, n) : [];
  }

  length(partition: string): number {
    return this.live(partition)?.entries.length ?? 0;
  }

  clear(partition: string | undefined): void {
    if (partition === undefined) this.partitions.clear();
    else this.partitions.delete(partition);
  }

  /** As if the partition's TTL had passed since its last put. */
  expire(partition: string): void {
    this.partitions.delete(partition);
  }

  private live(partition: string): Partition | undefined {
    const p = this.partitions.get(partition);
    if (p && this.limits.now() - p.lastPutMs >= p.ttlMs) {
      this.partitions.delete(partition);
      return undefined;
    }
    return p;
  }
}

function parseEntryId(id: string): [number, number] {
  const [ms, n] = id.split('-');
  return [Number(ms) || 0, Number(n) || 0];
}

function compareEntryIds(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
