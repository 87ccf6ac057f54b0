// CLI parity: launch / runs / logs / cancel through runCli in-process, on the same core as the
// editor — a local run via the stand-in training package, a Modal run via the fake Modal server.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RunStore, runsRootOf } from '../../../src/runs/runStore';
import { cliBundle } from '../../shared/cliBundle';
import { GOOD_CASE, caseWorkspace, launchArgs, runCliIn as cli, useModalStandIn } from './harness';

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

function workspace(): string {
  const root = caseWorkspace('ph-cli-');
  fs.symlinkSync(path.join(__dirname, '../../fixtures/runs/fakeTraining'), path.join(root, 'training'));
  fs.writeFileSync(
    path.join(root, 'cases', 'broken.jsonl'),
    `${GOOD_CASE}\n{"seed": {"event": "", "date": "2023-02-30"}}\n`,
  );
  return root;
}

const server = useModalStandIn({ deploy: ['evaluate'], tokenInEnv: true, env: { PSYCHOHISTORY_PYTHON: 'python3' } });

describe.skipIf(!hasPython)('psychohistory launch / runs / logs / cancel (local)', () => {
  it('launches, follows to success, lists and prints logs', async () => {
    const root = workspace();
    const launched = await cli(root, ...launchArgs('sft', 'local'), '--epochs', '2', '--set', 'steps=2');
    expect(launched.code, launched.err).toBe(0);
    const id = launched.out.split('\n')[0] ?? '';
    expect(id).toMatch(/^sft-/);
    expect(launched.out).toMatch(/step 2 loss/);
    const run = new RunStore(runsRootOf(root)).read(id);
    expect(run).toMatchObject({
      state: 'succeeded',
      backend: 'local',
      config: { num_epochs: 2, steps: 2, dataset: path.join(root, 'cases/train.jsonl') },
    });

    const runs = await cli(root, 'runs');
    expect(runs.out).toMatch(new RegExp(`${id}\\s+sft\\s+local\\s+succeeded`));
    const json = await cli(root, 'runs', '--format', 'json');
    expect(JSON.parse(json.out)[0].id).toBe(id);
    const logs = await cli(root, 'logs', id);
    expect(logs.out).toMatch(/done/);
  });

  it('refuses a dataset with errors (exit 1) and creates no run', async () => {
    const root = workspace();
    const r = await cli(root, 'launch', 'eval', '--backend', 'local', '--dataset', 'cases/broken.jsonl');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/Refusing to launch: \d+ error/);
    expect(new RunStore(runsRootOf(root)).list()).toEqual([]);
  });

  it('launches detached, then cancels by id', async () => {
    const root = workspace();
    const r = await cli(root, ...launchArgs('grpo', 'local'), '--set', 'fake_mode=hang', '--detach');
    expect(r.code, r.err).toBe(0);
    const id = r.out.trim();
    const store = new RunStore(runsRootOf(root));
    for (let i = 0; i < 100 && store.readEvents(id).items.length < 2; i++)
      await new Promise((res) => setTimeout(res, 50));
    const c = await cli(root, 'cancel', id);
    expect(c.code, c.err).toBe(0);
    expect(c.out).toMatch(/cancelled/);
    expect(store.read(id)?.state).toBe('cancelled');
  });

  it('usage errors exit 2', async () => {
    const root = workspace();
    expect((await cli(root, 'launch', 'train', '--dataset', 'x')).code).toBe(2);
    expect((await cli(root, 'cancel')).code).toBe(2);
  });
});

describe('psychohistory launch --backend modal (fake Modal server)', () => {
  it('spawns the evaluate function with the token from the environment, then cancels', async () => {
    const root = workspace();
    const r = await cli(root, ...launchArgs('eval', 'modal'), '--gpu', 'H100', '--detach');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/Estimated cost: \$\d+\.\d\d .*H100.*prices as of/);
    const id = r.out.trim();
    const run = new RunStore(runsRootOf(root)).read(id);
    const call = server.functionCalls.get(run?.modal?.functionCallId ?? '');
    expect(call?.args[0]).toMatchObject({ run_id: id, gpu: 'H100', dataset_text: `${GOOD_CASE}\n` });
    const c = await cli(root, 'cancel', id);
    expect(c.code, c.err).toBe(0);
    expect(server.functionCalls.get(run?.modal?.functionCallId ?? '')?.cancelled).toBe(true);
  });

  it('app not deployed → exit 1 with the deploy hint', async () => {
    const root = workspace();
    const r = await cli(root, ...launchArgs('sft', 'modal'), '--detach');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/not deployed[\s\S]*modal deploy/);
  });
});

// The real bundle in a child process, because what keeps (or fails to keep) Node alive is the point:
// `launch` without --detach follows the job to its end, exits by its outcome, and promptly.
function runBundle(
  file: string,
  cwd: string,
  ...argv: string[]
): Promise<{ code: number | null; out: string; err: string; exitedAt: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...argv], { cwd, env: process.env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => resolve({ code, out, err, exitedAt: Date.now() }));
  });
}

describe('psychohistory launch without --detach waits for the end (the real CLI process)', () => {
  it.skipIf(!hasPython)(
    'local: exits 1 when the job fails, after it ended and within a second of it',
    async () => {
      const file = await cliBundle();
      const root = workspace();
      const r = await runBundle(
        file,
        root,
        ...launchArgs('sft', 'local'),
        '--set',
        'fake_mode=fail',
        '--set',
        'steps=12',
      );
      expect(r.code, r.err).toBe(1);
      const store = new RunStore(runsRootOf(root));
      const [run] = store.list();
      expect(run?.state).toBe('failed');
      expect(r.out).toMatch(/step 12 loss/);
      expect(r.err).toMatch(/failed/);
      expect(r.exitedAt - fs.statSync(store.file(run?.id ?? '', 'record')).mtimeMs).toBeLessThan(1000);
    },
    20_000,
  );

  it.skipIf(!hasPython)(
    'local: exits 0 when the job succeeds',
    async () => {
      const root = workspace();
      const r = await runBundle(await cliBundle(), root, ...launchArgs('eval', 'local'), '--set', 'steps=8');
      expect(r.code, r.err).toBe(0);
      expect(new RunStore(runsRootOf(root)).list()[0]?.state).toBe('succeeded');
    },
    20_000,
  );

  it('modal: exits by the returned outcome within a second of the end, even with Modal-length long polls', async () => {
    const file = await cliBundle();
    const root = workspace();
    const savedCap = server.longPollCapMs;
    server.longPollCapMs = 25_000; // real Modal holds a queue read up to 25 s
    try {
      const exited = runBundle(file, root, ...launchArgs('eval', 'modal'), '--gpu', 'H100');
      const store = new RunStore(runsRootOf(root));
      let callId = '';
      for (let i = 0; i < 200 && !callId; i++) {
        callId = store.list()[0]?.modal?.functionCallId ?? '';
        if (!callId) await new Promise((res) => setTimeout(res, 50));
      }
      expect(callId).not.toBe('');
      await new Promise((res) => setTimeout(res, 500)); // the CLI is now waiting on Modal
      const endedAt = Date.now();
      server.complete(callId, { state: 'failed', error: 'ConfigError: unknown config key: lora_rnak' });
      const r = await exited;
      expect(r.code, r.err).toBe(1);
      expect(r.err).toMatch(/unknown config key/);
      expect(r.exitedAt - endedAt).toBeLessThan(1000);
    } finally {
      server.longPollCapMs = savedCap;
    }
  }, 40_000);
});
