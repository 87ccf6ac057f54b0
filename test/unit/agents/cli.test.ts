// `psychohistory brainstorm | chronicle | verify` in-process against the OpenRouter stand-in: the
// files they write validate clean, every run is a `collect` run in the store with its logs, events
// and cost, and a run stopped by spent credits is recorded as failed (partial), resumable.
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore, runsRootOf } from '../../../src/runs/runStore';
import { OpenRouterStandIn } from '../../openrouterServer/server';
import { World } from '../../openrouterServer/world';
import { runCliCaptured } from '../../shared/runCli';
import type { CliResult } from '../../shared/runCli';

const KEY = 'sk-or-cli';
let dir: string;
let server: OpenRouterStandIn;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'agents-cli-'));
  fs.mkdirSync(join(dir, '.psychohistory'));
  server = new OpenRouterStandIn({ apiKey: KEY, respond: new World().respond });
  await server.start();
});
afterEach(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function cli(
  argv: string[],
  env: Record<string, string | undefined> = { OPENROUTER_API_KEY: KEY, OPENROUTER_BASE_URL: server.baseURL },
): Promise<CliResult> {
  return runCliCaptured(argv, { readFile: async (p) => fs.readFileSync(p, 'utf8'), cwd: dir, env });
}

describe('the agents CLI', () => {
  it('brainstorm → chronicle → verify gives a file that validates clean, each run a collect run with its cost', async () => {
    const b = await cli([
      'brainstorm',
      '--domains',
      'economy,energy',
      '--from',
      '2019-01-01',
      '--to',
      '2020-12-31',
      '--count',
      '6',
      '--model',
      'test/m',
      '--out',
      'ideas.seeds.jsonl',
      '-w',
      dir,
      '-q',
    ]);
    expect(b.code, b.err).toBe(0);
    const c = await cli([
      'chronicle',
      'ideas.seeds.jsonl',
      '--out',
      'real.cases.jsonl',
      '--model',
      'test/m',
      '--depth',
      '2',
      '-w',
      dir,
      '-q',
    ]);
    expect(c.code, c.err).toBe(0);
    const v = await cli(['verify', 'real.cases.jsonl', '--model', 'test/m', '-w', dir, '-q']);
    expect(v.code, v.err).toBe(0);
    const val = await cli(['validate', join(dir, 'real.cases.jsonl')]);
    expect(val.code).toBe(0);
    expect(val.out).toContain('0 errors, 0 warnings in 1 file');
    const lines = fs.readFileSync(join(dir, 'real.cases.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.every((l) => (JSON.parse(l) as { review: { status: string } }).review.status === 'verified')).toBe(
      true,
    );

    const runs = new RunStore(runsRootOf(dir)).list();
    expect(runs.map((r) => [r.kind, r.state, r.config.agent]).sort()).toEqual([
      ['collect', 'succeeded', 'brainstorm'],
      ['collect', 'succeeded', 'chronicle'],
      ['collect', 'succeeded', 'verify'],
    ]);
    const store = new RunStore(runsRootOf(dir));
    const total = runs.reduce((s, r) => s + (r.cost?.usd ?? 0), 0);
    expect(total).toBeCloseTo(server.billedUsd, 8);
    for (const r of runs) {
      expect(r.cost?.gpu).toBe('openrouter');
      expect(JSON.stringify(r.config)).not.toContain(KEY);
      const events = store.readEvents(r.id).items;
      expect(events.some((e) => e.type === 'cost')).toBe(true);
      expect(events[events.length - 1]).toMatchObject({ type: 'status', state: 'succeeded' });
      expect(store.readLog(r.id)).toMatch(/of 6/);
    }
  });

  it('records a run stopped by spent credits as failed (partial) and resumes it', async () => {
    fs.writeFileSync(
      join(dir, 's.seeds.jsonl'),
      Array.from({ length: 4 }, (_, k) =>
        JSON.stringify({ id: `s${k}`, seed: { event: `Union calls strike number ${k}`, date: '2020-02-02' } }),
      ).join('\n') + '\n',
    );
    server.inject({ kind: 'credits' });
    const first = await cli([
      'chronicle',
      's.seeds.jsonl',
      '--out',
      'c.cases.jsonl',
      '--model',
      'm',
      '--concurrency',
      '1',
      '-w',
      dir,
      '-q',
    ]);
    expect(first.code).toBe(1);
    expect(first.out).toMatch(
      /failed · \$[0-9.]+\npartial: chronicled 0 of 4.*credits are spent.*run again to resume. Nothing written is lost/s,
    );
    const again = await cli(['chronicle', 's.seeds.jsonl', '--out', 'c.cases.jsonl', '--model', 'm', '-w', dir, '-q']);
    expect(again.code).toBe(0);
    expect(fs.readFileSync(join(dir, 'c.cases.jsonl'), 'utf8').trim().split('\n')).toHaveLength(4);
    const states = new RunStore(runsRootOf(dir))
      .list()
      .map((r) => r.state)
      .sort();
    expect(states).toEqual(['failed', 'succeeded']);
  });

  it('says what is missing: the key, the model, a seed file without seeds', async () => {
    expect((await cli(['verify', 'x.jsonl', '--model', 'm'], {})).err).toContain('set OPENROUTER_API_KEY');
    expect((await cli(['verify', 'x.jsonl'])).err).toContain('--model is required');
    fs.writeFileSync(join(dir, 'empty.jsonl'), '{"nothing": 1}\n');
    const r = await cli(['chronicle', 'empty.jsonl', '--out', 'o.jsonl', '--model', 'm']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('holds no seeds');
  });
});

describe('a collect run after a reload', () => {
  it('is left to its live process, and settled as failed (resumable) when that process is gone', async () => {
    const { decideReattach } = await import('../../../src/jobs/reattach');
    const run = {
      id: 'collect-1',
      kind: 'collect' as const,
      backend: 'local' as const,
      config: {},
      state: 'running' as const,
      createdAt: '2026-01-01T00:00:00Z',
      local: { pid: 4242 },
    };
    const now = new Date('2026-01-01T01:00:00Z');
    expect(decideReattach(run, { pidAlive: true, now })).toEqual({ action: 'none' });
    const gone = decideReattach(run, { pidAlive: false, now });
    expect(gone).toMatchObject({ action: 'fail' });
    expect(gone.action === 'fail' && gone.reason).toMatch(/run it again on the same file to resume/);
  });
});

describe('a cancelled agent run', () => {
  it('is recorded as cancelled with its counts, keeping what was written', async () => {
    const { recordCollect } = await import('../../../src/agents/collectRun');
    const { chronicle } = await import('../../../src/agents/chronicler');
    const { OpenRouterClient } = await import('../../../src/agents/openRouterClient');
    const store = new RunStore(runsRootOf(dir));
    const ac = new AbortController();
    const client = new OpenRouterClient({ apiKey: KEY, baseURL: server.baseURL, concurrency: 1 });
    const seeds = Array.from({ length: 5 }, (_, k) => ({
      id: `x${k}`,
      seed: { event: `Port closes terminal number ${k}`, date: '2020-06-01' },
    }));
    const out = join(dir, 'x.cases.jsonl');
    const outcome = await recordCollect(store, { agent: 'chronicle' }, (hooks) =>
      chronicle(
        { seeds, out },
        {
          client,
          model: 'm',
          signal: ac.signal,
          log: hooks.log,
          progress: (p) => {
            hooks.progress(p);
            if (p.done === 2) ac.abort();
          },
        },
      ),
    );
    expect(outcome.run.state).toBe('cancelled');
    expect(outcome.run.error).toMatch(/^cancelled: chronicled 2 of 5/);
    expect(fs.readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(2);
    expect(store.readEvents(outcome.run.id).items.at(-1)).toMatchObject({ type: 'status', state: 'cancelled' });
  });
});

describe('Cancel Run on an agent run of this process', () => {
  it('aborts the tracked run, and says no for one that is not here', async () => {
    const { cancelAgentRun, trackAgentRun } = await import('../../../src/agents/activeRuns');
    const ac = new AbortController();
    const tracked = trackAgentRun('collect-x', ac);
    expect(cancelAgentRun('collect-y')).toBe(false);
    expect(cancelAgentRun('collect-x')).toBe(true);
    expect(ac.signal.aborted).toBe(true);
    tracked.dispose();
    expect(cancelAgentRun('collect-x')).toBe(false);
  });
});
