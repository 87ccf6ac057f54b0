import { describe, expect, it } from 'vitest';
import { checkLine } from '../../../src/cases/lineCheck';
import { applyFix, fixesForLine } from '../../../src/cases/editing/fixes';
import type { LineFix } from '../../../src/cases/editing/fixes';
import { caseFromSpec as aCase, levelOf, lineOf } from '../cases/builders';

/** The fixes VS Code would offer for a line: computed from the core's real diagnostics of it. */
function fixesFor(line: string): LineFix[] {
  const refs = checkLine(line).diagnostics.map((d) => ({ code: d.code, character: d.range.start.character }));
  return fixesForLine(line, refs);
}

function errorsOf(line: string): string[] {
  return checkLine(line)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => `${d.code}: ${d.message}`);
}

/** A case with one level of these [event, label] candidates, as a line. */
function oneLevelLine(...candidates: [string, 0 | 1][]): string {
  return lineOf(aCase({ levels: [levelOf(...candidates)] }));
}

function expectValidCase(line: string): void {
  expect(errorsOf(line)).toEqual([]);
  expect(checkLine(line).case).toBeDefined();
  expect(line).not.toContain('\n');
}

describe('make this candidate the actual', () => {
  const noActual = oneLevelLine(['Stock drops', 0], ['IPO delayed', 0], ['Merger', 0]);

  it('offers one fix per candidate when a level has no actual, each a valid case', () => {
    const fixes = fixesFor(noActual);
    expect(fixes.map((f) => f.title)).toEqual([
      'Make "Stock drops" the actual outcome (depth 1)',
      'Make "IPO delayed" the actual outcome (depth 1)',
      'Make "Merger" the actual outcome (depth 1)',
    ]);
    for (const fix of fixes) expectValidCase(applyFix(noActual, fix));
  });

  it('changes only the one label value', () => {
    const fix = fixesFor(noActual)[1];
    expect(fix?.edits).toHaveLength(1);
    expect(applyFix(noActual, fix!)).toBe(noActual.replace('"IPO delayed", "label": 0', '"IPO delayed", "label": 1'));
  });

  it('with several actuals, sets the chosen one to 1 and the others to 0', () => {
    const line = oneLevelLine(['A happens', 1], ['B happens', 1], ['C happens', 0]);
    const fixes = fixesFor(line);
    expect(fixes).toHaveLength(3);
    const chooseC = fixes.find((f) => f.title.startsWith('Make "C happens"'));
    const fixed = applyFix(line, chooseC!);
    expectValidCase(fixed);
    expect(checkLine(fixed).case?.levels[0]?.candidates.map((c) => c.label)).toEqual([0, 0, 1]);
  });

  it('targets only the level the diagnostic points into', () => {
    const line = lineOf(
      aCase({
        levels: [levelOf(['A', 0], ['B', 0]), levelOf(['C', 1], ['D', 1])],
      }),
    );
    const fixes = fixesFor(line);
    expect(fixes.map((f) => f.title)).toEqual([
      'Make "A" the actual outcome (depth 1)',
      'Make "B" the actual outcome (depth 1)',
      'Make "C" the actual outcome (depth 2)',
      'Make "D" the actual outcome (depth 2)',
    ]);
    // Fixing level 1 leaves level 2's error, which has its own fixes.
    const afterA = applyFix(line, fixes[0]!);
    expect(errorsOf(afterA).every((e) => e.startsWith('multiple-actuals'))).toBe(true);
    const both = applyFix(
      afterA,
      fixesFor(afterA).find((f) => f.title.startsWith('Make "D"'))!,
    );
    expectValidCase(both);
  });

  it('adds a missing label instead of leaving the candidate without one', () => {
    const line =
      '{"seed": {"event": "X", "date": "2023-01-15"}, "levels": [{"depth": 1, "candidates": [{"event": "A"}, {"event": "B", "label": 0}]}]}';
    const fix = fixesFor(line).find((f) => f.title.startsWith('Make "A"'));
    expect(fix).toBeDefined();
    const fixed = applyFix(line, fix!);
    expect(fixed).toBe(line.replace('{"event": "A"}', '{"event": "A", "label": 1}'));
    expectValidCase(fixed);
  });

  it('offers nothing on a level that already has exactly one actual', () => {
    expect(fixesFor(lineOf(aCase()))).toEqual([]);
  });
});

