import { describe, expect, it } from 'vitest';
import { StreamingDecimator, emaSmooth, lttb } from '../../../src/dashboard/decimate';

describe('lttb', () => {
  it('keeps threshold points including first, last and an isolated spike', () => {
    const xs = Array.from({ length: 10_000 }, (_, i) => i);
    const ys = xs.map((x) => Math.sin(x / 500) + (x === 4321 ? 50 : 0));
    const keep = lttb(xs, ys, 500);
    expect(keep).toHaveLength(500);
    expect(keep[0]).toBe(0);
    expect(keep.at(-1)).toBe(9999);
    expect(keep).toContain(4321);
    expect([...keep].sort((a, b) => a - b)).toEqual(keep);
  });

  it('returns every index when the series is already small', () => {
    expect(lttb([1, 2, 3], [3, 2, 1], 10)).toEqual([0, 1, 2]);
  });
});

describe('StreamingDecimator', () => {
  it('draws at most 2·maxBuckets points however long the history, keeping the extremes', () => {
    const d = new StreamingDecimator(200);
    let min = Infinity;
    let max = -Infinity;
    for (let s = 0; s < 100_000; s++) {
      const y = Math.cos(s / 1000) + (s === 77_777 ? 9 : 0) - (s === 12_345 ? 9 : 0);
      min = Math.min(min, y);
      max = Math.max(max, y);
      d.push(s, y);
    }
    const env = d.envelope();
    expect(d.size).toBe(100_000);
    expect(env.xs.length).toBeLessThanOrEqual(400);
    expect(env.xs.length).toBeGreaterThan(100);
    expect(Math.max(...env.ys)).toBe(max);
    expect(Math.min(...env.ys)).toBe(min);
    expect(env.xs).toContain(77_777);
    expect(env.xs).toContain(12_345);
    for (let i = 1; i < env.xs.length; i++) expect(env.xs[i]!).toBeGreaterThan(env.xs[i - 1]!);
  });

  it('keeps every point while fewer steps than buckets', () => {
    const d = new StreamingDecimator(1000);
    for (let s = 1; s <= 120; s++) d.push(s, 1 / s);
    expect(d.envelope().xs).toHaveLength(120);
    expect(d.means().ys).toEqual(Array.from({ length: 120 }, (_, i) => 1 / (i + 1)));
  });

  it('bucket means preserve the overall mean (weighted by count)', () => {
    const d = new StreamingDecimator(10);
    let sum = 0;
    for (let s = 0; s < 1000; s++) {
      d.push(s, s % 7);
      sum += s % 7;
    }
    const m = d.means();
    expect(m.xs.length).toBeLessThanOrEqual(10);
    // Equal-width buckets over a uniform step range hold equal counts except the last.
    const width = 1000 / m.xs.length;
    expect(Math.abs(m.ys.reduce((a, b) => a + b, 0) * width - sum) / sum).toBeLessThan(0.05);
  });

  it('ignores non-finite values', () => {
    const d = new StreamingDecimator(10);
    d.push(1, NaN);
    d.push(2, Infinity);
    d.push(3, 1);
    expect(d.size).toBe(1);
  });
});

describe('emaSmooth', () => {
  it('is the identity at weight 0 and debiased (first value kept) otherwise', () => {
    expect(emaSmooth([1, 2, 3], 0)).toEqual([1, 2, 3]);
    const s = emaSmooth([4, 4, 4, 0], 0.9);
    expect(s[0]).toBeCloseTo(4);
    expect(s[2]).toBeCloseTo(4);
    expect(s[3]!).toBeLessThan(4);
    expect(s[3]!).toBeGreaterThan(2);
  });
});
