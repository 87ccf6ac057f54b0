import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  GATES,
  NO_SKILL,
  SKILL_NOT_REPORTED,
  allStageGates,
  coverageShares,
  judge,
  matchRate,
  parseGates,
  stageGates,
} from '../../../src/dashboard/gates';
import {
  depthsOf,
  digestEvents,
  latestEvals,
  runDuration,
  stagesOf,
  formatDuration,
  decimateColumns,
} from '../../../src/dashboard/series';
import { STAGE_COUNTS, at, evalEv, runRecord, stageEvals, train, trainCurve, withForecast } from './builders';

const gate = (id: string) => GATES.find((g) => g.id === id)!;

describe('gates', () => {
  it('reads its gates from schemas/gates.json, the fact the Python half reads too', () => {
    const file = JSON.parse(readFileSync(path.join(__dirname, '../../../schemas/gates.json'), 'utf8')) as {
      gates: { id: string; threshold: number; op: string }[];
    };
    expect(GATES.map((g) => [g.id, g.threshold, g.direction])).toEqual(
      file.gates.map((g) => [g.id, g.threshold, g.op === '<' ? 'below' : 'above']),
    );
    expect(GATES.map((g) => g.target)).toEqual(['< 2.5', '< 0.15, skill > 0', '> 80 %', '> 70 %']);
    expect(GATES.map((g) => [g.metric, g.minDepth, g.skillRequired])).toEqual([
      ['perplexity', null, false],
      ['brier', null, true],
      ['matchRate', null, false],
      ['matchRate', 3, false],
    ]);
  });

  it('refuses a gates file it cannot judge by, rather than judging by a guess', () => {
    const ok = { id: 'x', label: 'X', metric: 'brier', op: '<', threshold: 0.1 };
    expect(parseGates({ gates: [ok] })).toHaveLength(1);
    expect(() => parseGates({ gates: [{ ...ok, op: '<=' }] })).toThrow(/op/);
    expect(() => parseGates({ gates: [{ ...ok, threshold: '0.1' }] })).toThrow(/threshold/);
    expect(() => parseGates({ gates: [{ ...ok, metric: 'accuracy' }] })).toThrow(/metric/);
    expect(() => parseGates({ gates: [ok, ok] })).toThrow(/twice/);
    expect(() => parseGates({ gates: [{ ...ok, minDepth: 3 }] })).toThrow(/minDepth/);
    expect(() => parseGates({ gates: [{ ...ok, metric: 'perplexity', skillRequired: true }] })).toThrow(
      /skillRequired/,
    );
    expect(() => parseGates({})).toThrow(/gates/);
  });

  it('judges the thresholds strictly, as the pipeline targets say', () => {
    expect(judge(gate('perplexity'), 2.49).status).toBe('pass');
    expect(judge(gate('perplexity'), 2.5).status).toBe('fail');
    expect(judge(gate('brier'), 0.1499, 0.2).status).toBe('pass');
    expect(judge(gate('brier'), 0.15, 0.2).status).toBe('fail');
    expect(judge(gate('match'), 0.8).status).toBe('fail');
    expect(judge(gate('match'), 0.81).status).toBe('pass');
    expect(judge(gate('deepMatch'), 0.7).status).toBe('fail');
    expect(judge(gate('deepMatch'), null)).toEqual({ status: 'missing', reason: 'no data' });
  });

  it('a Brier under the target without skill is not a pass: fail with no skill, missing without a skill figure', () => {
    const brier = gate('brier');
    // A level of 8 candidates: the uniform forecast scores 7/64 ≈ 0.109, under the target already.
    expect(judge(brier, 0.109, 0)).toEqual({ status: 'fail', reason: NO_SKILL });
    expect(judge(brier, 0.12, -0.1)).toEqual({ status: 'fail', reason: NO_SKILL });
    expect(judge(brier, 0.12, null)).toEqual({ status: 'missing', reason: SKILL_NOT_REPORTED });
    expect(judge(brier, 0.12, Number.NaN)).toEqual({ status: 'missing', reason: SKILL_NOT_REPORTED });
    expect(judge(brier, 0.12, 0.01)).toEqual({ status: 'pass', reason: null });
    // Over the target it fails on the threshold, whatever the skill.
    expect(judge(brier, 0.2, 0.2)).toEqual({ status: 'fail', reason: null });
    expect(judge(brier, 0.2, null)).toEqual({ status: 'fail', reason: null });
    // Skill is asked of the Brier gate only.
    expect(judge(gate('perplexity'), 2, null)).toEqual({ status: 'pass', reason: null });
  });

  it("judges the Brier gate on the whole split's headline skill; a stage without it is incomplete, not ready", () => {
    const counts = STAGE_COUNTS.sft;
    const old = stageGates('sft', latestEvals(stageEvals('sft', 2.1, 0.12, counts)).get('sft'));
    expect(old.results[1]).toMatchObject({ status: 'missing', reason: SKILL_NOT_REPORTED, value: 0.12 });
    expect(old.overall).toBe('missing');
    const skilled = stageGates('sft', latestEvals(stageEvals('sft', 2.1, 0.12, counts, { forecast: true })).get('sft'));
    expect(skilled.results[1]).toMatchObject({ status: 'pass', reason: null });
    expect(skilled.overall).toBe('pass');
    const [all, ...depths] = stageEvals('sft', 2.1, 0.12, counts, { forecast: true });
    const chance = stageGates('sft', latestEvals([{ ...all!, brierSkill: -0.02 }, ...depths]).get('sft'));
    expect(chance.results[1]).toMatchObject({ status: 'fail', reason: NO_SKILL });
    expect(chance.overall).toBe('fail');
  });

  it('match rate is 1 − share of none over the counts, null with nothing evaluated', () => {
    expect(matchRate({ exact: 5, semantic: 2, llm: 1, none: 2 })).toBeCloseTo(0.8);
    expect(matchRate({ exact: 0, semantic: 0, llm: 0, none: 0 })).toBeNull();
    expect(coverageShares({ exact: 1, semantic: 1, llm: 1, none: 1 })).toEqual({
      exact: 0.25,
      semantic: 0.25,
      llm: 0.25,
      none: 0.25,
      total: 4,
    });
  });

  it('pools depth ≥ 3 counts for the deep gate and passes a stage only when every gate passes', () => {
    // depth 3: 22+10+6 matched of 50 = 76 %; depth 4: 10 of 20 = 50 %; pooled 48/70 = 68.6 % → fail.
    const evs = [
      ...stageEvals('sft', 2.1, 0.12, STAGE_COUNTS.sft, { forecast: true }),
      withForecast(evalEv('sft', 4, { perplexity: 2.9, brier: 0.2, match: [5, 3, 2, 10] })),
    ];
    const g = stageGates('sft', latestEvals(evs).get('sft'));
    expect(g.results.map((r) => [r.gate.id, r.status])).toEqual([
      ['perplexity', 'pass'],
      ['brier', 'pass'],
      ['match', 'pass'],
      ['deepMatch', 'fail'],
    ]);
    expect(g.results[3]!.value).toBeCloseTo(48 / 70);
    expect(g.overall).toBe('fail');
    const ok = stageGates('sft', latestEvals(evs.slice(0, 4)).get('sft'));
    expect(ok.overall).toBe('pass');
    expect(ok.n).toBe(150);
  });

  it('is missing, never passing, without a whole-split eval', () => {
    const g = stageGates(
      'grpo',
      latestEvals([evalEv('grpo', 1, { perplexity: 2, brier: 0.1, match: [9, 0, 0, 1] })]).get('grpo'),
    );
    expect(g.results.map((r) => r.status)).toEqual(['missing', 'missing', 'missing', 'missing']);
    expect(g.overall).toBe('missing');
  });

  it('orders stages baseline, SFT, GRPO whatever order they were logged in', () => {
    const m = latestEvals([
      ...stageEvals('grpo', 2, 0.1, [[1, 0, 0, 0]]),
      ...stageEvals('baseline', 3, 0.3, [[0, 0, 0, 1]]),
    ]);
    expect(stagesOf(m)).toEqual(['baseline', 'grpo']);
    expect(allStageGates(m).map((g) => [g.stage, g.overall])).toEqual([
      ['baseline', 'fail'],
      ['grpo', 'missing'],
    ]);
  });
});

