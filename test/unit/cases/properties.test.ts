// Property tests: any line is handled (no throw, ranges inside the line), syntax errors agree
// with JSON.parse, and the fast path agrees with the zod slow path on random (mutated) cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanCaseFacts, isCleanCase, factsOf } from '../../../src/cases/fastPath';
import { scanCleanCase } from '../../../src/cases/scanLine';
import { checkLine, isBlank, slowCheck } from '../../../src/cases/lineCheck';
import {
  findDuplicates,
  hasNoDuplicates,
  keyHash,
  keyHashOfBytes,
  lastSeedEventHash,
  normalizeEvent,
  normalizeUnicode,
  seedEventHashOf,
  seedHashOfBytes,
  seedKeyOf,
} from '../../../src/cases/normalize';
import { generateCase } from '../../../bench/generate';
import { aCase, aLevel, caseLine } from './builders';
import type { Case } from '../../../src/contracts/case';

/** One word of `vocabulary` (words separated by single spaces), as fast-check's constantFrom draws it. */
const aWordOf = (vocabulary: string): fc.Arbitrary<string> => fc.constantFrom(...vocabulary.split(' '));

// Hand-built cases plus generated realistic ones (as in the benchmark).
let seed = 7;
const rnd = (): number => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
const valid = [
  ...Array.from({ length: 24 }, (_, k) => JSON.stringify(generateCase(rnd, k, k % 4 === 3))),
  caseLine(aCase()),
  caseLine(aCase({ levels: [aLevel(1), aLevel(2, ['Rates rise', 'Rates fall'], 1)], source: { url: 'u' } })),
  caseLine(aCase({ id: undefined, split: 'eval' })),
  // Provenance fields (contract 1): a verified case with two dated sources for its actual, and a draft.
  caseLine(aCase(), (o) => {
    (o.seed as Record<string, unknown>).sources = [
      { url: 'https://a.example/s', published: '2023-01-15', title: 'Seed' },
    ];
    const c0 = ((o.levels as Record<string, unknown>[])[0]!.candidates as Record<string, unknown>[])[0]!;
    c0.sources = [
      { url: 'https://b.example/1', published: '2023-01-20', quote: 'q' },
      { url: 'https://c.example/2', published: '2023-02-01' },
    ];
    o.provenance = { agent: 'chronicler', model: 'm', createdAt: '2026-01-05T10:00:00Z' };
    o.review = {
      status: 'verified',
      checks: [{ name: 'resolvable', ok: true, detail: 'd' }],
      reviewedAt: '2026-01-06T10:00:00.5+01:00',
    };
  }),
  caseLine(aCase({ review: { status: 'draft' }, provenance: { agent: 'human', createdAt: '2026-01-05T10:00:00Z' } })),
];

