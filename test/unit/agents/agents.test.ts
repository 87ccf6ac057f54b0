// Brainstormer → Chronicler → Verifier against the OpenRouter stand-in and its scripted world: what
// they write, what they refuse, and that a failure, a cancel or a crash loses and duplicates nothing.
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SeedDraftSchema, VERIFIER_CHECKS } from '../../../src/agents/answers';
import type { SeedDraft } from '../../../src/agents/answers';
import { brainstorm } from '../../../src/agents/brainstormer';
import { chronicle } from '../../../src/agents/chronicler';
import type { SeedItem } from '../../../src/agents/chronicler';
import { readDraft, repairTail } from '../../../src/agents/draftFile';
import { OpenRouterClient } from '../../../src/agents/openRouterClient';
import type { AgentContext } from '../../../src/agents/runner';
import { journalOf, verify } from '../../../src/agents/verifier';
import { validateText } from '../../../src/cases/caseDocument';
import type { Case } from '../../../src/contracts/case';
import { OpenRouterStandIn } from '../../openrouterServer/server';
import { World } from '../../openrouterServer/world';
import { standInContext } from './context';
import type { ClientOptions } from './context';
import type { WorldOptions } from '../../openrouterServer/world';

const KEY = 'sk-or-test';
let dir: string;
let server: OpenRouterStandIn;
let logs: string[];

async function start(world: WorldOptions = {}): Promise<void> {
  server = new OpenRouterStandIn({ apiKey: KEY, respond: new World(world).respond });
  await server.start();
}

