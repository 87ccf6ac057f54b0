// Events at any length: the Modal backend copies every event of a run into metrics.jsonl exactly once, whatever
// reached the live queue — against the stand-in with Modal's real limits (5,000 items a partition, expiry), the
// real `modal` JS SDK, and the app's read_run function serving the run's record from a byte offset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EventCopier, queueBatchOf } from '../../../src/jobs/backends/modalEvents';
import type { QueueBatch } from '../../../src/jobs/backends/modalEvents';
import { MODAL_EVENTS_QUEUE } from '../../../src/jobs/backends/modal';
import type { RunStore } from '../../../src/runs/runStore';
import type { MetricEvent } from '../../../src/contracts/metrics';
import type { FakeModalServer } from '../../modalServer/server';
import type { Picklable } from '../../modalServer/pickle';
import { statusEvent, tempDir, tempStore, trainEvent, until } from './builders';
import { callIdOf, launchOnModal, modalService, useModalStandIn } from './harness';

/** The run's record on the Volume, as /data/runs/<id>/metrics.jsonl holds it. */
class VolumeFile {
  private chunks: Buffer[] = [];
  length = 0;
  ended = false;
  append(text: Buffer): void {
    this.chunks.push(text);
    this.length += text.length;
  }
  get bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }
}
const volume = new Map<string, VolumeFile>();

/** read_run, as training/psychohistory/events.py read_record pages it: whole lines, about 1 MiB at a time. */
function readRun(request: unknown): Record<string, unknown> {
  const { run_id: runId, offset: from } = request as { run_id: string; offset: number };
  const record = volume.get(runId) ?? new VolumeFile();
  const bytes = record.bytes;
  const offset = Math.max(0, Math.min(from, bytes.length));
  let end = offset + 1024 * 1024;
  if (end >= bytes.length) end = bytes.length;
  else {
    const newline = bytes.indexOf(0x0a, end - 1); // finish the line it stopped in
    end = newline < 0 ? bytes.length : newline + 1;
  }
  const last = end > offset ? bytes.lastIndexOf(0x0a, end - 1) : -1;
  const next = last < offset ? offset : last + 1; // a line still being written waits for the next read
  const lines = next > offset ? bytes.subarray(offset, next).toString('utf8').split('\n').slice(0, -1) : [];
  return { lines, next_offset: next, done: next >= record.bytes.length && record.ended };
}

/** The Python side of a run (Emitter + QueueSink): every event to the record, batches to the queue, never waiting. */
class TrainingRun {
  private seq = 0;
  dropped = 0;
  constructor(
    private readonly server: FakeModalServer,
    readonly runId: string,
  ) {
    volume.set(runId, new VolumeFile());
  }

  /** Emit `events` as one batch; `lost` = the put failed (a network error): the record still has them. */
  emit(events: MetricEvent[], lost = false): void {
    const record = volume.get(this.runId);
    if (!record) throw new Error('no record');
    const text = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    const item = {
      seq: this.seq,
      offset: record.length,
      end: record.length + text.length,
      events: events as unknown as Picklable[],
    };
    record.append(text);
    this.seq += events.length;
    if (lost || !this.server.putQueueItem(MODAL_EVENTS_QUEUE, this.runId, item)) this.dropped += events.length;
  }

  end(): void {
    const record = volume.get(this.runId);
    if (record) record.ended = true;
  }
}

const server = useModalStandIn({ deploy: ['sft'] });
let readRunId = '';
const readRunCalls = () => server.callsOf('FunctionMap').filter((c) => c.request['functionId'] === readRunId).length;
beforeAll(() => {
  readRunId = server.deploy('psychohistory', 'read_run', (args) => readRun(args[0]));
});

function service(store: RunStore, options: { backfillIdleMs?: number } = {}) {
  const timings = {
    eventPollMs: 500,
    logGraceMs: 100,
    backfillRetryMs: 50,
    backfillIdleMs: options.backfillIdleMs ?? 300,
  };
  return modalService(store, { credentials: server.credentials, ...timings });
}

const steps = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) =>
    trainEvent(from + i, { time: `2026-01-01T00:00:00.${String((from + i) % 1000).padStart(3, '0')}Z` }),
  );

