// The Modal backend with the real `modal` JS SDK (0.11.1), pointed by MODAL_SERVER_URL at a local
// gRPC server speaking Modal's API proto (test/modalServer). The server records what the SDK sends
// and plays the deployed app: it returns results, holds the events queue, drops streams on cue.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModalBackend, MODAL_EVENTS_QUEUE, createModalClient } from '../../../src/jobs/backends/modal';
import { JobService } from '../../../src/jobs/jobService';
import { JobError } from '../../../src/jobs/errors';
import type { RunStore } from '../../../src/jobs/runStore';
import { FakeModalServer } from '../../modalServer/server';
import { statusEvent, tempDir, tempStore, trainEvent, until } from './builders';

let server: FakeModalServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  server = new FakeModalServer();
  process.env['MODAL_SERVER_URL'] = await server.start();
  delete process.env['MODAL_TOKEN_ID'];
  delete process.env['MODAL_TOKEN_SECRET'];
  server.deploy('psychohistory', 'sft');
  server.deploy('psychohistory', 'evaluate');
  server.deploy('psychohistory', 'grpo');
});

afterAll(async () => {
  await server.stop();
  process.env = savedEnv;
});

function service(store: RunStore, credentials = server.credentials) {
  const jobs = new JobService(store);
  const logs: string[] = [];
  jobs.addBackend(
    new ModalBackend({
      store,
      client: () => createModalClient(credentials),
      resultPollMs: 500,
      eventPollMs: 2000,
      logGraceMs: 300,
      passivePollMs: 100,
      retryBaseMs: 50,
      hooks: { changed: (id, ev) => jobs.notify(id, ev), log: (m) => logs.push(m) },
    }),
  );
  return { jobs, logs };
}

function dataset(): string {
  const file = path.join(tempDir(), 'train.cases.jsonl');
  fs.writeFileSync(file, '{"id":"c1","seed":{"event":"e","date":"2024-01-01"},"levels":[]}\n');
  return file;
}

