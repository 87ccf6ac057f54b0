// The forecast feature's pure core: input checks, the Predictions rows and the level Record Outcome
// offers, the Monitoring series and A/B sentence, the strict webview protocol, Retry-After.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ForecastListItem, TrackModel } from '../../../src/contracts/service';
import type { ForecastNode } from '../../../src/contracts/tree';
import { retryAfter } from '../../../src/forecast/client';
import { buildRequest, checkCount, checkDate, checkSeed } from '../../../src/forecast/inputs';
import { serviceDeployEnv } from '../../../src/forecast/deploy';
import { parseServing } from '../../../src/forecast/localService';
import { WebviewToHostSchema } from '../../../src/forecast/monitoring/inbound';
import { parseInbound } from '../../../src/shell/inbound';
import { levelCandidates, nextOpenDepth, predictionRow, treeDepth } from '../../../src/forecast/predictions';
import { alignedSeries, compareArms, trackDates } from '../../../src/forecast/track';

const trainingDir = path.join(__dirname, '../../../training');
const venvPython = path.join(trainingDir, '.venv', 'bin', 'python');

const node = (event: string, probability: number, children: ForecastNode[] = [], depth = 1): ForecastNode => ({
  event,
  probability,
  depth,
  children,
});

function item(outcomes: { depth: number; event: string }[] = []): ForecastListItem {
  const tree = {
    seed: { event: 'Central bank raises rates', date: '2023-01-15' },
    model: 'tiny',
    createdAt: '2023-01-15T00:00:00Z',
    children: [
      node('Rates rise', 0.5, [node('Stocks fall', 0.6, [], 2), node('Bonds rally', 0.2, [], 2)]),
      node('Rates hold', 0.25, [node('Dollar weakens', 0.75, [], 2)]),
    ],
  };
  return {
    id: 'f1',
    model: 'tiny',
    createdAt: tree.createdAt,
    request: { seed: tree.seed, depth: 2, breadth: 2 },
    tree,
    outcomes: outcomes.map((o) => ({ ...o, recordedAt: '2023-02-01T00:00:00Z' })),
    open: true,
  };
}

describe('Forecast Seed Event input checks', () => {
  it('names the field and the fix', () => {
    expect(checkSeed('  ')).toMatch(/Describe the event/);
    expect(checkSeed('x'.repeat(501))).toMatch(/501 characters; the service takes at most 500/);
    expect(checkSeed('Tech layoffs')).toBeUndefined();
    expect(checkDate('15/01/2023')).toMatch(/YYYY-MM-DD/);
    expect(checkDate('2023-02-30')).toBe('2023-02-30 is not a real date: February 2023 has 28 days (got day 30).');
    expect(checkDate('2024-02-29')).toBeUndefined();
    expect(checkCount('1000', 'depth', 16)).toMatch(/depth .* from 1 to 16 \(the service’s limit\); got 1000/);
    expect(checkCount('two', 'breadth', 16)).toMatch(/breadth \(children per node\) is a whole number/);
    expect(checkCount('0', 'depth', 16)).toMatch(/got 0/);
  });

  it('builds a contract-5 request or returns the first problem', () => {
    expect(buildRequest(' Tech layoffs ', '2023-01-15', '3', '2')).toEqual({
      seed: { event: 'Tech layoffs', date: '2023-01-15' },
      depth: 3,
      breadth: 2,
    });
    expect(buildRequest('Tech layoffs', '2023-13-01', '3', '2')).toMatch(/month 13 does not exist/);
  });
});

describe('Predictions', () => {
  it('resolves the shallowest open level next, on the recorded path', () => {
    expect(treeDepth(item().tree.children)).toBe(2);
    expect(nextOpenDepth(item())).toBe(1);
    expect(levelCandidates(item(), 1).map((n) => n.event)).toEqual(['Rates rise', 'Rates hold']);
    // depth 1 recorded as the less likely node (normalised match): depth 2 offers its children
    const held = item([{ depth: 1, event: 'rates HOLD' }]);
    expect(nextOpenDepth(held)).toBe(2);
    expect(levelCandidates(held, 2).map((n) => n.event)).toEqual(['Dollar weakens']);
    // an outcome the tree did not have: the most likely node's children, most likely first
    expect(levelCandidates(item([{ depth: 1, event: 'A volcano erupts' }]), 2).map((n) => n.event)).toEqual([
      'Stocks fall',
      'Bonds rally',
    ]);
    expect(
      nextOpenDepth(
        item([
          { depth: 1, event: 'x' },
          { depth: 2, event: 'y' },
        ]),
      ),
    ).toBeUndefined();
  });

  it('a row says what is resolved and what comes next', () => {
    const row = predictionRow(item([{ depth: 1, event: 'Rates hold' }]));
    expect(row).toMatchObject({
      id: 'f1',
      label: 'Central bank raises rates',
      description: '2023-01-15 · 1/2 resolved',
      nextDepth: 2,
    });
    expect(row.tooltip).toContain('Most likely next: Rates rise (50 %)');
    expect(row.tooltip).toContain('Depth 1 happened: Rates hold');
  });
});

