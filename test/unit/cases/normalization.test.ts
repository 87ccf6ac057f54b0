// The one normalisation: schemas/normalization.json's golden cases (the Python suite checks the
// same file), through every TypeScript path that normalises — the string loop, the regex
// definition, the seed key and the byte scan behind the duplicate bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import golden from '../../../schemas/normalization.json';
import {
  findDuplicates,
  hasNoDuplicates,
  normalizeEvent,
  normalizeUnicode,
  seedKeyOf,
} from '../../../src/cases/normalize';

describe('schemas/normalization.json', () => {
  it('has cases for every kind the definition names', () => {
    expect(golden.cases.length).toBeGreaterThanOrEqual(30);
    const inputs = golden.cases.map((c) => c.input);
    for (const s of ['U.S. sanctions', 'Café opens', 'Stock drops 15%', '']) expect(inputs).toContain(s);
  });

  it.each(golden.cases)('$input → $normalized ($why)', ({ input, normalized }) => {
    expect(normalizeEvent(input)).toBe(normalized);
    expect(normalizeUnicode(input)).toBe(normalized);
    expect(seedKeyOf(input, '2024-01-01')).toBe(`${normalized}\u00002024-01-01`);
  });

  it('equal normalised forms are exact duplicates to the hashed bound and the exact check', () => {
    const groups = new Map<string, string[]>();
    for (const c of golden.cases)
      if (c.normalized) groups.set(c.normalized, [...(groups.get(c.normalized) ?? []), c.input]);
    for (const inputs of groups.values()) {
      if (inputs.length < 2) continue;
      expect(findDuplicates(inputs).every((d) => d.exact)).toBe(true);
      expect(hasNoDuplicates(inputs)).toBe(false);
    }
  });

  it('a decimal point is kept on every path, wherever the digits around it come from', () => {
    const part = fc.constantFrom('3', '5', '.', '３', '．', ' ', 'a', '-', '%', '½', 'é');
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 10 }).map((p) => p.join('')),
        fc.constantFrom('2024-01-01', 'x'),
        (s, date) => {
          expect(normalizeEvent(s)).toBe(normalizeUnicode(s));
          expect(seedKeyOf(s, date)).toBe(`${normalizeUnicode(s)}\u0000${date}`);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('the byte scan agrees where NFKC composes across an ASCII character (< and U+0338 are ≮, a symbol)', () => {
    expect(normalizeEvent('a <\u0338 b')).toBe('a b');
    const word = fc.constantFrom(
      'a',
      'b',
      '<',
      '=',
      '\u0338',
      'e',
      '\u0301',
      '-',
      '/',
      'é',
      'U.S.',
      'us',
      ' ',
      'Σ',
      '.',
      '3',
      '5',
      '３',
      '½',
      '3.5',
      '35',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(word, { maxLength: 6 }).map((w) => w.join('')),
          { minLength: 2, maxLength: 4 },
        ),
        (events) => {
          expect(hasNoDuplicates(events)).toBe(findDuplicates(events).length === 0);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
