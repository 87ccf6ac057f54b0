import { describe, expect, it } from 'vitest';
import type { MatchCounts } from '../../../src/contracts/metrics';
import { EXACT_DOMINANCE, exactDominance, formatShift, kindShift } from '../../../src/dashboard/matchShift';
import { latestEvals } from '../../../src/dashboard/series';
import { evalEv, stageEvals, type Counts } from './builders';

const counts = ([exact, semantic, llm, none]: Counts): MatchCounts => ({ exact, semantic, llm, none });
const v2 = { version: '2', jaccard: 0.6, cosine: 0.508, model: 'sentence-transformers/all-MiniLM-L6-v2' };

describe('exact dominance (the overfitting sign)', () => {
  it('flags a high exact share with paraphrase hits near zero', () => {
    const d = exactDominance(counts([115, 2, 0, 33]));
    expect(d.status).toBe('flagged');
    expect(d.text).toBe(
      'exact matches dominate: 77 % exact, 2 % of hits paraphrased — possible memorisation (overfitting)',
    );
  });

  it('does not flag many exact matches when paraphrases are hit too (a model that also says it in its own words)', () => {
    const d = exactDominance(counts([80, 32, 18, 20]));
    expect(d.status).toBe('clear');
    expect(d.text).toBe('53 % exact, 38 % of hits paraphrased');
  });

  it('does not flag few exact matches, even with no paraphrase hits', () => {
    expect(exactDominance(counts([20, 0, 0, 30])).status).toBe('clear');
  });

  it('sits exactly on the documented thresholds', () => {
    // exact share 11/22 = 0.5 (at the minimum) and paraphrase share 1/12 < 0.1: flagged.
    expect(exactDominance(counts([11, 1, 0, 10])).status).toBe('flagged');
    // exact share 10/21, just under 0.5: clear.
    expect(exactDominance(counts([10, 0, 0, 11])).status).toBe('clear');
    // paraphrase share exactly 0.1 (not under it): clear.
    expect(exactDominance(counts([18, 1, 1, 0])).status).toBe('clear');
    expect(EXACT_DOMINANCE).toEqual({ minExactShare: 0.5, maxParaphraseShare: 0.1, minLevels: 20 });
  });

  it('never judges a handful of levels or an empty evaluation', () => {
    expect(exactDominance(counts([19, 0, 0, 0]))).toMatchObject({
      status: 'too-few',
      text: 'too few levels to judge (19 < 20)',
    });
    expect(exactDominance(counts([0, 0, 0, 0]))).toMatchObject({
      status: 'too-few',
      exactShare: null,
      paraphraseShare: null,
    });
    expect(exactDominance(counts([0, 0, 0, 25]))).toMatchObject({ status: 'clear', text: '0 % exact, no hits' });
  });
});

describe('kind shift across runs and stages', () => {
  const matrix = (evs: ReturnType<typeof stageEvals>) => latestEvals(evs);

  it('one row per run and stage from the whole-split counts, with the exact share shift from the row above', () => {
    const a = matrix([
      ...stageEvals('baseline', 3, 0.2, [[10, 10, 5, 25]]),
      ...stageEvals('sft', 2, 0.1, [[45, 1, 0, 4]]),
    ]);
    const b = matrix(stageEvals('sft', 2, 0.1, [[20, 15, 5, 10]]));
    const rows = kindShift([
      { label: 'a · Baseline', runId: 'a', stage: 'baseline', byDepth: a.get('baseline')! },
      { label: 'a · SFT', runId: 'a', stage: 'sft', byDepth: a.get('sft')! },
      { label: 'b · SFT', runId: 'b', stage: 'sft', byDepth: b.get('sft')! },
    ]);
    expect(rows.map((r) => [r.label, r.shares.exact, r.dominance.status, r.exactShift])).toEqual([
      ['a · Baseline', 0.2, 'clear', null],
      ['a · SFT', 0.9, 'flagged', 70],
      ['b · SFT', 0.4, 'clear', -50],
    ]);
    expect(rows.map(formatShift)).toEqual(['—', '+70 pts', '\u221250 pts']);
  });

  it('pools per-depth counts when a stage has no whole-split eval', () => {
    const byDepth = latestEvals([
      evalEv('sft', 1, { perplexity: 2, brier: 0.1, match: [10, 1, 0, 2] }),
      evalEv('sft', 2, { perplexity: 2, brier: 0.1, match: [8, 0, 0, 4] }),
    ]).get('sft')!;
    const [row] = kindShift([{ label: 'SFT', runId: 'r', stage: 'sft', byDepth }]);
    expect(row!.counts).toEqual({ exact: 18, semantic: 1, llm: 0, none: 6 });
    expect(row!.dominance.status).toBe('flagged');
  });

  it('gives no shift between rows counted by different matchers, or when a row evaluated nothing', () => {
    const withMatcher = (c: Counts, matcher?: typeof v2) =>
      latestEvals([
        { ...evalEv('sft', null, { perplexity: 2, brier: 0.1, match: c }), ...(matcher ? { matcher } : {}) },
      ]).get('sft')!;
    const rows = kindShift([
      { label: 'old', runId: 'old', stage: 'sft', byDepth: withMatcher([10, 5, 0, 5]) },
      { label: 'new', runId: 'new', stage: 'sft', byDepth: withMatcher([12, 5, 0, 3], v2) },
      { label: 'empty', runId: 'empty', stage: 'sft', byDepth: withMatcher([0, 0, 0, 0], v2) },
    ]);
    expect(rows.map((r) => [r.exactShift, r.shiftNote])).toEqual([
      [null, null],
      [null, 'matchers differ'],
      [null, 'no levels'],
    ]);
    expect(rows.map(formatShift)).toEqual(['—', 'matchers differ', 'no levels']);
  });
});