function ctx(extra: Partial<AgentContext> = {}, clientExtra: Partial<ClientOptions> = {}): AgentContext {
  return standInContext(server, KEY, { log: (l) => logs.push(l), ...extra }, clientExtra);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'agents-'));
  logs = [];
});
afterEach(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const casesOf = (file: string): Case[] => readDraft(file).map((l) => l.value as Case);
const seedsOf = (file: string): SeedDraft[] => readDraft(file).map((l) => SeedDraftSchema.parse(l.value));

describe('the Brainstormer', () => {
  it('writes the seeds asked for, dated in the window, distinct by the near-duplicate rule, with provenance', async () => {
    await start({ repeatShare: 0.3 });
    const out = join(dir, 'ideas.seeds.jsonl');
    const r = await brainstorm(
      {
        domains: ['Economy', 'Energy'],
        from: '2019-01-01',
        to: '2021-12-31',
        count: 25,
        out,
        batchSize: 10,
        known: ['Central bank announces merger economy plan 0'],
      },
      ctx(),
    );
    const seeds = seedsOf(out);
    expect(r.done).toBe(25);
    expect(seeds).toHaveLength(25);
    expect(new Set(seeds.map((s) => s.id)).size).toBe(25);
    expect(seeds.every((s) => s.seed.date >= '2019-01-01' && s.seed.date <= '2021-12-31')).toBe(true);
    expect(seeds.every((s) => s.provenance.agent === 'brainstormer' && s.provenance.model === 'test/model')).toBe(true);
    expect(seeds.map((s) => s.seed.event)).not.toContain('Central bank announces merger economy plan 0');
    expect(logs.some((l) => l.includes('repeats'))).toBe(true);
  });

  it('continues a file instead of starting over, after cutting a torn last line', async () => {
    await start();
    const out = join(dir, 'ideas.seeds.jsonl');
    await brainstorm({ domains: ['Economy'], from: '2019-01-01', to: '2021-12-31', count: 6, out }, ctx());
    fs.appendFileSync(out, '{"id": "torn", "seed": {"ev');
    const r = await brainstorm({ domains: ['Economy'], from: '2019-01-01', to: '2021-12-31', count: 10, out }, ctx());
    expect(r.done).toBe(4);
    const seeds = seedsOf(out);
    expect(seeds).toHaveLength(10);
    expect(new Set(seeds.map((s) => s.seed.event)).size).toBe(10);
  });

  it('refuses a window that is not two dates in order', async () => {
    await start();
    await expect(
      brainstorm({ domains: ['x'], from: '2021-01-01', to: '2020-01-01', count: 1, out: join(dir, 's.jsonl') }, ctx()),
    ).rejects.toThrow(/not two YYYY-MM-DD dates in order/);
  });
});

describe('the Chronicler', () => {
  const seeds: SeedItem[] = Array.from({ length: 8 }, (_, k) => ({
    id: `s${k}`,
    seed: { event: `Regulator fines airline number ${k} over delays`, date: '2020-03-01' },
  }));

  it('writes valid cases with dated, cited sources and a shuffled actual; drops what the search did not return', async () => {
    await start({
      chronicleQuirks: {
        'number 1 ': 'uncited-source',
        'number 2 ': 'undated-source',
        'number 3 ': 'early-source',
        'number 4 ': 'not-found',
      },
    });
    const out = join(dir, 'drafts.cases.jsonl');
    const r = await chronicle({ seeds, out, depth: 2, candidates: 4 }, ctx());
    expect(r.done).toBe(7);
    expect(r.failed).toBe(1);
    expect(r.failures[0]!.reason).toMatch(/no reliable account/);
    const cases = casesOf(out);
    expect(cases.map((c) => c.id).sort()).toEqual(['s0', 's1', 's2', 's3', 's5', 's6', 's7']);
    const text = fs.readFileSync(out, 'utf8');
    expect(validateText(text).filter((d) => d.severity === 'error')).toEqual([]);
    expect(validateText(text).map((d) => d.code)).not.toContain('actual-position-bias');
    for (const c of cases) {
      expect(c.levels).toHaveLength(2);
      expect(c.review).toEqual({ status: 'draft' });
      expect(c.provenance?.agent).toBe('chronicler');
      for (const level of c.levels) {
        const actual = level.candidates.find((x) => x.label === 1)!;
        expect(
          actual.sources!.every((s) => s.url.startsWith('https://news.') || s.url.startsWith('https://wire.')),
        ).toBe(true);
        expect(level.candidates).toHaveLength(4);
      }
    }
    expect(logs.some((l) => l.includes("not among the search's citations"))).toBe(true);
    expect(logs.some((l) => l.includes('"last spring" is not a real YYYY-MM-DD date'))).toBe(true);
    expect(logs.some((l) => l.includes('before the seed (2020-03-01)'))).toBe(true);
    expect(new Set(cases.map((c) => c.levels[0]!.candidates.findIndex((x) => x.label === 1))).size).toBeGreaterThan(1);
  });

  it('stops on spent credits keeping what it wrote, and a resumed run finishes without duplicates', async () => {
    await start();
    const out = join(dir, 'drafts.cases.jsonl');
    server.inject({ kind: 'rate-limit', retryAfterS: 0 }, { kind: 'server-error' });
    const first = await chronicle({ seeds: seeds.slice(0, 3), out }, ctx({ workers: 1 }));
    expect(first.done).toBe(3);
    server.inject({ kind: 'credits' });
    const second = await chronicle({ seeds, out }, ctx({ workers: 1 }));
    expect(second.stopped).toMatch(/credits are spent/);
    expect(second.skipped).toBe(3);
    expect(casesOf(out)).toHaveLength(3);
    const third = await chronicle({ seeds, out }, ctx());
    expect(third.skipped).toBe(3);
    expect(third.done).toBe(5);
    const ids = casesOf(out).map((c) => c.id);
    expect(ids).toHaveLength(8);
    expect(new Set(ids).size).toBe(8);
  });

  it('stops when the service stays unreachable, saying so', async () => {
    await start();
    const c = ctx({ workers: 1 }, { maxRetries: 1 });
    server.randomFaults({ rates: { 'server-error': 1 }, seed: 1 });
    const r = await chronicle({ seeds, out: join(dir, 'x.cases.jsonl') }, c);
    expect(r.stopped).toMatch(/5 items in a row could not reach the service/);
    expect(r.failed).toBe(5);
  });

  it('stops when nothing listens at the endpoint, naming it, and writes nothing', async () => {
    await start();
    const url = server.baseURL;
    await server.stop();
    const client = new OpenRouterClient({
      apiKey: KEY,
      baseURL: url,
      maxRetries: 1,
      sleep: async () => {},
      concurrency: 1,
    });
    const out = join(dir, 'x.cases.jsonl');
    const r = await chronicle({ seeds, out }, { client, model: 'm', log: (l) => logs.push(l) });
    expect(r.stopped).toMatch(/could not reach the service.*cannot reach http:\/\/127\.0\.0\.1/);
    expect(fs.existsSync(out)).toBe(false);
    server = new OpenRouterStandIn({ apiKey: KEY, respond: new World().respond });
    await server.start();
  });

  it('stops at once when cancelled', async () => {
    await start();
    const ac = new AbortController();
    ac.abort();
    const r = await chronicle({ seeds, out: join(dir, 'x.cases.jsonl') }, ctx({ signal: ac.signal }));
    expect(r.cancelled).toBe(true);
    expect(r.done).toBe(0);
  });
});

describe('the Verifier', () => {
  const seeds: SeedItem[] = Array.from({ length: 5 }, (_, k) => ({
    id: `v${k}`,
    seed: { event: `Court blocks pipeline number ${k} permit`, date: '2021-05-01' },
  }));

  it('verifies only what passes every check, writes the checks, and leaves the file clean', async () => {
    await start({ failCheck: { 'number 2 ': 'sources-independent' } });
    const file = join(dir, 'drafts.cases.jsonl');
    await chronicle({ seeds, out: file }, ctx());
    fs.appendFileSync(file, 'not json, a line a person is still typing\n');
    const before = fs.readFileSync(file, 'utf8').split('\n');
    const r = await verify({ file }, ctx());
    expect(r.verified).toBe(4);
    expect(r.rejected).toBe(1);
    const after = fs.readFileSync(file, 'utf8').split('\n');
    expect(after).toHaveLength(before.length);
    expect(after[5]).toBe(before[5]);
    const cases = casesOf(file).slice(0, 5);
    const v2 = cases.find((c) => c.id === 'v2')!;
    expect(v2.review?.status).toBe('rejected');
    expect(v2.review?.checks?.find((c) => c.name === 'sources-independent')).toMatchObject({ ok: false });
    const v0 = cases.find((c) => c.id === 'v0')!;
    expect(v0.review?.status).toBe('verified');
    expect(v0.review?.checks?.map((c) => c.name)).toEqual([
      ...VERIFIER_CHECKS,
      'dated-sources',
      'seed-names-no-actual',
    ]);
    const problems = validateText(fs.readFileSync(file, 'utf8')).filter((d) => d.range.start.line < 5);
    expect(problems).toEqual([]);
    expect(fs.existsSync(journalOf(file))).toBe(false);
    // Done cases are not asked again.
    const again = await verify({ file }, ctx());
    expect(again.skipped).toBe(5);
  });

  it('merges verdicts a crashed run left in its journal and does not ask for them again', async () => {
    await start();
    const file = join(dir, 'drafts.cases.jsonl');
    await chronicle({ seeds, out: file }, ctx());
    fs.writeFileSync(
      journalOf(file),
      `${JSON.stringify({ id: 'v1', review: { status: 'rejected', checks: [{ name: 'resolvable', ok: false }] } })}\n{"id": "v3", "rev`,
    );
    const calls = server.requests.length;
    const r = await verify({ file }, ctx());
    expect(r.skipped).toBe(1);
    expect(r.done).toBe(4);
    expect(server.requests.length - calls).toBe(4);
    expect(casesOf(file).find((c) => c.id === 'v1')?.review?.status).toBe('rejected');
    expect(casesOf(file).find((c) => c.id === 'v3')?.review?.status).toBe('verified');
  });
});

describe('the draft file', () => {
  it('completes a last line that lacks only its newline, cuts a torn one', () => {
    const f = join(dir, 'a.jsonl');
    fs.writeFileSync(f, '{"a":1}\n{"b":2}');
    expect(repairTail(f)).toBe('completed');
    expect(fs.readFileSync(f, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    fs.appendFileSync(f, '{"c":');
    expect(repairTail(f)).toBe('cut');
    expect(fs.readFileSync(f, 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    expect(repairTail(join(dir, 'none.jsonl'))).toBe('none');
  });
});
