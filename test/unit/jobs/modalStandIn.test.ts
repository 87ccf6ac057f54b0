// The Modal stand-in is faithful where real use hits first, checked through the real `modal` JS SDK (0.11.1):
// large arguments go up as blobs (a 600 KB dataset), large results come down as blobs, the Queue's 5,000-item cap
// and expiry, init and internal failures (remote() retries the latter), and the backend records each end.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QueueFullError } from 'modal';
import { createModalClient } from '../../../src/jobs/backends/modal';
import type { RunStore } from '../../../src/runs/runStore';
import { tempDir, tempStore } from './builders';
import { modalService, useModalStandIn } from './harness';

const server = useModalStandIn({ deploy: ['sft'] });
const service = (store: RunStore) =>
  modalService(store, { credentials: server.credentials, eventPollMs: 500, logGraceMs: 100 }).jobs;

/** The synthetic example cases, repeated under new ids to the size of a real 1,000-case dataset (~600 KB). */
function syntheticDataset(): string {
  const lines = fs
    .readFileSync(path.join(__dirname, '../../../examples/data/synthetic.cases.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean);
  const out: string[] = [];
  for (let copy = 0; out.join('\n').length < 600_000; copy++) {
    for (const line of lines) {
      const c = JSON.parse(line) as { id?: string };
      out.push(JSON.stringify({ ...c, id: `${c.id ?? 'case'}-${copy}` }));
    }
  }
  const file = path.join(tempDir(), 'synthetic-600k.cases.jsonl');
  fs.writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

const client = () => createModalClient(server.credentials);

describe('Modal stand-in, through the real SDK', () => {
  it('a 600 KB dataset goes up as a blob (BlobCreate + upload URL) and reaches the function whole', async () => {
    const store = tempStore();
    const jobs = service(store);
    const file = syntheticDataset();
    expect(fs.statSync(file).size).toBeGreaterThan(600_000);
    const uploads = server.blobs.uploads;
    const run = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: file } });
    const create = server.callsOf('BlobCreate').at(-1);
    expect(Number(create?.request['contentLength'])).toBeGreaterThan(600_000);
    expect(server.blobs.uploads).toBe(uploads + 1);
    const call = server.functionCalls.get(store.read(run.id)?.modal?.functionCallId ?? '');
    expect((call?.args[0] as Record<string, unknown>)['dataset_text']).toBe(fs.readFileSync(file, 'utf8'));
    server.complete(call?.id ?? '', { state: 'succeeded' });
    expect((await jobs.wait(run.id))?.state).toBe('succeeded');
    jobs.dispose();
  });

  it('a result over the inline limit comes down as a blob', async () => {
    const big = 'x'.repeat(50_000);
    server.deploy('standin', 'big', () => ({ big }));
    const saved = server.outputInlineMaxBytes;
    server.outputInlineMaxBytes = 10_000;
    try {
      const fn = await (await client()).functions.fromName('standin', 'big');
      expect(await fn.remote([{}])).toEqual({ big });
      expect(server.callsOf('BlobGet').length).toBeGreaterThan(0);
    } finally {
      server.outputInlineMaxBytes = saved;
    }
  });

  it('a queue partition holds 5,000 items: a put past the cap fails (QueueFullError once its timeout passes)', async () => {
    const queue = await (await client()).queues.fromName('standin-cap', { createIfMissing: true });
    await queue.putMany(
      Array.from({ length: 4_999 }, (_, i) => i),
      { partition: 'p' },
    );
    await queue.put(4_999, { partition: 'p' });
    expect(await queue.len({ partition: 'p' })).toBe(5_000);
    await expect(queue.put('one more', { partition: 'p', timeoutMs: 200 })).rejects.toBeInstanceOf(QueueFullError);
    expect(server.callsOf('QueuePut').length).toBeGreaterThan(2); // the SDK retried RESOURCE_EXHAUSTED until its timeout
    await queue.put('other partition', { partition: 'q' }); // the cap is per partition
    await queue.clear({ partition: 'p' });
    expect(await queue.len({ partition: 'p' })).toBe(0);
  });

  it('a partition expires after its TTL since the last put; a reader’s place survives the items before it going', async () => {
    const queue = await (await client()).queues.fromName('standin-ttl', { createIfMissing: true });
    let now = Date.now();
    server.now = () => now;
    try {
      await queue.put('a', { partition: 'p', partitionTtlMs: 60_000 });
      now += 30_000;
      await queue.put('b', { partition: 'p', partitionTtlMs: 60_000 }); // a put renews the partition's TTL
      now += 45_000;
      expect(await queue.len({ partition: 'p' })).toBe(2);
      now += 15_000;
      expect(await queue.len({ partition: 'p' })).toBe(0);
      const read = [];
      for await (const v of queue.iterate({ partition: 'p' })) read.push(v);
      expect(read).toEqual([]);
    } finally {
      server.now = () => Date.now();
    }
  });

  it('remote() retries an internal failure (FunctionRetryInputs); an init failure or an exception is a RemoteError', async () => {
    let attempts = 0;
    server.deploy('standin', 'flaky', () => {
      attempts++;
      if (attempts === 1) throw Object.assign(new Error('worker lost'), { genericStatus: 6 });
      return { ok: true };
    });
    server.deploy('standin', 'broken', () => {
      throw Object.assign(new Error("No module named 'jsonschema'"), { name: 'ModuleNotFoundError', genericStatus: 5 });
    });
    server.deploy('standin', 'raises', () => {
      throw new TypeError('bad config');
    });
    const c = await client();
    expect(await (await c.functions.fromName('standin', 'flaky')).remote([{}])).toEqual({ ok: true });
    expect(attempts).toBe(2);
    expect(server.callsOf('FunctionRetryInputs')).toHaveLength(1);
    await expect((await c.functions.fromName('standin', 'broken')).remote([{}])).rejects.toThrow(/jsonschema/);
    await expect((await c.functions.fromName('standin', 'raises')).remote([{}])).rejects.toThrow(
      /TypeError: bad config/,
    );
  });

  it('a preempted call is retried by Modal: the body runs again and the caller sees only the last attempt', async () => {
    const seen: unknown[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    server.deploy('standin', 'long', async (args) => {
      seen.push(args[0]);
      const attempt = seen.length;
      await (attempt === 1 ? gate : new Promise((r) => setTimeout(r, 200))); // attempt 1 is running when its container goes
      return { attempt };
    });
    const call = await (await (await client()).functions.fromName('standin', 'long')).spawn([{ run_id: 'r-1' }]);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.preempt(call.functionCallId)).toBe(2);
    release(); // the lost attempt's late answer is not the call's
    expect(await call.get({ timeoutMs: 5_000 })).toEqual({ attempt: 2 });
    expect(seen).toEqual([{ run_id: 'r-1' }, { run_id: 'r-1' }]); // the same input, run id and all
  });

  it('a spawned run whose container fails to start is recorded failed, with the reason', async () => {
    const store = tempStore();
    const jobs = service(store);
    const file = path.join(tempDir(), 'one.cases.jsonl');
    fs.writeFileSync(file, '{"seed":{"event":"e","date":"2024-01-01"},"levels":[]}\n');
    const run = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: file } });
    server.initFailure(
      store.read(run.id)?.modal?.functionCallId ?? '',
      "ModuleNotFoundError: No module named 'unsloth'",
    );
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('failed');
    expect(final?.error).toMatch(/unsloth/);
    jobs.dispose();
  });
});
