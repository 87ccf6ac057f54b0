import { describe, expect, it } from 'vitest';
import {
  formatInterval,
  formatNumber,
  formatParseFailures,
  formatReadout,
  headlineReadout,
  stageForecast,
} from '../../../src/dashboard/readouts';
import { latestEvals } from '../../../src/dashboard/series';
import { STAGE_COUNTS, UNIFORM_BRIER_4, stageEvals } from './builders';

const counts = STAGE_COUNTS.sft;

describe('stage forecast readouts', () => {
  it('the headline is the readout the stage trained: letters for baseline and SFT, stated for GRPO', () => {
    expect(['baseline', 'sft', 'grpo'].map((s) => headlineReadout(s as 'baseline'))).toEqual([
      'letters',
      'letters',
      'stated',
    ]);
  });

  it("reads skill, intervals, both readouts and parse failures from the stage's whole-split eval", () => {
    const f = stageForecast('grpo', latestEvals(stageEvals('grpo', 2.2, 0.12, counts, { forecast: true })).get('grpo'));
    expect(f.headline).toBe('stated');
    expect(f.brierSkill).toBeCloseTo(1 - 0.12 / UNIFORM_BRIER_4);
    // GRPO's headline is the stated forecast, so the top-level Brier is the stated one.
    expect(f.stated?.brier).toBe(0.12);
    expect(f.letters?.brier).toBeCloseTo(0.14);
    expect(f.ci?.brier[0]).toBeCloseTo(0.105);
    expect(f.ci?.matchRate[1]).toBeCloseTo(130 / 150 + 0.05);
    expect(f.parseFailures).toBe(0);
    expect(f.n).toBe(150);
  });

  it('an old run without those fields gives nulls, shown as —', () => {
    const f = stageForecast('sft', latestEvals(stageEvals('sft', 2.1, 0.12, counts)).get('sft'));
    expect(f).toEqual({
      headline: 'letters',
      brierSkill: null,
      ci: null,
      letters: null,
      stated: null,
      parseFailures: null,
      n: 150,
    });
    expect([
      formatNumber(f.brierSkill),
      formatInterval(f.ci?.brier),
      formatReadout(f.letters),
      formatParseFailures(f.parseFailures, f.n),
    ]).toEqual(['—', '', '—', '—']);
    expect(stageForecast('sft', undefined).n).toBeNull();
  });

  it('formats skill with a real minus, intervals as [lo, hi], shares in percent', () => {
    expect(formatNumber(-0.1104)).toBe('\u22120.110');
    expect(formatNumber(-0.00001)).toBe('0.000');
    expect(formatNumber(0.49)).toBe('0.490');
    expect(formatInterval([0.4, 0.57])).toBe('[0.400, 0.570]');
    expect(formatInterval([-0.2, 0.05])).toBe('[\u22120.200, 0.050]');
    expect(formatInterval([0.801, 0.9], { percent: true })).toBe('[80.1, 90.0] %');
    expect(formatParseFailures(3, 150)).toBe('3 (2.0 %)');
    expect(formatParseFailures(0, 0)).toBe('0');
    expect(formatReadout({ brier: 0.09, brierSkill: 0.49, ece: 0.03 })).toBe('Brier 0.090 · skill 0.490');
  });
});