describe('Modal events at any length', () => {
  it('100k events through a capped, expiring, lossy queue and a reload: each written once, in order', async () => {
    const store = tempStore();
    const first = service(store);
    const run = await launchOnModal(first.jobs, 'sft');
    const callId = callIdOf(store, run.id);
    const training = new TrainingRun(server, run.id);
    const batches = (from: number, to: number) => {
      for (let s = from; s <= to; s += 10) training.emit(steps(10, s), s % 7_770 === 1); // now and then a put fails
    };

    training.emit([statusEvent('running')]);
    batches(1, 20_000); // 2,000 items
    await until(() => store.readEvents(run.id).items.length >= 5_000, 20_000, 'live events');
    server.expireQueuePartition(MODAL_EVENTS_QUEUE, run.id); // a day passes: the partition is gone
    batches(20_001, 40_000);

    first.jobs.dispose(); // reload mid-run
    const second = service(store);
    expect(second.jobs.reattachAll().map((r) => r.id)).toEqual([run.id]);
    batches(40_001, 100_000); // the partition reaches 5,000 items: the rest never get in
    expect(server.queueLength(MODAL_EVENTS_QUEUE, run.id)).toBe(5_000);
    expect(training.dropped).toBeGreaterThan(20_000);
    training.emit([
      { type: 'cost', gpu: 'A10G', seconds: 60, usd: 0.02, time: '2026-01-01T01:00:00Z' },
      statusEvent('succeeded'),
    ]);
    training.end();
    server.complete(callId, { state: 'succeeded' });

    const final = await second.jobs.wait(run.id);
    expect(final?.state).toBe('succeeded');
    expect(final?.cost).toEqual({ gpu: 'A10G', seconds: 60, usd: 0.02 });
    const written = store.readEvents(run.id).items;
    expect(written).toHaveLength(100_003);
    const trainSteps = written.flatMap((e) => (e.type === 'train' ? [e.step] : []));
    expect(trainSteps).toEqual(Array.from({ length: 100_000 }, (_, i) => i + 1));
    expect(written.map((e) => e.type).filter((t) => t !== 'train')).toEqual(['status', 'cost', 'status']);
    expect(server.callsOf('FunctionGet').some((c) => c.request['objectTag'] === 'read_run')).toBe(true);

    // A third window attaches after the end: nothing is written again.
    second.jobs.dispose();
    const third = service(store);
    third.jobs.reattachAll();
    await new Promise((r) => setTimeout(r, 300));
    expect(store.readEvents(run.id).items).toHaveLength(100_003);
    third.jobs.dispose();
  }, 60_000);

  it('attached after the end with the queue expired: every event comes from the record', async () => {
    const store = tempStore();
    const first = service(store);
    const run = await launchOnModal(first.jobs, 'sft');
    first.jobs.dispose(); // the window closes right after launch
    const training = new TrainingRun(server, run.id);
    for (let s = 1; s <= 3_000; s += 100) training.emit(steps(100, s));
    training.end();
    server.expireQueuePartition(MODAL_EVENTS_QUEUE, run.id);
    server.complete(callIdOf(store, run.id), { state: 'succeeded' });

    const second = service(store);
    second.jobs.reattachAll();
    expect((await second.jobs.wait(run.id))?.state).toBe('succeeded');
    expect(store.readEvents(run.id).items.map((e) => (e.type === 'train' ? e.step : 0))).toEqual(
      Array.from({ length: 3_000 }, (_, i) => i + 1),
    );
    second.jobs.dispose();
  });
});

describe('Modal events: the record is read only when needed', () => {
  it('a live copy that ends with the run’s terminal status makes no read_run call', async () => {
    const store = tempStore();
    const { jobs } = service(store, { backfillIdleMs: 60_000 });
    const before = readRunCalls();
    const run = await launchOnModal(jobs, 'sft');
    const training = new TrainingRun(server, run.id);
    training.emit([statusEvent('running'), ...steps(50)]);
    training.emit([statusEvent('succeeded')]);
    training.end();
    await until(() => store.readEvents(run.id).items.length === 52, 10_000, 'live events');
    server.complete(callIdOf(store, run.id), { state: 'succeeded' });
    expect((await jobs.wait(run.id))?.state).toBe('succeeded');
    expect(readRunCalls()).toBe(before);
    jobs.dispose();
  });
});