describe('Modal backend against a local Modal API server', () => {
  it('spawns psychohistory.sft with the config and dataset text, follows events, records the result', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const file = dataset();
    const run = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: file, num_epochs: 2, lora_rank: 8, gpu: 'A10G' } });

    // What the SDK sent: the right app and function, one dict argument with our config.
    const lookup = server.callsOf('FunctionGet').at(-1);
    expect(lookup?.request).toMatchObject({ appName: 'psychohistory', objectTag: 'sft' });
    expect(lookup?.metadata['x-modal-token-id']).toBe('ak-test');
    const record = store.read(run.id);
    const callId = record?.modal?.functionCallId ?? '';
    expect(record).toMatchObject({ state: 'running', modal: { appName: 'psychohistory', functionName: 'sft' } });
    const call = server.functionCalls.get(callId);
    expect(call?.args).toEqual([
      { dataset: file, num_epochs: 2, lora_rank: 8, gpu: 'A10G', run_id: run.id, dataset_text: fs.readFileSync(file, 'utf8') },
    ]);
    expect(call?.kwargs).toEqual({});
    // The dataset text goes to Modal, not into run.json.
    expect(record?.config['dataset_text']).toBeUndefined();

    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, statusEvent('running'));
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(1));
    server.log(callId, 'Loading openai/gpt-oss-20b\n');
    server.log(callId, 'CUDA warning: something\n', 2);
    server.putQueueItem(MODAL_EVENTS_QUEUE, 'another-run', trainEvent(7));
    await until(() => store.readEvents(run.id).items.length === 2, 10_000, 'two events');
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, { type: 'cost', gpu: 'A10G', seconds: 120, usd: 0.04, time: '2026-01-01T00:02:00Z' });
    server.complete(callId, { adapter_path: '/data/models/sft/x/final', steps: 1 });

    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('succeeded');
    expect(final?.cost).toEqual({ gpu: 'A10G', seconds: 120, usd: 0.04 });
    expect(store.readEvents(run.id).items.map((e) => e.type)).toEqual(['status', 'train', 'cost']);
    expect(store.readLog(run.id)).toMatch(/adapter_path/);
    expect(store.readLog(run.id)).toMatch(/Loading openai\/gpt-oss-20b\nCUDA warning/);
    expect(server.callsOf('AppGetLogs').at(-1)?.request).toMatchObject({ functionCallId: callId });
    jobs.dispose();
  });

  it('maps evaluation to the `evaluate` function and records a remote failure', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const run = await jobs.launch({ kind: 'eval', backend: 'modal', config: { dataset: dataset() } });
    expect(server.callsOf('FunctionGet').at(-1)?.request).toMatchObject({ objectTag: 'evaluate' });
    server.fail(store.read(run.id)?.modal?.functionCallId ?? '', 'ValueError: no eval split');
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('failed');
    expect(final?.error).toMatch(/no eval split/);
    jobs.dispose();
  });

  it('reattaches by function call id after a reload and cancels', async () => {
    const store = tempStore();
    const first = service(store);
    const run = await first.jobs.launch({ kind: 'grpo', backend: 'modal', config: { dataset: dataset() } });
    const callId = store.read(run.id)?.modal?.functionCallId ?? '';
    server.log(callId, 'line before reload\n');
    await until(() => store.readLog(run.id).includes('line before reload'), 10_000, 'first log line');
    first.jobs.dispose(); // reload

    const second = service(store);
    expect(second.jobs.reattachAll().map((r) => r.id)).toEqual([run.id]);
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(3));
    server.log(callId, 'line after reload\n');
    await until(() => store.readEvents(run.id).items.length === 1, 10_000, 'event after reattach');
    await until(() => store.readLog(run.id).includes('line after reload'), 10_000, 'log after reattach');
    // The reattached stream starts over from the first line; each line is still written once.
    expect(store.readLog(run.id).match(/line before reload/g)).toHaveLength(1);
    const final = await second.jobs.cancel(run.id);
    expect(final?.state).toBe('cancelled');
    const cancel = server.callsOf('FunctionCallCancel').at(-1);
    expect(cancel?.request).toMatchObject({ functionCallId: callId, terminateContainers: true });
    expect(server.functionCalls.get(callId)?.cancelled).toBe(true);
    // The follower sees the terminated call but must not turn "cancelled" into "failed".
    await new Promise((r) => setTimeout(r, 800));
    expect(store.read(run.id)?.state).toBe('cancelled');
    second.jobs.dispose();
  });

  it('resumes a dropped event stream without writing any event twice', async () => {
    const store = tempStore();
    const { jobs, logs } = service(store);
    const run = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: dataset() } });
    for (const step of [1, 2, 3]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    await until(() => store.readEvents(run.id).items.length === 3, 10_000, 'first events');
    // Drop the stream for longer than the SDK's own retries: our loop restarts the iteration,
    // which starts over from the first item of the partition.
    server.failNext('QueueNextItems', grpc.status.UNAVAILABLE, 'connection reset', 5, FakeModalServer.readsPartition(run.id));
    await until(() => logs.some((l) => /event stream dropped/.test(l)), 15_000, 'the drop to reach the backend');
    for (const step of [4, 5]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    await until(() => store.readEvents(run.id).items.length >= 5, 15_000, 'events after the drop');
    // The restarted iteration really did start over from the first item.
    const reads = server.callsOf('QueueNextItems').filter((c) => FakeModalServer.readsPartition(run.id)(c.request));
    expect(reads.filter((c) => c.request['lastEntryId'] === '').length).toBeGreaterThan(1);
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, statusEvent('succeeded'));
    server.complete(store.read(run.id)?.modal?.functionCallId ?? '', {});
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('succeeded');
    const steps = store.readEvents(run.id).items.map((e) => (e.type === 'train' ? e.step : e.type));
    expect(steps).toEqual([1, 2, 3, 4, 5, 'status']);
    jobs.dispose();
  });

  it('two windows follow one run: each event and log line is written once, and the second takes over when the first goes', async () => {
    const store = tempStore();
    const windowA = service(store);
    const run = await windowA.jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: dataset() } });
    const callId = store.read(run.id)?.modal?.functionCallId ?? '';
    const windowB = service(store);
    expect(windowB.jobs.reattachAll().map((r) => r.id)).toEqual([run.id]);
    for (const step of [1, 2, 3]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    server.log(callId, 'hello from the container\n');
    await until(() => store.readEvents(run.id).items.length === 3 && store.readLog(run.id).includes('hello'), 10_000, 'events and logs');
    await new Promise((r) => setTimeout(r, 500)); // time for a second writer, if there were one, to write
    expect(store.readEvents(run.id).items).toHaveLength(3);
    expect(store.readLog(run.id).match(/hello from the container/g)).toHaveLength(1);

    windowA.jobs.dispose(); // window A closes; B takes over
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(4));
    await until(() => store.readEvents(run.id).items.length === 4, 10_000, 'event copied by window B');
    server.complete(callId, {});
    expect((await windowB.jobs.wait(run.id))?.state).toBe('succeeded');
    expect(store.readEvents(run.id).items.map((e) => e.type === 'train' && e.step)).toEqual([1, 2, 3, 4]);
    expect(store.readLog(run.id).match(/hello from the container/g)).toHaveLength(1);
    expect(fs.existsSync(path.join(store.runDir(run.id), '.follower.lock'))).toBe(false);
    windowB.jobs.dispose();
  });

  it('app not deployed → JobError with the "Deploy Modal App" action; the run record stays, failed', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const err = await jobs.launch({ kind: 'generate', backend: 'modal', config: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect(err).toMatchObject({ kind: 'app-not-deployed', action: 'deployModalApp' });
    const [run] = store.list();
    expect(run).toMatchObject({ kind: 'generate', state: 'failed' });
    expect(server.callsOf('FunctionGet').at(-1)?.request).toMatchObject({ objectTag: 'generate' });
  });

  it('bad token → JobError with the "Set Modal Token" action', async () => {
    const store = tempStore();
    const { jobs } = service(store, { tokenId: 'ak-test', tokenSecret: 'wrong' });
    const err = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: dataset() } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', action: 'setModalToken' });
    expect(server.callsOf('AuthTokenGet').at(-1)?.metadata['x-modal-token-secret']).toBe('wrong');
    expect(store.list()[0]?.state).toBe('failed');
  });

  it('GPU quota exhausted → says so and keeps the run record', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    server.failNext('FunctionMap', grpc.status.RESOURCE_EXHAUSTED, 'GPU quota exceeded for A100-80GB');
    const err = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: dataset() } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'quota' });
    expect(store.list()[0]).toMatchObject({ state: 'failed' });
    expect(store.list()[0]?.error).toMatch(/quota/);
  });
});