/** Random edits of a valid line: delete, insert or replace a slice with JSON-ish fragments. */
const mutatedLine = fc
  .tuple(
    fc.constantFrom(...valid),
    fc.array(
      fc.record({
        at: fc.nat(400),
        del: fc.nat(6),
        ins: fc.oneof(
          fc.constantFrom(
            '',
            '"',
            ',',
            '{',
            '}',
            '[',
            ']',
            ':',
            '0',
            '1',
            '2',
            '-',
            '.',
            'e',
            ' ',
            '\t',
            'null',
            'true',
            '"x"',
            "'",
            '\\',
            '\u00a0',
            '\ufeff',
            '//',
            'NaN',
            '"label":1',
            '"depth":2',
            '"date":"2023-02-30"',
            '"extra":0',
          ),
          fc.string({ maxLength: 4 }),
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([line, edits]) => {
    let s = line;
    for (const e of edits) {
      const at = e.at % (s.length + 1);
      s = s.slice(0, at) + e.ins + s.slice(at + e.del);
    }
    return s;
  });

/** Random parsed JSON that is often close to a case: values swapped at known paths. */
const mutatedValue = fc
  .tuple(
    fc.constantFrom(...valid),
    fc.array(
      fc.record({
        path: fc.constantFrom(
          'id',
          'seed',
          'seed.event',
          'seed.date',
          'levels',
          'levels.0',
          'levels.0.depth',
          'levels.0.candidates',
          'levels.0.candidates.0',
          'levels.0.candidates.1.label',
          'levels.0.candidates.2.event',
          'split',
          'source',
          'extra',
          '__proto__',
          'levels.1',
          'seed.sources',
          'seed.sources.0.published',
          'seed.sources.0.url',
          'levels.0.candidates.0.sources',
          'levels.0.candidates.0.sources.1',
          'levels.0.candidates.0.sources.0.published',
          'levels.0.candidates.1.sources',
          'provenance',
          'provenance.agent',
          'provenance.createdAt',
          'review',
          'review.status',
          'review.checks',
          'review.checks.0.ok',
          'review.reviewedAt',
        ),
        value: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.constantFrom(
            undefined,
            0,
            1,
            2,
            -0,
            1.5,
            '',
            ' ',
            '2023-02-30',
            '2024-02-29',
            'train',
            'eval',
            'Stock drops 15%',
            'stock drops 15',
            'IPO  delayed!',
            'Partnership announced today',
            'verified',
            'rejected',
            'draft',
            'human',
            'robot',
            '2023-01-14',
            '2023-01-16',
            '2026-01-05T10:00:00Z',
            '2026-01-05T10:00:00',
            'https://d.example/x',
            'ftp://d.example',
            [],
            [{ url: 'https://e.example/1', published: '2023-01-15' }],
            { status: 'verified' },
          ),
        ),
      }),
      { minLength: 1, maxLength: 3 },
    ),
  )
  .map(([line, edits]) => {
    const root = JSON.parse(line) as Record<string, unknown>;
    for (const e of edits) {
      const keys = e.path.split('.');
      let o: unknown = root;
      for (const k of keys.slice(0, -1))
        o = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined;
      if (o === null || typeof o !== 'object') continue;
      const last = keys[keys.length - 1] as string;
      if (e.value === undefined) delete (o as Record<string, unknown>)[last];
      // A copy: the constants are shared by every run, and an edit inside one (provenance.agent) must not make it
      // refer to itself (a circular line) or leak into the next run.
      else
        Object.defineProperty(o, last, {
          value: structuredClone(e.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
    }
    return JSON.stringify(root);
  });

function assertSane(text: string): void {
  const r = checkLine(text);
  for (const d of r.diagnostics) {
    expect(d.range.start.line).toBe(0);
    expect(d.range.end.line).toBe(0);
    expect(d.range.start.character).toBeGreaterThanOrEqual(0);
    expect(d.range.start.character).toBeLessThanOrEqual(d.range.end.character);
    expect(d.range.end.character).toBeLessThanOrEqual(text.length);
    expect(d.message.length).toBeGreaterThan(0);
  }
  let parses = true;
  try {
    JSON.parse(text);
  } catch {
    parses = false;
  }
  const syntax = r.diagnostics.some((d) => d.code === 'json-syntax');
  if (!isBlank(text)) expect(syntax).toBe(!parses);
}

describe('any line', () => {
  it('random strings never throw, ranges lie inside the line, syntax errors iff JSON.parse throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), assertSane), { numRuns: 1500 });
    fc.assert(fc.property(fc.json({ maxDepth: 3 }), assertSane), { numRuns: 500 });
  });

  it('random mutations of valid cases never throw and agree with JSON.parse', () => {
    fc.assert(fc.property(mutatedLine, assertSane), { numRuns: 1200 });
  });

  it('deeply nested input does not overflow', () => {
    assertSane(`${'['.repeat(200_000)}${']'.repeat(200_000)}`);
    assertSane(`{"seed":${'['.repeat(100_000)}`);
  });
});

describe('fast path', () => {
  it('says clean exactly when the slow path reports nothing, with the same facts', () => {
    const agree = (text: string): void => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return;
      }
      const slow = slowCheck(text, value);
      expect(isCleanCase(value)).toBe(slow.diagnostics.length === 0);
      expect(factsOf(value)).toEqual(slow.facts);
      const r = checkLine(text);
      expect(r.diagnostics).toEqual(slow.diagnostics);
      expect(r.facts).toEqual(slow.facts);
      expect(r.case === undefined).toBe(slow.case === undefined);
    };
    fc.assert(fc.property(mutatedValue, agree), { numRuns: 1500 });
    fc.assert(fc.property(mutatedLine, agree), { numRuns: 600 });
  });

  it('hashed duplicate check agrees with the exact one', () => {
    const word = aWordOf('stock Stock drops DROPS 15% the ipo delayed u.s. us café - ! a b');
    const event = fc
      .array(word, { maxLength: 6 })
      .chain((ws) => fc.constantFrom(ws.join(' '), ws.join('  '), ws.join('\t'), ws.join('')));
    fc.assert(
      fc.property(fc.array(event, { minLength: 2, maxLength: 6 }), (events) => {
        expect(hasNoDuplicates(events)).toBe(findDuplicates(events).length === 0);
      }),
      { numRuns: 5000 },
    );
  });

  it('ASCII normalisation equals the Unicode definition', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30, unit: 'binary-ascii' }), (s) => {
        expect(normalizeEvent(s)).toBe(normalizeUnicode(s));
      }),
      { numRuns: 5000 },
    );
    expect(normalizeEvent('  Stock   DROPS, 15%! ')).toBe('stock drops 15');
    // Any text, astral symbols, lone surrogates and context-dependent lowercasing included.
    for (const unit of ['binary', 'grapheme'] as const) {
      fc.assert(
        fc.property(fc.string({ maxLength: 30, unit }), (s) => {
          expect(normalizeEvent(s)).toBe(normalizeUnicode(s));
        }),
        { numRuns: 3000 },
      );
    }
    for (const s of [
      'ΟΔΟΣ ΟΔΟΣ. Σ',
      'İstanbul',
      'K\u212a',
      '😀 hi 👍🏽!',
      '\u00a0x\u3000y\ufeff',
      'a\ud800b',
      'x'.repeat(100_000) + ' É',
    ]) {
      expect(normalizeEvent(s)).toBe(normalizeUnicode(s));
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.string({ maxLength: 12 }), (event, date) => {
        expect(seedKeyOf(event, date)).toBe(`${normalizeUnicode(event)}\u0000${date}`);
      }),
      { numRuns: 2000 },
    );
  });
});

