// The one run store's rules (issue 12, item 6), each met by every feature that reads runs: the jobs
// (cancel, reattach), the CLI (runs, logs), the dashboard listing.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../src/contracts/run';
import { JobService } from '../../../src/jobs/jobService';
import type { JobBackend, Watch } from '../../../src/jobs/backend';
import { listRuns, RunStore, RunStoreError, type RunProblem } from '../../../src/runs/runStore';
import { loadRun } from '../../../src/dashboard/runSnapshot';
import { aRun, tempDir } from '../jobs/builders';
import { runCliIn as cli } from '../jobs/harness';

/** A store in a fresh workspace, and what it reported. */
function storeIn(): { ws: string; store: RunStore; problems: RunProblem[] } {
  const ws = tempDir('ph-runstore-');
  const problems: RunProblem[] = [];
  const store = new RunStore(path.join(ws, '.psychohistory', 'runs'), { report: (p) => problems.push(p) });
  fs.mkdirSync(store.root, { recursive: true });
  return { ws, store, problems };
}

/** Writes run.json by hand into runs/<folder>/ (what a hand edit, a copy or an attacker does). */
function writeRecord(store: RunStore, folder: string, record: RunRecord): string {
  const dir = path.join(store.root, folder);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(record));
  return dir;
}

/** A backend that records what it was asked, and can be told to throw for one run. */
function fakeBackend(name: 'local' | 'modal', calls: string[], throwFor?: string): JobBackend {
  const idle: Watch = { done: new Promise(() => undefined), dispose: () => undefined };
  return {
    name,
    start: () => Promise.resolve(idle),
    attach: (run) => {
      calls.push(`attach ${run.id}`);
      if (run.id === throwFor) throw new Error('cannot reach it');
      return idle;
    },
    cancel: (run) => {
      calls.push(`cancel ${run.id}`);
      return Promise.resolve({ ...run, state: 'cancelled' });
    },
  } as JobBackend;
}

describe('a record whose id is not its folder', () => {
  it('is reported and skipped: cancel of that folder does not act on the run it names', async () => {
    const { store, problems } = storeIn();
    writeRecord(store, 'sft-b', aRun({ id: 'sft-b', backend: 'modal' }));
    writeRecord(store, 'sft-a', aRun({ id: 'sft-b', backend: 'modal', createdAt: '2026-01-02T00:00:00.000Z' }));
    expect(store.read('sft-a')).toBeUndefined();
    expect(store.list().map((r) => r.id)).toEqual(['sft-b']);
    expect(problems).toEqual([{ id: 'sft-a', reason: 'run.json names another run (id "sft-b")' }]);

    const calls: string[] = [];
    const jobs = new JobService(store);
    jobs.addBackend(fakeBackend('modal', calls));
    await expect(jobs.cancel('sft-a')).rejects.toThrow(/No run sft-a/);
    expect(calls).toEqual([]);
    expect(store.read('sft-b')?.state).toBe('running');
  });

  it('is not listed by the dashboard either', async () => {
    const { ws, store } = storeIn();
    writeRecord(store, 'sft-b', aRun({ id: 'sft-b' }));
    writeRecord(store, 'sft-a', aRun({ id: 'sft-b' }));
    const reported: RunProblem[] = [];
    expect((await listRuns(ws, (p) => reported.push(p))).map((r) => r.id)).toEqual(['sft-b']);
    expect(reported.map((p) => p.id)).toEqual(['sft-a']);
    expect((await loadRun(path.join(store.root, 'sft-a'))).snapshot.notices[0]?.message).toMatch(/names another run/);
  });
});

