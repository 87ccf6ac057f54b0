// The local backend against a real process: a stand-in `python -m psychohistory` (test/fixtures/
// runs/fakeTraining) that follows the training command-line contract, run by the system python3.
// The last test runs the real training/ pipeline when its virtualenv exists.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { LocalBackend, commandLineArgs, isJobAlive, resolvePython } from '../../../src/jobs/backends/local';
import { processStartTime } from '../../../src/jobs/backends/localProcess';
import { JobService } from '../../../src/jobs/jobService';
import type { RunStore } from '../../../src/runs/runStore';
import type { MetricEvent } from '../../../src/contracts/metrics';
import type { RunKind, RunRecord } from '../../../src/contracts/run';
import { tempDir, tempStore, until } from './builders';

const fakeTraining = path.join(__dirname, '../../fixtures/runs/fakeTraining');
const python3 = (() => {
  try {
    execFileSync('python3', ['--version']);
    return 'python3';
  } catch {
    return undefined;
  }
})();

function service(store: RunStore, trainingDir = fakeTraining, python = python3 ?? 'python3') {
  const jobs = new JobService(store);
  const events: MetricEvent[] = [];
  jobs.onDidChange((c) => c.events && events.push(...c.events));
  jobs.addBackend(
    new LocalBackend({
      store,
      trainingDir,
      python,
      killGraceMs: 2000,
      pollMs: 100,
      hooks: { changed: (id, ev) => jobs.notify(id, ev), log: () => undefined },
    }),
  );
  return { jobs, events };
}

/** A local run of the stand-in in `fakeMode`, followed to its end. */
async function runToEnd(kind: RunKind, fakeMode: string) {
  const store = tempStore();
  const { jobs } = service(store);
  const run = await jobs.launch({ kind, backend: 'local', config: { fake_mode: fakeMode } });
  return { store, run, final: await jobs.wait(run.id) };
}

const cleanup: (() => void)[] = [];
afterEach(() => {
  while (cleanup.length) cleanup.pop()?.();
});