/** The same case written differently: keys reordered, whitespace between tokens, JSON extras. */
const rewrittenLine = fc
  .tuple(
    fc.constantFrom(...valid),
    fc.constantFrom('', ' ', '\t', '  ', '\r', '\n'),
    fc.boolean(),
    fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
    fc.constantFrom(
      undefined,
      '"Stock \\"drops\\""',
      '"Stock drops\\u0021"',
      '"caf\u00e9 opens"',
      '"Rates \\n rise"',
      '1.0',
      '1e0',
      '-0',
      '01',
      '1 ',
      ' 1',
    ),
  )
  .map(([line, gap, reorder, extra, raw]) => {
    const reordered = (o: unknown): unknown => {
      if (Array.isArray(o)) return o.map(reordered);
      if (o === null || typeof o !== 'object') return o;
      const entries = Object.entries(o).map(([k, v]) => [k, reordered(v)] as const);
      return Object.fromEntries(reorder ? entries.reverse() : entries);
    };
    const value = reordered(JSON.parse(line)) as Record<string, unknown>;
    if (extra !== undefined) value.source = { note: extra };
    // Whitespace JSON allows between any two tokens (outside strings).
    let text = JSON.stringify(value, null, 1).replace(/\n */g, gap);
    // A raw fragment in place of the first candidate's label or event.
    if (raw !== undefined) {
      text = raw.startsWith('"')
        ? text.replace(/("event":\s*)"[^"]*"/, `$1${raw}`)
        : text.replace(/("label":\s*)[01]/, `$1${raw}`);
    }
    return text;
  });