describe('EventCopier', () => {
  const batch = (seq: number, n: number): QueueBatch => ({
    seq,
    offset: seq * 10,
    end: (seq + n) * 10,
    events: steps(n, seq + 1),
  });

  it('writes what continues the file, holds what is ahead of a gap, drops what is there, and resumes from its cursor', () => {
    const file = path.join(tempDir(), 'cursor.json');
    const written: number[] = [];
    const write = (events: MetricEvent[]) => written.push(...events.map((e) => (e.type === 'train' ? e.step : -1)));
    const copier = new EventCopier(file, 0, write);
    copier.offer(batch(0, 3));
    copier.offer(batch(5, 2)); // lines 3-4 missing
    expect(copier.hasGap).toBe(true);
    expect(copier.offset).toBe(30);
    copier.fill({ lines: steps(4, 4).map((e) => JSON.stringify(e)), nextOffset: 70, done: false }, 30);
    expect(copier.hasGap).toBe(false);
    expect(copier.fill({ lines: ['{}'], nextOffset: 80, done: true }, 30)).toBe(false); // stale: read from 30, cursor at 70
    copier.offer(batch(0, 3)); // a restarted iteration: all there already
    expect(written).toEqual([1, 2, 3, 4, 5, 6, 7]);

    // A reload after two more events were written but before the cursor was saved.
    const reloaded = new EventCopier(file, written.length + 2, write);
    expect(reloaded.next).toBe(9);
    reloaded.offer(batch(7, 3));
    expect(written).toEqual([1, 2, 3, 4, 5, 6, 7, 10]);
    expect(reloaded.complete).toBe(false);
    reloaded.offer({ seq: 10, offset: 100, end: 110, events: [statusEvent('failed', 'boom')] });
    expect(reloaded.complete).toBe(true);
  });

  it('reads QueueSink items and nothing else as batches', () => {
    expect(queueBatchOf({ seq: 0, offset: 0, end: 10, events: [] })).toBeDefined();
    expect(queueBatchOf(trainEvent(1))).toBeUndefined();
    expect(queueBatchOf({ seq: -1, offset: 0, end: 10, events: [] })).toBeUndefined();
    expect(queueBatchOf({ seq: 0, offset: 10, end: 0, events: [] })).toBeUndefined();
  });
});

const python = path.join(__dirname, '../../../training/.venv/bin/python');

describe.skipIf(!fs.existsSync(python))('queue items as the Python side really makes them', () => {
  it('QueueSink batches pickled by Modal’s own Python serializer are read by the JS SDK and copied whole', async () => {
    // The real Emitter + QueueSink, and modal._serialization.serialize (what modal.Queue.put sends): a 600-event
    // batch spans several pickle frames; an eval event carries nested dicts and a null depth.
    const script = `
import base64, json, sys, tempfile
from modal._serialization import serialize
from psychohistory.events import Emitter, QueueSink
class Q:
    items = []
    def put(self, v, block=True, timeout=None, partition=None):
        assert block is False
        self.items.append(v)
d = tempfile.mkdtemp()
q = Q()
em = Emitter(d, sinks=[QueueSink(q, "r", max_events=600, max_bytes=10**7, max_wait=3600)])
for s in range(1, 601):
    em.emit("train", step=s, epoch=s / 600, loss=1.0 / s, lr=1e-4, gradNorm=0.5)
em.emit("eval", stage="sft", depth=None, loss=0.5, perplexity=1.6487, brier=0.1,
        match={"exact": 2, "semantic": 1, "llm": 0, "none": 1}, n=4,
        ci={"brier": [0.05, 0.15], "brierSkill": [-0.1, 0.3], "matchRate": [0.5, 0.9]})
json.dump({"items": [base64.b64encode(serialize(i)).decode() for i in q.items],
           "record": open(d + "/metrics.jsonl").read()}, sys.stdout)
`;
    const { execFileSync } = await import('node:child_process');
    const out = JSON.parse(
      execFileSync(python, ['-c', script], { cwd: path.join(__dirname, '../../../training'), encoding: 'utf8' }),
    ) as { items: string[]; record: string };
    expect(out.items.length).toBe(2);

    const store = tempStore();
    const { jobs } = service(store);
    const run = await launchOnModal(jobs, 'sft');
    volume.set(run.id, new VolumeFile());
    volume.get(run.id)?.append(Buffer.from(out.record));
    expect(
      server.putQueuePickles(
        MODAL_EVENTS_QUEUE,
        run.id,
        out.items.map((b) => Buffer.from(b, 'base64')),
      ),
    ).toBe(true);
    await until(() => store.readEvents(run.id).items.length === 601, 15_000, 'the batches');
    server.complete(callIdOf(store, run.id), { state: 'succeeded' });
    expect((await jobs.wait(run.id))?.state).toBe('succeeded');
    const written = store.readEvents(run.id).items;
    const recorded = out.record
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(written).toHaveLength(601);
    expect(written.map((e) => JSON.stringify(e, Object.keys(e).sort()))).toEqual(
      recorded.map((e) => JSON.stringify(e, Object.keys(e as object).sort())),
    );
    expect(written.at(-1)).toMatchObject({
      type: 'eval',
      depth: null,
      match: { exact: 2 },
      ci: { brier: [0.05, 0.15] },
    });
    expect(server.callsOf('FunctionGet').some((c) => c.request['objectTag'] === 'read_run')).toBe(true);
    jobs.dispose();
  });
});