describe('Monitoring', () => {
  const model = (
    name: string,
    series: [string, number, number | null][],
    resolved = series.length,
    skill: number | null = 0.1,
  ): TrackModel => ({
    model: name,
    forecasts: 5,
    resolved,
    brier: 0.2,
    brierSkill: skill,
    ece: 0.1,
    perplexity: null,
    matchRate: 0.5,
    series: series.map(([date, r, brier]) => ({
      date,
      resolved: r,
      brier,
      brierSkill: skill,
      ece: null,
      perplexity: null,
    })),
  });

  it('aligns every model on one date axis, carrying cumulative values forward', () => {
    const a = model('a', [
      ['2023-01-02', 1, 0.3],
      ['2023-01-04', 3, 0.25],
    ]);
    const b = model('b', [['2023-01-03', 2, 0.1]]);
    const dates = trackDates([a, b]);
    expect(dates).toEqual(['2023-01-02', '2023-01-03', '2023-01-04']);
    expect(alignedSeries(a, dates, 'brier')).toEqual([0.3, 0.3, 0.25]);
    expect(alignedSeries(b, dates, 'brier')).toEqual([null, 0.1, 0.1]);
    expect(alignedSeries(a, dates, 'resolved')).toEqual([1, 1, 3]);
  });

  it('compares the A/B arms once both have resolved forecasts', () => {
    const models = [
      model('base', [['2023-01-02', 40, 0.2]], 40, 0.05),
      model('base+sft@1', [['2023-01-02', 35, 0.1]], 35, 0.4),
    ];
    expect(compareArms({ arms: { a: 'base', b: null, bShare: 0 }, models })).toBeNull();
    const c = compareArms({ arms: { a: 'base', b: 'base+sft@1', bShare: 0.5 }, models })!;
    expect(c.skillDelta).toBeCloseTo(0.35);
    expect(c.sentence).toBe(
      'A/B: arm A base (40 resolved), arm B base+sft@1 (35 resolved), 50 % of requests go to B: B is ahead by 0.350 skill.',
    );
    const early = compareArms({ arms: { a: 'base', b: 'other', bShare: 0.2 }, models })!;
    expect(early.sentence).toMatch(/Not comparable yet: each arm needs resolved forecasts \(A 40, B 0\)/);
  });

  it('the host accepts only the messages the protocol defines, strictly', () => {
    expect(parseInbound(WebviewToHostSchema, { type: 'ready' })).toEqual({ type: 'ready' });
    expect(parseInbound(WebviewToHostSchema, { type: 'action', action: 'setToken' })).toEqual({
      type: 'action',
      action: 'setToken',
    });
    expect(parseInbound(WebviewToHostSchema, { type: 'action', action: 'deleteEverything' })).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, { type: 'refresh', extra: 1 })).toBeUndefined();
    expect(parseInbound(WebviewToHostSchema, 'ready')).toBeUndefined();
  });
});

describe('service plumbing', () => {
  it('reads the start line and Retry-After in both forms', () => {
    expect(parseServing('serving tiny+adapter@1a2b3c4d, tiny on http://127.0.0.1:43210')).toEqual({
      url: 'http://127.0.0.1:43210',
      models: ['tiny+adapter@1a2b3c4d', 'tiny'],
    });
    expect(parseServing('INFO loading')).toBeUndefined();
    expect(retryAfter('7')).toBe(7);
    expect(retryAfter(new Date(Date.UTC(2030, 0, 1, 0, 0, 30)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(30);
    expect(retryAfter('soon')).toBeUndefined();
    expect(retryAfter(null)).toBeUndefined();
  });
});

describe('Deploy Forecast Service', () => {
  it('hands modal_app.py its config and GPU in the variables it reads at deploy time', () => {
    expect(
      serviceDeployEnv({ baseModel: 'openai/gpt-oss-20b', adapter: '/data/models/sft/r1/final', gpu: 'H100' }),
    ).toEqual({
      PSYCHOHISTORY_SERVE: '--base_model=openai/gpt-oss-20b --adapter=/data/models/sft/r1/final',
      PSYCHOHISTORY_SERVE_GPU: 'H100',
    });
    expect(serviceDeployEnv({ baseModel: 'tiny', adapter: '', gpu: 'A10G' }).PSYCHOHISTORY_SERVE).toBe(
      '--base_model=tiny',
    );
    expect(() => serviceDeployEnv({ baseModel: 'tiny', adapter: '/data/my run/final', gpu: 'A10G' })).toThrow(
      /adapter path "\/data\/my run\/final" has a space/,
    );
  });

  it.skipIf(!fs.existsSync(venvPython))('modal_app.serve_config reads that value back (training/.venv)', () => {
    const env = serviceDeployEnv({ baseModel: 'tiny', adapter: '/data/models/grpo/r2/final', gpu: 'L4' });
    const out = execFileSync(
      venvPython,
      ['-c', 'import modal_app; c = modal_app.serve_config(); print(c.base_model, c.adapter, c.db)'],
      { cwd: trainingDir, env: { ...process.env, ...env }, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('tiny /data/models/grpo/r2/final /data/serve/serve.db');
  });
});