describe('one bad record', () => {
  it('never stops listing or reattachAll for the other runs: each is reported and skipped', () => {
    const { store, problems } = storeIn();
    const older = '2020-01-01T00:00:00.000Z';
    // Newest first, so the bad ones come before the good one.
    writeRecord(store, 'evil', aRun({ id: '../../outside', createdAt: '2026-03-01T00:00:00.000Z' }));
    fs.mkdirSync(path.join(store.root, 'half'));
    fs.writeFileSync(path.join(store.root, 'half', 'run.json'), '{"id": "ha');
    writeRecord(
      store,
      'modal-throws',
      aRun({
        id: 'modal-throws',
        backend: 'modal',
        createdAt: '2026-02-01T00:00:00.000Z',
        modal: { appName: 'a', functionName: 'f', functionCallId: 'fc-1' },
      }),
    );
    writeRecord(
      store,
      'modal-ok',
      aRun({
        id: 'modal-ok',
        backend: 'modal',
        createdAt: '2026-01-15T00:00:00.000Z',
        modal: { appName: 'a', functionName: 'f', functionCallId: 'fc-2' },
      }),
    );
    writeRecord(store, 'lost', aRun({ id: 'lost', createdAt: older }));

    const calls: string[] = [];
    const jobs = new JobService(store);
    jobs.addBackend(fakeBackend('modal', calls, 'modal-throws'));
    jobs.addBackend(fakeBackend('local', calls));
    const attached = jobs.reattachAll();

    expect(attached.map((r) => r.id)).toEqual(['modal-ok']);
    expect(calls).toEqual(['attach modal-throws', 'attach modal-ok']);
    expect(store.read('lost')?.state).toBe('failed'); // never recorded a pid: settled, after the bad ones
    expect(problems.map((p) => p.id).sort()).toEqual(['evil', 'half', 'modal-throws']);
    expect(problems.find((p) => p.id === 'modal-throws')?.reason).toBe('could not reattach: cannot reach it');
    expect(fs.existsSync(path.join(store.root, '..', '..', '..', 'outside'))).toBe(false);
  });
});

describe('symlinks under .psychohistory/runs', () => {
  function outside(): { dir: string; secret: string } {
    const dir = tempDir('ph-outside-');
    const secret = path.join(dir, 'hostname');
    fs.writeFileSync(secret, 'SECRET-HOST\n');
    return { dir, secret };
  }

  it('a run folder that is a symlink is refused by the store, the dashboard and the CLI', async () => {
    const { ws, store, problems } = storeIn();
    const { dir } = outside();
    fs.writeFileSync(path.join(dir, 'run.json'), JSON.stringify(aRun({ id: 'linked', state: 'succeeded' })));
    fs.writeFileSync(path.join(dir, 'logs.txt'), 'SECRET-LOG\n');
    fs.symlinkSync(dir, path.join(store.root, 'linked'));
    expect(store.read('linked')).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(problems).toEqual([{ id: 'linked', reason: 'the run folder or its run.json is a symlink (not followed)' }]);
    expect(() => store.runDir('linked')).toThrow(RunStoreError);
    expect(() => store.appendLog('linked', 'x')).toThrow(RunStoreError);
    expect(await listRuns(ws)).toEqual([]);
    const logs = await cli(ws, 'logs', 'linked');
    expect(logs.out).not.toContain('SECRET');
    expect(logs.code).not.toBe(0);
  });

  it('a run.json, logs.txt or metrics.jsonl that is a symlink is not read', async () => {
    const { ws, store } = storeIn();
    const { secret } = outside();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    fs.rmSync(store.file(run.id, 'logs'));
    fs.symlinkSync(secret, path.join(store.runDir(run.id), 'logs.txt'));
    expect(() => store.readLog(run.id)).toThrow(/logs.txt of run .* is a symlink/);
    const logs = await cli(ws, 'logs', run.id);
    expect(`${logs.out}${logs.err}`).not.toContain('SECRET');
    expect(logs.err).toMatch(/symlink/);

    fs.rmSync(store.file(run.id, 'metrics'));
    fs.symlinkSync(secret, path.join(store.runDir(run.id), 'metrics.jsonl'));
    expect(() => store.readEvents(run.id)).toThrow(RunStoreError);
    const { snapshot } = await loadRun(store.runDir(run.id));
    expect(snapshot.notices.map((n) => n.message)).toContain(
      'metrics.jsonl is a symlink; the run store does not follow symlinks.',
    );

    const other = tempDir('ph-outside-');
    fs.writeFileSync(path.join(other, 'run.json'), JSON.stringify(aRun({ id: 'linked-record' })));
    fs.mkdirSync(path.join(store.root, 'linked-record'));
    fs.symlinkSync(path.join(other, 'run.json'), path.join(store.root, 'linked-record', 'run.json'));
    expect(store.read('linked-record')).toBeUndefined();
    expect(store.update('linked-record', () => ({ state: 'failed' }))).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(other, 'run.json'), 'utf8')).state).toBe('running');
    expect((await listRuns(ws)).map((r) => r.id)).toEqual([run.id]);
  });
});