describe('command line', () => {
  it('passes the config as --key=value after the kind and run dir, never the dataset text', () => {
    const args = commandLineArgs(
      { kind: 'eval', config: { dataset: '/d.jsonl', num_epochs: 2, dataset_text: 'x', extra: { a: 1 } } },
      '/runs/r1',
    );
    expect(args).toEqual([
      '-m',
      'psychohistory',
      'eval',
      '--run_dir=/runs/r1',
      '--dataset=/d.jsonl',
      '--num_epochs=2',
      '--extra={"a":1}',
    ]);
  });
  it('prefers the setting, then the workspace .venv, then training/.venv, then python3', () => {
    const ws = tempDir();
    const training = path.join(ws, 'training');
    expect(resolvePython(' /usr/bin/python3.12 ', ws, training)).toBe('/usr/bin/python3.12');
    expect(resolvePython('', ws, training)).toBe('python3');
    fs.mkdirSync(path.join(training, '.venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(training, '.venv', 'bin', 'python'), '');
    expect(resolvePython(undefined, ws, training)).toBe(path.join(training, '.venv', 'bin', 'python'));
    fs.mkdirSync(path.join(ws, '.venv', 'bin'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.venv', 'bin', 'python'), '');
    expect(resolvePython(undefined, ws, training)).toBe(path.join(ws, '.venv', 'bin', 'python'));
  });
});

describe.skipIf(!python3)('local backend (stand-in training command line)', () => {
  it('runs to success: pid recorded, events followed, Python-owned fields kept, logs teed', async () => {
    const store = tempStore();
    const { jobs, events } = service(store);
    const run = await jobs.launch({ kind: 'sft', backend: 'local', config: { dataset: '/tmp/x.jsonl', steps: 3 } });
    expect(store.read(run.id)?.local?.pid).toBeGreaterThan(0);
    const final = await jobs.wait(run.id);
    expect(final?.state).toBe('succeeded');
    expect(final?.endedAt).toBeDefined();
    const raw = JSON.parse(fs.readFileSync(store.file(run.id, 'record'), 'utf8'));
    expect(raw.pythonOwned).toBeDefined();
    expect(raw.local.pid).toBe(run.local?.pid);
    expect(store.readEvents(run.id).items.filter((e) => e.type === 'train')).toHaveLength(3);
    await until(
      () => events.some((e) => e.type === 'status' && e.state === 'succeeded'),
      3000,
      'events through the service',
    );
    expect(store.readLog(run.id)).toMatch(/step 3 loss/);
    jobs.dispose();
  });

  it('keeps the failure Python reported', async () => {
    const { store, run, final } = await runToEnd('eval', 'fail');
    expect(final).toMatchObject({ state: 'failed', error: 'dataset is empty' });
    expect(store.readLog(run.id)).toMatch(/ValueError/);
  });

  it('marks a crashed process failed with its last log lines', async () => {
    const { final } = await runToEnd('sft', 'crash');
    expect(final?.state).toBe('failed');
    expect(final?.error).toMatch(/exited with code 3/);
    expect(final?.error).toMatch(/CUDA out of memory/);
  });

  it('marks a process killed by SIGKILL that nobody cancelled (the OOM killer) failed, not cancelled', async () => {
    const { final } = await runToEnd('sft', 'oom');
    expect(final?.state).toBe('failed');
    expect(final?.error).toMatch(/killed by SIGKILL/);
    expect(final?.error).toMatch(/loading the next batch/);
  });

  it('a cancel from another window or the CLI that needs SIGKILL is recorded cancelled by the window watching', async () => {
    const store = tempStore();
    const watching = service(store);
    const run = await watching.jobs.launch({ kind: 'sft', backend: 'local', config: { fake_mode: 'stubborn' } });
    await until(() => store.readEvents(run.id).items.length >= 2, 10_000, 'the job to start');
    const cli = service(store);
    const [final, watched] = await Promise.all([cli.jobs.cancel(run.id), watching.jobs.wait(run.id)]);
    expect(final?.state).toBe('cancelled');
    expect(watched?.state).toBe('cancelled');
    watching.jobs.dispose();
  });

  it('tolerates a metrics line torn by a killed writer', async () => {
    const { store, run, final } = await runToEnd('sft', 'torn');
    expect(final?.state).toBe('failed');
    const parsed = store.readEvents(run.id);
    expect(parsed.items.filter((e) => e.type === 'train')).toHaveLength(3);
    expect(parsed.truncatedTail).toMatch(/"step": 99/);
  });

  it('cancels with SIGTERM and records cancelled', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const run = await jobs.launch({ kind: 'grpo', backend: 'local', config: { fake_mode: 'hang' } });
    await until(() => store.readEvents(run.id).items.length >= 2, 10_000, 'the job to start');
    const final = await jobs.cancel(run.id);
    expect(final?.state).toBe('cancelled');
    expect(isJobAlive(run.local?.pid ?? store.read(run.id)?.local?.pid ?? -1)).toBe(false);
    expect(store.readLog(run.id)).toMatch(/got SIGTERM/);
  });

  it('a run cancelled while its launch is on its way never starts a process', async () => {
    const store = tempStore();
    const { jobs } = service(store);
    const launching = jobs.launch({ kind: 'grpo', backend: 'local', config: { fake_mode: 'hang' } });
    const [queued] = store.list(); // created at once; the process is not spawned yet
    expect((await jobs.cancel(queued?.id ?? ''))?.state).toBe('cancelled');
    await launching;
    const pid = store.read(queued?.id ?? '')?.local?.pid;
    if (pid !== undefined)
      cleanup.push(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      });
    expect(pid === undefined || !isJobAlive(pid)).toBe(true);
    expect(store.read(queued?.id ?? '')?.state).toBe('cancelled');
    jobs.dispose();
  });

  it('survives a reload: a new service reattaches by pid and can cancel; a dead pid is settled as failed', async () => {
    const store = tempStore();
    const first = service(store);
    const run = await first.jobs.launch({ kind: 'sft', backend: 'local', config: { fake_mode: 'hang' } });
    const pid = store.read(run.id)?.local?.pid ?? -1;
    cleanup.push(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    });
    first.jobs.dispose(); // the window reloads: watches go, the process stays
    await until(() => store.readEvents(run.id).items.length >= 2, 10_000, 'the job to start');
    expect(isJobAlive(pid)).toBe(true);

    // A record whose process died unseen.
    const ghost = store.create({
      kind: 'eval',
      backend: 'local',
      config: {},
      state: 'running',
      local: { pid: 999_999 },
    });

    const second = service(store);
    const attached = second.jobs.reattachAll();
    expect(attached.map((r) => r.id)).toEqual([run.id]);
    expect(store.read(ghost.id)?.state).toBe('failed');
    expect(store.read(ghost.id)?.error).toMatch(/ended while no editor was watching/);

    const final = await second.jobs.cancel(run.id);
    expect(final?.state).toBe('cancelled');
    expect(isJobAlive(pid)).toBe(false);
    second.jobs.dispose();
  });

  it.skipIf(process.platform !== 'linux')(
    "a data agent's run in this process stays running when the editor reattaches (its command line names no run)",
    () => {
      // The agent records the editor's (or CLI's) pid and start time; the file watcher's reattach ran while it worked
      // and, asking for a command line with "psychohistory" in it, settled the live run as failed (e2e, under load).
      const store = tempStore();
      const startTime = processStartTime(process.pid);
      const agent = store.create({
        kind: 'collect',
        backend: 'local',
        config: { agent: 'verify' },
        state: 'running',
        local: { pid: process.pid, ...(startTime ? { startTime } : {}) },
      });
      const dead = store.create({
        kind: 'collect',
        backend: 'local',
        config: { agent: 'verify' },
        state: 'running',
        local: { pid: process.pid, startTime: '1' }, // the pid now names another process: that agent has ended
      });
      service(store).jobs.reattachAll();
      expect(store.read(agent.id)?.state).toBe('running');
      expect(store.read(dead.id)?.state).toBe('failed');
    },
  );

  it.skipIf(process.platform !== 'linux')(
    'identifies the job by pid, start time and run id before any signal; otherwise cancel refuses and signals nothing',
    async () => {
      const store = tempStore();
      const { jobs } = service(store);
      const run = await jobs.launch({ kind: 'grpo', backend: 'local', config: { fake_mode: 'hang' } });
      const local = store.read(run.id)?.local;
      const stat = fs.readFileSync(`/proc/${local?.pid}/stat`, 'utf8');
      expect(local?.startTime).toBe(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
      expect((await jobs.cancel(run.id))?.state).toBe('cancelled');

      // A process that looks like a job (its command line says psychohistory and names a run folder) but is not this run's.
      const decoy = spawn(
        'python3',
        ['-c', 'import time; time.sleep(60)', 'psychohistory', `--run_dir=${path.join(store.root, 'other-run')}`],
        { stdio: 'ignore', detached: true },
      );
      cleanup.push(() => decoy.kill('SIGKILL'));
      const pid = decoy.pid ?? -1;
      await until(
        () => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('other-run'),
        5000,
        'the decoy to start',
      );
      const decoyStat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const startTime = decoyStat.slice(decoyStat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
      const cases: [string, RunRecord['local'], RegExp][] = [
        ['a pid that another process now has', { pid, startTime: '1' }, /is now another process/],
        ['a record without a start time', { pid }, /records no start time/],
        ['the right process start, another run', { pid, startTime }, /command line does not name run/],
      ];
      for (const [what, local, message] of cases) {
        const victim = store.create({ kind: 'sft', backend: 'local', config: {}, state: 'running', local });
        await expect(jobs.cancel(victim.id), what).rejects.toThrow(message);
        expect(store.read(victim.id)?.state, what).toBe('running');
        expect(decoy.exitCode === null && decoy.signalCode === null, what).toBe(true);
      }
    },
  );

  it('fails the run (not the editor) when python cannot be started', async () => {
    const store = tempStore();
    const { jobs } = service(store, fakeTraining, '/nonexistent/python');
    const run = await jobs.launch({ kind: 'sft', backend: 'local', config: {} });
    expect(store.read(run.id)?.state).toBe('failed');
    expect(store.read(run.id)?.error).toMatch(/Could not start/);
  });
});

// The real pipeline (training/): `python -m psychohistory` on the tiny
// GPT-OSS-shaped model it builds locally. Runs only when training/.venv and the package's __main__ exist.
const repoTraining = path.join(__dirname, '../../../training');
const realPython = path.join(repoTraining, '.venv', 'bin', 'python');
const hasRealPipeline =
  fs.existsSync(realPython) && fs.existsSync(path.join(repoTraining, 'psychohistory', '__main__.py'));
describe.skipIf(!hasRealPipeline)(
  'local backend end to end with the real training command line (needs training/.venv)',
  () => {
    it('runs a tiny SFT, then a baseline evaluation; states, events and run.json as the contract says', async () => {
      const store = tempStore();
      const { jobs } = service(store, repoTraining, realPython);
      const lines = fs
        .readFileSync(path.join(repoTraining, '..', 'examples', 'data', 'synthetic.cases.jsonl'), 'utf8')
        .split('\n')
        .filter(Boolean);
      const dataset = path.join(tempDir(), 'tiny.cases.jsonl');
      fs.writeFileSync(dataset, `${lines.slice(0, 16).join('\n')}\n`);

      const sft = await jobs.launch({
        kind: 'sft',
        backend: 'local',
        config: {
          dataset,
          base_model: 'tiny',
          max_steps: 2,
          batch_size: 4,
          lora_rank: 4,
          lora_alpha: 8,
          save_steps: 1,
        },
      });
      const pid = store.read(sft.id)?.local?.pid;
      const sftFinal = await jobs.wait(sft.id);
      expect(sftFinal?.state, store.readLog(sft.id).slice(-3000)).toBe('succeeded');
      expect(sftFinal?.local?.pid).toBe(pid); // Python kept the field it does not own
      expect(sftFinal?.cost?.usd).toBe(0);
      const events = store.readEvents(sft.id).items;
      // phase 1 (letters, generation) then phase 2 (the stated forecast), on one step axis
      expect(events.filter((e) => e.type === 'train').map((e) => e.type === 'train' && e.step)).toEqual([1, 2, 3, 4]);
      expect(events.at(-1)).toMatchObject({ type: 'status', state: 'succeeded' });
      const artifact = events.find((e) => e.type === 'artifact');
      expect(artifact).toBeDefined();

      const evalRun = await jobs.launch({
        kind: 'eval',
        backend: 'local',
        config: { dataset, base_model: 'tiny', stages: 'baseline', max_cases: 2, num_trees: 1, max_new_tokens: 4 },
      });
      const evalFinal = await jobs.wait(evalRun.id);
      expect(evalFinal?.state, store.readLog(evalRun.id).slice(-3000)).toBe('succeeded');
      expect(store.readEvents(evalRun.id).items.some((e) => e.type === 'eval' && e.stage === 'baseline')).toBe(true);
      jobs.dispose();
    }, 600_000);

    it("a bad config key fails the run with the pipeline's message (exit 2)", async () => {
      const store = tempStore();
      const { jobs } = service(store, repoTraining, realPython);
      const run = await jobs.launch({ kind: 'eval', backend: 'local', config: { num_epochs: 3 } });
      const final = await jobs.wait(run.id);
      expect(final?.state).toBe('failed');
      expect(final?.error).toMatch(/exited with code 2[\s\S]*unknown config key 'num_epochs'/);
    }, 120_000);
  },
);
