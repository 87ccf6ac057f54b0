// The Modal backend with the real `modal` JS SDK (0.11.1), pointed by MODAL_SERVER_URL at a local
// gRPC server speaking Modal's API proto (test/modalServer). The server records what the SDK sends
// and plays the deployed app: it returns results, holds the events queue, drops streams on cue.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { Function_ } from 'modal';
import { MODAL_EVENTS_QUEUE, createModalClient } from '../../../src/jobs/backends/modal';
import type { JobService } from '../../../src/jobs/jobService';
import { JobError } from '../../../src/jobs/errors';
import type { RunStore } from '../../../src/runs/runStore';
import type { RunKind } from '../../../src/contracts/run';
import { FakeModalServer } from '../../modalServer/server';
import { statusEvent, tempStore, trainEvent, until } from './builders';
import { callIdOf, launchOnModal, modalService, oneCaseDataset as dataset, useModalStandIn } from './harness';

const server = useModalStandIn({ deploy: ['sft', 'evaluate', 'grpo'] });
const service = (store: RunStore, credentials = server.credentials) => modalService(store, { credentials });

/**
 * A run of `kind` launched on Modal by one window (its job service, `jobs` and `logs` its parts) over a
 * fresh store, with the function call it was spawned as.
 */
async function launched(kind: RunKind, config: Record<string, unknown> = {}) {
  const store = tempStore();
  const window = service(store);
  const run = await launchOnModal(window.jobs, kind, config);
  return { store, window, ...window, run, callId: callIdOf(store, run.id) };
}

/** Another window over `store` (a reload, a second VS Code) that reattaches to `runId` and to no other run. */
function reattachingWindow(store: RunStore, runId: string): ReturnType<typeof service> {
  const window = service(store);
  expect(window.jobs.reattachAll().map((r) => r.id)).toEqual([runId]);
  return window;
}