describe('series', () => {
  it('turns events into train columns, evals, last cost and state', () => {
    const d = digestEvents([
      { type: 'status', state: 'running', time: at(0) },
      train(1, { loss: 3, lr: 1e-4 }),
      train(2, { loss: 2, lr: 2e-4, rewardMean: 0.6, rewardStd: 0.1 }),
      { type: 'cost', gpu: 'A10G', seconds: 10, usd: 0.1, time: at(3) },
      { type: 'cost', gpu: 'A10G', seconds: 20, usd: 0.2, time: at(4) },
      { type: 'artifact', name: 'adapter', path: '/data/models/sft/x/final', time: at(5) },
      { type: 'status', state: 'failed', message: 'OOM', time: at(6) },
    ]);
    expect(d.train).toEqual({
      step: [1, 2],
      loss: [3, 2],
      lr: [1e-4, 2e-4],
      rewardMean: [null, 0.6],
      rewardStd: [null, 0.1],
    });
    expect(d.cost).toEqual({ gpu: 'A10G', seconds: 20, usd: 0.2 });
    expect(d).toMatchObject({ lastState: 'failed', lastMessage: 'OOM', firstTime: at(0), lastTime: at(6) });
  });

  it('keeps the latest eval per stage and depth and lists depths "all" first', () => {
    const a = evalEv('sft', 2, { perplexity: 3, brier: 0.2, match: [1, 0, 0, 1] }, at(1));
    const b = evalEv('sft', 2, { perplexity: 2, brier: 0.1, match: [2, 0, 0, 0] }, at(2));
    const m = latestEvals([
      a,
      evalEv('sft', 10, { perplexity: 2, brier: 0.1, match: [1, 0, 0, 0] }),
      b,
      evalEv('baseline', null, { perplexity: 4, brier: 0.3, match: [0, 0, 0, 1] }),
    ]);
    expect(m.get('sft')!.get('2')).toBe(b);
    expect(depthsOf(m)).toEqual(['all', '2', '10']);
  });

  it('measures duration from run.json, counting a running job to now', () => {
    const rec = runRecord('r', 'sft', { startedAt: at(0), endedAt: at(3725) });
    expect(runDuration(rec, { firstTime: null, lastTime: null }, new Date())).toBe(3725);
    const running = runRecord('r', 'sft', { state: 'running', startedAt: at(0), endedAt: undefined });
    expect(runDuration(running, { firstTime: null, lastTime: null }, new Date(Date.parse(at(60))))).toBe(60);
    expect(runDuration(null, { firstTime: at(10), lastTime: at(70) }, new Date())).toBe(60);
    expect(runDuration(null, { firstTime: null, lastTime: null }, new Date())).toBeNull();
    expect(formatDuration(3725)).toBe('1 h 2 min');
    expect(formatDuration(65)).toBe('1 min 5 s');
  });

  it('thins long train columns with LTTB, keeping every column aligned', () => {
    const cols = digestEvents(trainCurve(20_000, 5, true)).train;
    const thin = decimateColumns(cols, 1000);
    expect(thin.step).toHaveLength(1000);
    for (const k of ['loss', 'lr', 'rewardMean', 'rewardStd'] as const) expect(thin[k]).toHaveLength(1000);
    const i = cols.step.indexOf(thin.step[500]!);
    expect(thin.lr[500]).toBe(cols.lr[i]);
    // The loss spike the curve builder puts at 60 % of the steps survives thinning.
    expect(thin.step).toContain(12_000);
  });
});
