// The chart-as-table helper: categories or x values down, one column per series, notes beside values.
import { describe, expect, it } from 'vitest';
import { chartTableRows, formatPoint } from '../../../webview/shared/chartTable';

describe('chartTableRows', () => {
  it('category charts: a row per label, a column per series, missing values as —, notes beside values', () => {
    const rows = chartTableRows({
      caption: 'Brier',
      xTitle: 'Depth',
      labels: ['All', 'Depth 1'],
      series: [
        { label: 'SFT', data: [0.12, null], note: (k) => (k === 0 ? '95 % interval [0.105, 0.135]' : undefined) },
        { label: 'Gate < 0.15', data: [0.15, 0.15] },
      ],
    });
    expect(rows).toEqual({
      head: ['Depth', 'SFT', 'Gate < 0.15'],
      rows: [
        ['All', '0.12 (95 % interval [0.105, 0.135])', '0.15'],
        ['Depth 1', '—', '0.15'],
      ],
    });
  });

  it('linear charts: one row per x any series has, in order; several points at one x (an envelope) all listed', () => {
    const rows = chartTableRows({
      caption: 'Loss',
      xTitle: 'step',
      series: [
        {
          label: 'loss',
          data: [
            { x: 2, y: 1.5 },
            { x: 2, y: 1.25 },
            { x: 1, y: 2 },
          ],
        },
        {
          label: 'smoothed',
          data: [
            { x: 1, y: 2 },
            { x: 3, y: null },
          ],
        },
      ],
    });
    expect(rows.rows).toEqual([
      ['1', '2', '2'],
      ['2', '1.5 / 1.25', '—'],
      ['3', '—', '—'],
    ]);
  });

  it('numbers: integers whole, others to four significant digits, tiny learning rates readable', () => {
    expect(formatPoint(120)).toBe('120');
    expect(formatPoint(0.123456)).toBe('0.1235');
    expect(formatPoint(2e-5)).toBe('0.00002');
    expect(formatPoint(1234.5678)).toBe('1235');
  });
});