describe('line scanner (the hot path before JSON.parse)', () => {
  /** Clean ⇒ JSON.parse accepts it, the slow path reports nothing, and the facts are the same. */
  let clean = 0;
  const sound = (text: string): void => {
    const facts = scanCleanCase(text);
    if (facts === undefined) return;
    clean++;
    const value: unknown = JSON.parse(text);
    expect(slowCheck(text, value).diagnostics).toEqual([]);
    expect(facts).toEqual(cleanCaseFacts(value));
  };

  it('says clean only for clean cases, with the facts of the object path', () => {
    fc.assert(fc.property(mutatedLine, sound), { numRuns: 3000 });
    fc.assert(fc.property(mutatedValue, sound), { numRuns: 2000 });
    fc.assert(fc.property(rewrittenLine, sound), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), sound), { numRuns: 1000 });
    // The check has teeth: hundreds of those lines were judged clean by the scanner.
    expect(clean).toBeGreaterThan(500);
  });

  it('takes the clean cases of a real dataset, however they are spaced or ordered', () => {
    // Provenance fields are keys the scanner does not know: it leaves those lines to the object path.
    const provenance = /"(sources|provenance|review)"/;
    for (const line of valid)
      expect(scanCleanCase(line)).toEqual(provenance.test(line) ? undefined : cleanCaseFacts(JSON.parse(line)));
    fc.assert(
      fc.property(rewrittenLine, (text) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch {
          return; // a raw 01 is not JSON
        }
        // Escapes and numbers other than plain digits are left to JSON.parse.
        const plain = !/\\|"label":\s*(1\.0|1e0|-0|01)/.test(text);
        if (provenance.test(text)) return;
        if (plain && cleanCaseFacts(value)) expect(scanCleanCase(text)).toBeDefined();
      }),
      { numRuns: 1000 },
    );
  });

  it('hashes ids, seed keys and seed events from bytes exactly as from strings (the two paths meet in one index)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 40, unit: 'binary-ascii' }),
        fc.string({ minLength: 10, maxLength: 10, unit: 'binary-ascii' }),
        (event, date) => {
          const bytes = Uint8Array.from(`${event}${date}`, (ch) => ch.charCodeAt(0));
          expect(keyHashOfBytes(bytes, 0, event.length)).toBe(keyHash(event));
          expect(seedHashOfBytes(bytes, 0, event.length, event.length, event.length + 10)).toBe(
            keyHash(seedKeyOf(event, date)),
          );
          expect(lastSeedEventHash()).toBe(seedEventHashOf(event));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('reads non-ASCII text from its UTF-8 bytes: ids, seeds, blank events, duplicates', () => {
    const line = (o: Record<string, unknown>): string => caseLine(aCase(o as Partial<Case>));
    const accented = line({
      id: 'são-paulo-1',
      seed: { event: 'Protests in São Paulo — 10,000 march', date: '2024-03-01' },
    });
    expect(scanCleanCase(accented)).toEqual(cleanCaseFacts(JSON.parse(accented)));
    expect(scanCleanCase(accented)?.seedKey).toBe('protests in são paulo 10000 march\u00002024-03-01');
    // Only a no-break space: blank for zod's trim(), so not clean.
    expect(scanCleanCase(line({ seed: { event: '\u00a0\u3000', date: '2024-03-01' } }))).toBeUndefined();
    // Near-duplicates in non-ASCII text are found by the exact check.
    expect(
      scanCleanCase(line({ levels: [aLevel(1, ['Zürich bank fails', 'zürich BANK fails!', 'Rates rise'])] })),
    ).toBeUndefined();
    expect(scanCleanCase(line({ levels: [aLevel(1, ['Zürich bank fails', 'Rates rise in Genève'])] }))).toBeDefined();
    // A string that starts with U+FEFF keeps it (TextDecoder drops it unless told not to).
    const bom = line({ id: '\ufeffcase-0' });
    expect(scanCleanCase(bom)?.id).toBe('\ufeffcase-0');
    // A lone surrogate would not survive UTF-8: left to JSON.parse.
    const lone = line({ id: 'x' }).replace('"id":"x"', '"id":"x\ud800"');
    expect(cleanCaseFacts(JSON.parse(lone))?.id).toBe('x\ud800');
    expect(scanCleanCase(lone)).toBeUndefined();
  });

  it('judges duplicates in any text as the object path does (bytes and Unicode tokens hash alike)', () => {
    const word = aWordOf('stock Stock drops São SÃO paulo Zürich ZÜRICH — “big” İstanbul ΟΔΟΣ οδος the 15% a K\u212a');
    const event = fc
      .tuple(fc.array(word, { minLength: 1, maxLength: 5 }), fc.constantFrom(' ', '  ', '\u00a0', ' - '))
      .map(([ws, gap]) => ws.join(gap));
    fc.assert(
      fc.property(fc.array(event, { minLength: 2, maxLength: 5 }), (events) => {
        const line = caseLine(
          aCase({ levels: [{ depth: 1, candidates: events.map((e, k) => ({ event: e, label: k === 0 ? 1 : 0 })) }] }),
        );
        expect(scanCleanCase(line) !== undefined).toBe(cleanCaseFacts(JSON.parse(line)) !== undefined);
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves what it cannot judge to the object path', () => {
    const line = valid[0] as string;
    const escaped = line.replace('"event":"', '"event":"\\u0041 ');
    expect(scanCleanCase(escaped)).toBeUndefined();
    expect(cleanCaseFacts(JSON.parse(escaped))).toBeDefined();
    expect(scanCleanCase(line.replace('"label":1', '"label":1.0'))).toBeUndefined();
    expect(scanCleanCase(line.replace('"seed":{', '"seed":{"event":"x",'))).toBeUndefined(); // repeated key: JSON.parse keeps the last
    expect(scanCleanCase(`${line} x`)).toBeUndefined();
    expect(scanCleanCase(line.slice(0, -1))).toBeUndefined();
  });
});
