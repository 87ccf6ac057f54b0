// Job UX around the Modal backend: the dashboard link, follow failures told once per run as a
// warning, Set Modal Token's check against the stand-in, and the Modal environment setting reaching
// the SDK's calls.
import * as grpc from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { MODAL_EVENTS_QUEUE, checkModalToken, createModalClient } from '../../../src/jobs/backends/modal';
import { modalDashboardUrl } from '../../../src/jobs/modalDashboard';
import { FollowWarnings } from '../../../src/jobs/followWarnings';
import { runRow } from '../../../src/views/runsTreeModel';
import { FakeModalServer } from '../../modalServer/server';
import { aRun, statusEvent, tempStore, trainEvent, until } from './builders';
import { modalService, oneCaseDataset, useModalStandIn } from './harness';

const server = useModalStandIn({ deploy: ['sft'], env: { MODAL_ENVIRONMENT: undefined } });

describe('Modal dashboard link', () => {
  const modalRun = aRun({
    backend: 'modal',
    modal: { appName: 'psychohistory', functionName: 'sft', functionCallId: 'fc-01ABC' },
  });

  it('links a Modal call by its id, and nothing else', () => {
    expect(modalDashboardUrl(modalRun)).toBe('https://modal.com/id/fc-01ABC');
    expect(modalDashboardUrl(aRun())).toBeUndefined();
    expect(modalDashboardUrl(aRun({ backend: 'modal' }))).toBeUndefined();
    expect(
      modalDashboardUrl(
        aRun({ backend: 'modal', modal: { appName: 'a', functionName: 'b', functionCallId: 'fc-1/../x?y' } }),
      ),
    ).toBeUndefined();
  });

  it('the Runs row carries it in the tooltip and in the context value the menu matches', () => {
    const row = runRow(modalRun, '/ws/.psychohistory/runs');
    expect(row.modalUrl).toBe('https://modal.com/id/fc-01ABC');
    expect(row.tooltip).toContain('Modal: https://modal.com/id/fc-01ABC');
    expect(row.contextValue).toBe('run.running.modal.active');
    const menu = /^run\.[a-z]+\.modal/;
    expect(menu.test(row.contextValue)).toBe(true);
    expect(menu.test(runRow(aRun(), '/ws/r').contextValue)).toBe(false);
    expect(runRow({ ...modalRun, state: 'succeeded' }, '/ws/r').contextValue).toBe('run.succeeded.modal');
  });
});

describe('follow failures', () => {
  it('FollowWarnings shows the first warning of a run only', () => {
    const shown: string[] = [];
    const warnings = new FollowWarnings((id, m) => shown.push(`${id}: ${m}`));
    expect(warnings.warn('a', 'stream dropped')).toBe(true);
    expect(warnings.warn('a', 'stream dropped again')).toBe(false);
    expect(warnings.warn('b', 'log stream failed')).toBe(true);
    warnings.reset('a');
    warnings.warn('a', 'after a restart');
    expect(shown).toEqual(['a: stream dropped', 'b: log stream failed', 'a: after a restart']);
  });

  it('a dropped Modal event stream is reported as a warning, once per run, while the follow retries', async () => {
    const store = tempStore();
    const shown: string[] = [];
    const warnings = new FollowWarnings((id, m) => shown.push(`${id}: ${m}`));
    const warned: string[] = [];
    const { jobs } = modalService(store, {
      credentials: server.credentials,
      warn: (id, m) => {
        warned.push(m);
        warnings.warn(id, m);
      },
    });
    const run = await jobs.launch({ kind: 'sft', backend: 'modal', config: { dataset: oneCaseDataset() } });
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, trainEvent(1));
    await until(() => store.readEvents(run.id).items.length === 1, 10_000, 'first event');
    server.failNext(
      'QueueNextItems',
      grpc.status.UNAVAILABLE,
      'connection reset',
      10,
      FakeModalServer.readsPartition(run.id),
    );
    await until(() => warned.length >= 2, 20_000, 'two failed reads');
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(new RegExp(`^${run.id}: .*event stream failed.*connection reset`));
    server.putQueueItem(MODAL_EVENTS_QUEUE, run.id, statusEvent('succeeded'));
    server.complete(store.read(run.id)?.modal?.functionCallId ?? '', {});
    expect((await jobs.wait(run.id))?.state).toBe('succeeded');
    jobs.dispose();
  });
});

describe('Set Modal Token checks the token', () => {
  it('accepts a token Modal accepts', async () => {
    const client = await createModalClient(server.credentials);
    expect(await checkModalToken(client)).toEqual({ ok: true });
    client.close();
  });

  it('accepts a good token when the app is not deployed yet, and says so', async () => {
    const client = await createModalClient(server.credentials);
    const check = await checkModalToken(client, 'not-deployed-app');
    expect(check).toMatchObject({ ok: true, note: expect.stringMatching(/not deployed/) });
    client.close();
  });

  it('refuses a token Modal rejects, with a clear message', async () => {
    const client = await createModalClient({ tokenId: 'ak-wrong', tokenSecret: 'as-wrong' });
    const check = await checkModalToken(client);
    expect(check).toMatchObject({
      ok: false,
      kind: 'auth',
      message: expect.stringMatching(/Modal rejected this token/),
    });
    client.close();
  });
});

describe('Modal environment setting', () => {
  it('names the environment in the SDK calls, and leaves the default when empty', async () => {
    const before = server.callsOf('FunctionGet').length;
    const staging = await createModalClient(server.credentials, ' staging ');
    await checkModalToken(staging);
    staging.close();
    const plain = await createModalClient(server.credentials, '');
    await checkModalToken(plain);
    plain.close();
    const [withEnv, withoutEnv] = server.callsOf('FunctionGet').slice(before);
    expect(withEnv?.request['environmentName']).toBe('staging');
    expect(withoutEnv?.request['environmentName'] ?? '').toBe('');
  });
});