describe('Modal backend against a local Modal API server', () => {
  it('spawns psychohistory.sft with the config and dataset text, follows events, records the result', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const file = dataset();
    const run = await jobs.launch({
      kind: 'sft',
      backend: 'modal',
      config: { dataset: file, num_epochs: 2, lora_rank: 8, gpu: 'A10G' },
    });

    // What the SDK sent: the right app and function, one dict argument with our config.
    const lookup = server.callsOf('FunctionGet').at(-1);
    expect(lookup?.request).toMatchObject({ appName: 'psychohistory', objectTag: 'sft' });
    expect(lookup?.metadata['x-modal-token-id']).toBe('ak-test');
    const record = store.read(run.id);
    const callId = record?.modal?.functionCallId ?? '';
    expect(record).toMatchObject({ state: 'running', modal: { appName: 'psychohistory', functionName: 'sft' } });
    const call = server.functionCalls.get(callId);
    expect(call?.args).toEqual([
      {
        dataset: file,
        num_epochs: 2,
        lora_rank: 8,
        gpu: 'A10G',
        run_id: run.id,
        dataset_text: fs.readFileSync(file, 'utf8'),
      },
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
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, {
      type: 'cost',
      gpu: 'A10G',
      seconds: 120,
      usd: 0.04,
      time: '2026-01-01T00:02:00Z',
    });
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
    const { jobs, run, callId } = await launched('eval');
    expect(server.callsOf('FunctionGet').at(-1)?.request).toMatchObject({ objectTag: 'evaluate' });
    server.fail(callId, 'ValueError: no eval split');
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('failed');
    expect(final?.error).toMatch(/no eval split/);
    jobs.dispose();
  });

  it('reattaches by function call id after a reload and cancels', async () => {
    const { store, window: first, run, callId } = await launched('grpo');
    server.log(callId, 'line before reload\n');
    await until(() => store.readLog(run.id).includes('line before reload'), 10_000, 'first log line');
    first.jobs.dispose(); // reload

    const second = reattachingWindow(store, run.id);
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
    const { store, jobs, logs, run, callId } = await launched('sft');
    for (const step of [1, 2, 3]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    await until(() => store.readEvents(run.id).items.length === 3, 10_000, 'first events');
    // Drop the stream for longer than the SDK's own retries: our loop restarts the iteration,
    // which starts over from the first item of the partition.
    server.failNext(
      'QueueNextItems',
      grpc.status.UNAVAILABLE,
      'connection reset',
      5,
      FakeModalServer.readsPartition(run.id),
    );
    await until(() => logs.some((l) => /event stream dropped/.test(l)), 15_000, 'the drop to reach the backend');
    for (const step of [4, 5]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    await until(() => store.readEvents(run.id).items.length >= 5, 15_000, 'events after the drop');
    // The restarted iteration really did start over from the first item.
    const reads = server.callsOf('QueueNextItems').filter((c) => FakeModalServer.readsPartition(run.id)(c.request));
    expect(reads.filter((c) => c.request['lastEntryId'] === '').length).toBeGreaterThan(1);
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, statusEvent('succeeded'));
    server.complete(callId, {});
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('succeeded');
    const steps = store.readEvents(run.id).items.map((e) => (e.type === 'train' ? e.step : e.type));
    expect(steps).toEqual([1, 2, 3, 4, 5, 'status']);
    jobs.dispose();
  });

  it('two windows follow one run: each event and log line is written once, and the second takes over when the first goes', async () => {
    const { store, window: windowA, run, callId } = await launched('sft');
    const windowB = reattachingWindow(store, run.id);
    for (const step of [1, 2, 3]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
    server.log(callId, 'hello from the container\n');
    await until(
      () => store.readEvents(run.id).items.length === 3 && store.readLog(run.id).includes('hello'),
      10_000,
      'events and logs',
    );
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

  it('a run cancelled while its launch is still spawning stays cancelled, and the spawned call is cancelled', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const launching = launchOnModal(jobs, 'sft');
    const [queued] = store.list(); // created at once; the spawn is still on its way
    expect(queued?.state).toBe('queued');
    const cancelled = await jobs.cancel(queued?.id ?? '');
    expect(cancelled?.state).toBe('cancelled');
    await launching.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    const record = store.read(queued?.id ?? '');
    expect(record?.state).toBe('cancelled');
    // Whatever was spawned for it does not go on running (and billing) unseen.
    const spawned = [...server.functionCalls.values()].filter(
      (c) => (c.args[0] as { run_id?: string }).run_id === queued?.id,
    );
    expect(spawned.every((c) => c.cancelled)).toBe(true);
    jobs.dispose();
  });

  it('a run cancelled elsewhere while the spawn is in flight stays cancelled, and the new call is cancelled', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const spawn = Function_.prototype.spawn;
    // Another window (or the CLI) cancels the queued run while FunctionMap is on its way.
    Function_.prototype.spawn = async function (this: Function_, ...args: Parameters<typeof spawn>) {
      const call = await spawn.apply(this, args);
      const [queued] = store.list();
      await service(store).jobs.cancel(queued?.id ?? '');
      return call;
    };
    try {
      const run = await launchOnModal(jobs, 'sft').catch(() => store.list()[0]);
      await new Promise((r) => setTimeout(r, 300));
      const record = store.read(run?.id ?? '');
      expect(record?.state).toBe('cancelled');
      expect(server.functionCalls.get(record?.modal?.functionCallId ?? '')?.cancelled).toBe(true);
    } finally {
      Function_.prototype.spawn = spawn;
      jobs.dispose();
    }
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
    const err = await launchOnModal(jobs, 'sft').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'auth', action: 'setModalToken' });
    expect(server.callsOf('AuthTokenGet').at(-1)?.metadata['x-modal-token-secret']).toBe('wrong');
    expect(store.list()[0]?.state).toBe('failed');
  });

  it('GPU quota exhausted → says so and keeps the run record', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    server.failNext('FunctionMap', grpc.status.RESOURCE_EXHAUSTED, 'GPU quota exceeded for A100-80GB');
    const err = await launchOnModal(jobs, 'sft').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'quota' });
    expect(store.list()[0]).toMatchObject({ state: 'failed' });
    expect(store.list()[0]?.error).toMatch(/quota/);
  });
});

// Issue 12: the recorded end is the job's own, live and when a window attaches after the end.
type End =
  | 'succeeded'
  | 'failed by return'
  | 'cancelled by return'
  | 'failed by exception'
  | 'cancelled here'
  | 'cancelled elsewhere'
  | 'timed out';
const ENDS: { end: End; state: string; error?: RegExp }[] = [
  { end: 'succeeded', state: 'succeeded' },
  { end: 'failed by return', state: 'failed', error: /unknown config key: lora_rnak/ },
  { end: 'cancelled by return', state: 'cancelled', error: /resume from/ },
  { end: 'failed by exception', state: 'failed', error: /ValueError: no eval split/ },
  { end: 'cancelled here', state: 'cancelled' },
  { end: 'cancelled elsewhere', state: 'cancelled' },
  { end: 'timed out', state: 'failed', error: /Timed out/ },
];

/** Make the run end the way `end` says; `jobs` is the window that cancels "here". */
async function endRun(end: End, store: RunStore, runId: string, jobs: JobService): Promise<void> {
  const callId = callIdOf(store, runId);
  if (end === 'succeeded')
    server.complete(callId, { runId, state: 'succeeded', error: null, seconds: 12, cost: { gpu: 'H100', usd: 0.01 } });
  else if (end === 'failed by return')
    server.complete(callId, { runId, state: 'failed', error: 'ConfigError: unknown config key: lora_rnak' });
  else if (end === 'cancelled by return')
    server.complete(callId, {
      runId,
      state: 'cancelled',
      error: 'cancelled (SIGTERM); resume from /data/models/sft/x/checkpoint-10',
    });
  else if (end === 'failed by exception') server.fail(callId, 'ValueError: no eval split');
  else if (end === 'cancelled here') await jobs.cancel(runId);
  else if (end === 'cancelled elsewhere')
    await (
      await (await createModalClient(server.credentials)).functionCalls.fromId(callId)
    ).cancel({ terminateContainers: true });
  else server.timeOut(callId);
}