describe('renumber depths', () => {
  it('renumbers 1..n and keeps the rest of the line byte for byte', () => {
    const line = lineOf(
      aCase({
        levels: [
          { ...levelOf(['A', 1], ['B', 0]), depth: 2 },
          { ...levelOf(['C', 1], ['D', 0]), depth: 5 },
        ],
      }),
    );
    const fixes = fixesFor(line);
    expect(fixes.map((f) => f.title)).toEqual(['Renumber depths 1..2']);
    const fixed = applyFix(line, fixes[0]!);
    expect(fixed).toBe(line.replace('"depth": 2', '"depth": 1').replace('"depth": 5', '"depth": 2'));
    expectValidCase(fixed);
  });

  it('inserts a missing depth', () => {
    const line =
      '{"seed": {"event": "X", "date": "2023-01-15"}, "levels": [{"candidates": [{"event": "A", "label": 1}, {"event": "B", "label": 0}]}]}';
    const fix = fixesFor(line).find((f) => f.title === 'Renumber depths 1..1');
    expect(fix).toBeDefined();
    const fixed = applyFix(line, fix!);
    expect(fixed).toContain('[{"depth": 1, "candidates"');
    expectValidCase(fixed);
  });

  it('replaces a depth that is not a number', () => {
    const line = lineOf(aCase()).replace('"depth": 2', '"depth": "two"');
    const fix = fixesFor(line).find((f) => f.code === 'depth-sequence' || f.title.startsWith('Renumber'));
    expect(fix).toBeDefined();
    expectValidCase(applyFix(line, fix!));
  });
});

describe('rewrite the date', () => {
  it.each([
    ['2023/01/15', '2023-01-15'],
    ['15 Jan 2023', '2023-01-15'],
    ['January 15, 2023', '2023-01-15'],
    ['2023-1-5', '2023-01-05'],
  ])('rewrites %s as %s, touching only the date', (date, iso) => {
    const line = lineOf(aCase({ date }));
    const fixes = fixesFor(line);
    expect(fixes.map((f) => f.title)).toEqual([`Rewrite date as ${iso}`]);
    const fixed = applyFix(line, fixes[0]!);
    expect(fixed).toBe(lineOf(aCase({ date: iso })));
    expectValidCase(fixed);
  });

  it.each(['01/02/2023', '2023-02-30', 'last week'])('offers no rewrite for %s', (date) => {
    const line = lineOf(aCase({ date }));
    expect(errorsOf(line).length).toBeGreaterThan(0);
    expect(fixesFor(line).filter((f) => f.title.startsWith('Rewrite date'))).toEqual([]);
  });
});

describe('remove a duplicate candidate', () => {
  type Candidates = [string, 0 | 1][];
  it.each<[name: string, before: Candidates, title: string, after: Candidates]>([
    [
      'removes the later duplicate (last in the array) with its comma',
      [
        ['Stock drops', 1],
        ['IPO delayed', 0],
        ['ipo delayed.', 0],
      ],
      'Remove duplicate candidate "ipo delayed." (depth 1, candidate 3)',
      [
        ['Stock drops', 1],
        ['IPO delayed', 0],
      ],
    ],
    [
      'keeps the actual when it is the later duplicate, removing the earlier one from the middle',
      [
        ['Merger', 0],
        ['Layoffs', 0],
        ['merger', 1],
      ],
      'Remove duplicate candidate "Merger" (depth 1, candidate 1)',
      [
        ['Layoffs', 0],
        ['merger', 1],
      ],
    ],
  ])('%s', (_name, before, title, after) => {
    const line = oneLevelLine(...before);
    const fixes = fixesFor(line);
    expect(fixes.map((f) => f.title)).toEqual([title]);
    const fixed = applyFix(line, fixes[0]!);
    expect(fixed).toBe(oneLevelLine(...after));
    expectValidCase(fixed);
    expect(checkLine(fixed).diagnostics).toEqual([]);
  });

  it('does not offer a removal that would leave fewer than two candidates', () => {
    const line = oneLevelLine(['Merger', 1], ['Merger', 0]);
    expect(fixesFor(line).filter((f) => f.title.startsWith('Remove duplicate'))).toEqual([]);
  });
});

describe('fixesForLine on bad input', () => {
  it.each(['', '{', 'not json', '[1,2]', '{"seed": 1}', '\ufeff{"levels": 3}', 'null'])(
    'returns no fix and does not throw for %j',
    (line) => {
      const refs = [
        { code: 'no-actual', character: 0 },
        { code: 'depth-sequence', character: 0 },
        { code: 'invalid-date', character: 0 },
        { code: 'duplicate-candidate', character: 0 },
        { code: 'schema', character: 0 },
      ];
      expect(() => fixesForLine(line, refs)).not.toThrow();
      expect(fixesForLine(line, refs)).toEqual([]);
    },
  );

  it('works on line 0 behind a BOM (offsets stay those of the line text)', () => {
    const line = `\ufeff${lineOf(aCase({ date: '2023/01/15' }))}`;
    const fix = fixesForLine(line, [{ code: 'schema', character: line.indexOf('"2023/01/15"') }])[0];
    expect(applyFix(line, fix!)).toBe(`\ufeff${lineOf(aCase())}`);
  });
});
