// Properties of the editing helpers over generated input: they never throw on any line, every
// range they return lies inside the line, and each quick fix turns a case with one defect into a
// valid case (checked by the core's own checkLine).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Case } from '../../../src/contracts/case';
import { checkLine } from '../../../src/cases/lineCheck';
import { completionsAt } from '../../../src/cases/editing/completion';
import { normalizeDate } from '../../../src/cases/editing/dates';
import { applyFix, fixesForLine } from '../../../src/cases/editing/fixes';
import { compactForWriteBack, formatForEditing } from '../../../src/cases/editing/formattedLine';
import { caseHoverMarkdown } from '../../../src/cases/editing/hover';
import { stringifyLike } from '../../../src/lineEdit/lineEdit';
import { lineOf } from '../cases/builders';

const CODES = [
  'no-actual',
  'multiple-actuals',
  'depth-sequence',
  'invalid-date',
  'schema',
  'duplicate-candidate',
  'json-syntax',
];

/** Lines that look like JSON often enough to reach the interesting paths. */
const lineArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 4 }),
  fc.json({ maxDepth: 4 }).map((j) => j.slice(0, Math.floor(j.length / 2))),
);

const eventArb = fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,20}[a-z]$/);

/** A valid case: distinct candidates, exactly one actual per level, depths 1..n. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({
    event: eventArb,
    levels: fc.array(
      fc
        .uniqueArray(eventArb, {
          minLength: 2,
          maxLength: 5,
          selector: (e) => e.toLowerCase().replace(/\s+/g, ' ').trim(),
        })
        .chain((events) =>
          fc
            .nat(events.length - 1)
            .map((actual) =>
              events.map((event, i) => ({ event: `${event} ${String(i)}`, label: (i === actual ? 1 : 0) as 0 | 1 })),
            ),
        ),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map(({ event, levels }) => ({
    seed: { event, date: '2023-01-15' },
    levels: levels.map((candidates, i) => ({ depth: i + 1, candidates })),
  }));

function fixesOf(line: string) {
  return fixesForLine(
    line,
    checkLine(line).diagnostics.map((d) => ({ code: d.code, character: d.range.start.character })),
  );
}

function errors(line: string): string[] {
  return checkLine(line)
    .diagnostics.filter((d) => d.severity === 'error')
    .map((d) => d.message);
}

describe('editing helpers on any line', () => {
  it('never throw, and every edit or completion range lies inside the line', () => {
    fc.assert(
      fc.property(lineArb, fc.nat(), fc.constantFrom(...CODES), (line, at, code) => {
        const offset = line.length === 0 ? 0 : at % (line.length + 1);
        for (const fix of fixesForLine(line, [{ code, character: offset }])) {
          for (const e of fix.edits) expect(0 <= e.start && e.start <= e.end && e.end <= line.length).toBe(true);
        }
        for (const c of completionsAt(line, offset))
          expect(0 <= c.start && c.start <= c.end && c.end <= line.length).toBe(true);
        caseHoverMarkdown(line);
        normalizeDate(line);
        const back = compactForWriteBack(formatForEditing(line).text, line);
        if (back.ok) expect(back.line).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('fixes turn a one-defect case into a valid case', () => {
  it('no actual: every offered candidate fix gives a valid case', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (generated, pick) => {
        const c = structuredClone(generated); // fast-check may reuse values while shrinking
        const level = pick % c.levels.length;
        for (const cand of c.levels[level]!.candidates) cand.label = 0;
        const line = lineOf(c);
        const fixes = fixesOf(line);
        expect(fixes).toHaveLength(c.levels[level]!.candidates.length);
        for (const fix of fixes) expect(errors(applyFix(line, fix))).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('depth gaps: renumbering gives a valid case', () => {
    fc.assert(
      fc.property(
        caseArb,
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 4, maxLength: 4 }),
        (generated, depths) => {
          const c = structuredClone(generated);
          c.levels.forEach((l, i) => (l.depth = depths[i]!));
          const line = lineOf(c);
          if (errors(line).length === 0) return; // happened to be 1..n already
          const fix = fixesOf(line).find((f) => f.title.startsWith('Renumber'));
          expect(fix).toBeDefined();
          expect(errors(applyFix(line, fix!))).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('an unambiguous date in another format: the rewrite gives a valid case with the same day', () => {
    // English month names from Intl, not a copy of src/cases/dates.ts's table: an independent oracle.
    const months = Array.from({ length: 12 }, (_, k) =>
      new Date(Date.UTC(2000, k, 1)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' }),
    );
    fc.assert(
      fc.property(
        caseArb,
        fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        fc.nat(3),
        (generated, d, style) => {
          const c = structuredClone(generated);
          const [y, m, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
          const iso = `${String(y)}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
          const written = [
            `${String(y)}/${String(m)}/${String(day)}`,
            `${String(day)} ${months[m - 1]!} ${String(y)}`,
            `${months[m - 1]!} ${String(day)}, ${String(y)}`,
            `${String(y)}-${String(m)}-${String(day)}`,
          ][style]!;
          c.seed.date = written;
          const line = lineOf(c);
          const fixes = fixesOf(line);
          if (written === iso) {
            expect(fixes).toEqual([]);
            return;
          }
          expect(fixes.map((f) => f.title)).toEqual([`Rewrite date as ${iso}`]);
          const fixed = applyFix(line, fixes[0]!);
          expect(errors(fixed)).toEqual([]);
          expect(checkLine(fixed).case?.seed.date).toBe(iso);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('an exact duplicate candidate: removing it gives a valid case without the warning', () => {
    fc.assert(
      fc.property(caseArb, fc.nat(), (generated, pick) => {
        const c = structuredClone(generated); // fast-check may reuse values while shrinking
        const level = c.levels[pick % c.levels.length]!;
        const source = level.candidates[pick % level.candidates.length]!;
        level.candidates.push({ event: source.event.toUpperCase(), label: 0 });
        const line = lineOf(c);
        const fix = fixesOf(line).find((f) => f.title.startsWith('Remove duplicate'));
        expect(fix).toBeDefined();
        const fixed = applyFix(line, fix!);
        expect(errors(fixed)).toEqual([]);
        expect(checkLine(fixed).diagnostics.filter((d) => d.code === 'duplicate-candidate')).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });
});

describe('the formatted-line write-back on any pair of values', () => {
  // Few keys and leaves, so an original and an edit often share structure and the diff recurses.
  const { value: valueArb } = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.constantFrom(0, 1, 1.5, -2, 'x', 'café', '', true, false, null),
      fc.array(tie('value'), { maxLength: 3 }),
      fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), tie('value'), { maxKeys: 4 }),
    ),
  }));
  const styleArb = fc.record({ colon: fc.constantFrom(':', ': '), comma: fc.constantFrom(',', ', ') });
  const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

  it('writes a line that reads as the edited value, and an unedited line unchanged', () => {
    fc.assert(
      fc.property(valueArb, valueArb, styleArb, (before, after, style) => {
        // The original spells é as an escape and 1 as 1.0: bytes the side editor never shows.
        const original = stringifyLike(before, style)
          .replaceAll('é', '\\u00e9')
          .replace(/(?<![\d.])1(?![\d.])/g, '1.0');
        const edited = `${JSON.stringify(after, null, 2)}\n`;
        const back = compactForWriteBack(edited, original);
        expect(back.ok).toBe(true);
        if (!back.ok) return;
        expect(back.line).not.toMatch(/[\r\n]/);
        expect(asJson(JSON.parse(back.line))).toEqual(asJson(after));
        if (JSON.stringify(asJson(before)) === JSON.stringify(asJson(after))) expect(back.line).toBe(original);
      }),
      { numRuns: 500 },
    );
  });
});