describe('Modal backend: each end is recorded as the job’s own', () => {
  for (const { end, state, error } of ENDS) {
    it(`${end}, followed live: ${state}, with every event on disk before the end is written`, async () => {
      const store = tempStore();
      const { jobs } = service(store);
      const run = await launchOnModal(jobs, 'sft', { gpu: 'H100' });
      // The final events arrive late (a dropped read), yet the end waits for them.
      server.failNext(
        'QueueNextItems',
        grpc.status.UNAVAILABLE,
        'connection reset',
        2,
        FakeModalServer.readsPartition(run.id),
      );
      let eventsAtEnd = -1;
      jobs.onDidChange(({ runId }) => {
        const record = store.read(runId);
        if (eventsAtEnd < 0 && record && ['succeeded', 'failed', 'cancelled'].includes(record.state))
          eventsAtEnd = store.readEvents(runId).items.length;
      });
      for (const step of [1, 2, 3]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
      await endRun(end, store, run.id, jobs);
      const final = await jobs.wait(run.id);
      expect(final?.state).toBe(state);
      if (error) expect(final?.error).toMatch(error);
      else expect(final?.error).toBeUndefined();
      if (end !== 'cancelled here') expect(eventsAtEnd).toBe(3);
      await new Promise((r) => setTimeout(r, 300)); // a late follower must not change the verdict
      expect(store.read(run.id)?.state).toBe(state);
      jobs.dispose();
    });

    it(`${end}, attached after the end (reload): ${state}`, async () => {
      const store = tempStore();
      const first = service(store);
      const run = await launchOnModal(first.jobs, 'sft', { gpu: 'H100' });
      first.jobs.dispose(); // the window closes; the run goes on and ends with nobody watching
      for (const step of [1, 2]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
      const other = service(store);
      await endRun(end, store, run.id, other.jobs);
      other.jobs.dispose();

      const second = service(store);
      second.jobs.reattachAll();
      const final = await second.jobs.wait(run.id);
      expect(final?.state).toBe(state);
      if (error) expect(final?.error).toMatch(error);
      if (end !== 'cancelled here') expect(store.readEvents(run.id).items).toHaveLength(2);
      second.jobs.dispose();
    });
  }

  for (const end of ['succeeded', 'failed by exception'] as const) {
    it(`cancel of a run that already ended unseen (${end}) records the job's own end, not cancelled`, async () => {
      const store = tempStore();
      const first = service(store);
      const run = await launchOnModal(first.jobs, 'sft', { gpu: 'H100' });
      first.jobs.dispose(); // nobody follows it now (the window closed; the CLI does not reattach)
      for (const step of [1, 2]) server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(step));
      const cli = service(store);
      await endRun(end, store, run.id, cli.jobs);
      const final = await cli.jobs.cancel(run.id);
      const expected = ENDS.find((e) => e.end === end);
      expect(final?.state).toBe(expected?.state);
      if (expected?.error) expect(final?.error).toMatch(expected.error);
      if (end === 'succeeded') expect(final?.cost).toEqual({ gpu: 'H100', seconds: 12, usd: 0.01 });
      expect(store.readEvents(run.id).items).toHaveLength(2);
      expect(server.functionCalls.get(callIdOf(store, run.id))?.cancelled).toBe(false);
      cli.jobs.dispose();
    });
  }

  it('spawns on the GPU the run names (withOptions) and prices that GPU', async () => {
    const { jobs, run, callId } = await launched('sft', { gpu: 'H100' });
    const bind = server.callsOf('FunctionBindParams').at(-1);
    expect(bind?.request).toMatchObject({
      functionOptions: { resources: { gpuConfig: { gpuType: 'H100', count: 1 } } },
    });
    expect(server.functionCalls.get(callId)?.gpu).toBe('H100');
    expect(server.functionCalls.get(callId)?.args[0]).toMatchObject({ gpu: 'H100', run_id: run.id });
    server.fail(callId, 'RuntimeError: CUDA error'); // no cost event came: the estimate prices the GPU that ran
    const final = await jobs.wait(run.id);
    expect(final?.cost?.gpu).toBe('H100');
    jobs.dispose();
  });

  it('a run that names no GPU runs on, and is priced for, the deployment default', async () => {
    const { jobs, run, callId } = await launched('eval');
    expect(server.functionCalls.get(callId)?.gpu).toBe('A100-80GB');
    server.complete(callId, {});
    expect((await jobs.wait(run.id))?.cost?.gpu).toBe('A100-80GB');
    jobs.dispose();
  });
});
