import { describe, expect, it } from 'vitest';
import { CaseDocument } from '../../../src/cases/caseDocument';
import { statsOf } from '../../../src/cases/stats';
import { aCase, aLevel, caseLine } from './builders';

describe('statsOf', () => {
  it('counts cases, depths, candidates, actual positions, splits and diagnostics', () => {
    const text = [
      caseLine(
        aCase({
          id: 'a',
          seed: { event: 'One', date: '2023-01-01' },
          levels: [aLevel(1, ['A', 'B'], 0), aLevel(2, ['C', 'D', 'E'], 2)],
        }),
      ),
      caseLine(
        aCase({
          id: 'b',
          seed: { event: 'Two', date: '2023-01-01' },
          split: 'eval',
          levels: [aLevel(1, ['A', 'B', 'A'], 1)],
        }),
      ),
      caseLine(aCase({ id: 'c', seed: { event: 'Three', date: '2023-01-01' } }), (o) => delete o.split),
      '',
      '{"id":"broken"',
      '',
    ].join('\n');
    expect(statsOf(new CaseDocument(text))).toEqual({
      cases: 3,
      invalidLines: 1,
      levelsPerDepth: { '1': 3, '2': 1 },
      candidatesPerLevel: { '2': 1, '3': 3 },
      actualPosition: { '1': 2, '2': 1, '3': 1 },
      splits: { train: 1, eval: 1, none: 1 },
      errors: 1,
      warnings: { 'duplicate-candidate': 1, 'blank-line': 1 },
    });
  });

  it('counts big cases too (many levels, many candidates, late actuals) and follows edits', () => {
    const many = Array.from({ length: 17 }, (_, k) => `Outcome number ${k}`);
    const big = caseLine(aCase({ id: 'big', levels: [1, 2, 3, 4, 5].map((d) => aLevel(d, many, 10 + d)) }));
    const doc = new CaseDocument(`${big}\n`);
    expect(statsOf(doc)).toMatchObject({
      cases: 1,
      levelsPerDepth: { '1': 1, '5': 1 },
      candidatesPerLevel: { '17': 5 },
      actualPosition: { '12': 1, '15': 1 },
    });
    doc.replaceLines(0, 1, caseLine(aCase()));
    expect(statsOf(doc)).toMatchObject({
      cases: 1,
      levelsPerDepth: { '1': 1 },
      candidatesPerLevel: { '3': 1 },
      actualPosition: { '1': 1 },
    });
  });

  it('is all zeros for an empty file', () => {
    expect(statsOf(new CaseDocument(''))).toEqual({
      cases: 0,
      invalidLines: 0,
      levelsPerDepth: {},
      candidatesPerLevel: {},
      actualPosition: {},
      splits: {},
      errors: 0,
      warnings: {},
    });
  });
});
