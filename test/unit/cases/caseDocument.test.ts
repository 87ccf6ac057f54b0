// File-level rules, line endings, and the incremental model: after any edits, the document's
// diagnostics equal those of a fresh document built from the same text.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaseDocument, POSITION_BIAS_MIN_CASES, validateText } from '../../../src/cases/caseDocument';
import { keyHash, seedEventHashOf, seedKeyOf } from '../../../src/cases/normalize';
import { statsOf } from '../../../src/cases/stats';
import type { CaseDiagnostic } from '../../../src/cases/types';
import { aCase, aLevel, caseLine, someCases, spanOf } from './builders';

function brief(ds: CaseDiagnostic[]): [number, string, number, number][] {
  return ds.map((d) => [d.range.start.line, d.code, d.range.start.character, d.range.end.character]);
}

describe('file-level rules', () => {
  it('duplicate-id: an error on the later id value, naming the first line', () => {
    const a = caseLine(aCase({ id: 'x', seed: { event: 'One', date: '2023-01-01' } }));
    const b = caseLine(aCase({ id: 'x', seed: { event: 'Two', date: '2023-01-01' } }));
    const ds = validateText(`${a}\n${b}\n`);
    expect(brief(ds)).toEqual([[1, 'duplicate-id', ...spanOf(b, '"x"')]]);
    expect(ds[0]?.message).toBe('id "x" is already used on line 1: ids must be unique in a file, rename this one');
    expect(validateText(`${a}\n${caseLine(aCase({ id: 'y', seed: { event: 'Two', date: '2023-01-01' } }))}`)).toEqual(
      [],
    );
  });

  it('repeated-seed: normalised event and same date, a warning on the later seed', () => {
    const a = caseLine(aCase({ id: 'a', seed: { event: 'Tech layoffs', date: '2023-01-15' } }));
    const b = caseLine(aCase({ id: 'b', seed: { event: 'tech  layoffs!', date: '2023-01-15' } }));
    const c = caseLine(aCase({ id: 'c', seed: { event: 'Tech layoffs', date: '2023-01-16' } }));
    const ds = validateText([a, b, c].join('\n'));
    expect(brief(ds)).toEqual([[1, 'repeated-seed', ...spanOf(b, '{"event":"tech  layoffs!","date":"2023-01-15"}')]]);
    expect(ds[0]?.severity).toBe('warning');
  });

  it('seed-in-train-and-eval: a warning on the eval or test split', () => {
    const a = caseLine(aCase({ id: 'a', split: 'train' }));
    const b = caseLine(aCase({ id: 'b', split: 'eval' }));
    const ds = validateText(`${a}\n${b}`);
    expect(brief(ds)).toEqual([
      [1, 'repeated-seed', ...spanOf(b, '{"event":"Tech layoffs","date":"2023-01-15"}')],
      [1, 'seed-in-train-and-eval', ...spanOf(b, '"eval"')],
    ]);
    expect(ds[1]?.message).toBe(
      'this seed event is also in train (line 1): eval would test what the model trained on, keep each seed event in one split whatever its dates',
    );
    // A test split is held out too: the same leak.
    const test = caseLine(aCase({ id: 'b', split: 'test' }));
    expect(brief(validateText(`${a}\n${test}`))).toEqual([
      [1, 'repeated-seed', ...spanOf(test, '{"event":"Tech layoffs","date":"2023-01-15"}')],
      [1, 'seed-in-train-and-eval', ...spanOf(test, '"test"')],
    ]);
    // Eval and test sharing a seed event, or cases without a split, are not train: no leak.
    const none = caseLine(
      aCase({ id: 'c', seed: { event: 'Tech layoffs', date: '2024-02-01' } }),
      (o) => delete o.split,
    );
    expect(validateText(`${b}\n${test.replace('"b"', '"t"')}\n${none}`).map((d) => d.code)).toEqual(['repeated-seed']);
  });

  it('seed-in-train-and-eval: the same seed event whatever its dates (normalised text)', () => {
    const a = caseLine(
      aCase({ id: 'a', seed: { event: 'Central bank of Brazil raises rates', date: '2019-03-01' }, split: 'train' }),
    );
    const b = caseLine(
      aCase({ id: 'b', seed: { event: 'central bank of Brazil raises rates!', date: '2021-07-09' }, split: 'eval' }),
    );
    const c = caseLine(
      aCase({ id: 'c', seed: { event: 'Central bank of Brazil raises  rates', date: '2022-11-30' }, split: 'test' }),
    );
    const other = caseLine(
      aCase({ id: 'd', seed: { event: 'Central bank of Chile raises rates', date: '2021-07-09' }, split: 'eval' }),
    );
    const ds = validateText([a, b, c, other].join('\n'));
    expect(brief(ds)).toEqual([
      [1, 'seed-in-train-and-eval', ...spanOf(b, '"eval"')],
      [2, 'seed-in-train-and-eval', ...spanOf(c, '"test"')],
    ]);
    expect(ds[0]?.message).toBe(
      'this seed event is also in train (line 1, on another date): eval would test what the model trained on, keep each seed event in one split whatever its dates',
    );
    // The train case's line is named even when it comes after the held-out one.
    expect(
      validateText([b, a].join('\n')).map((d) => [d.range.start.line, d.message.match(/line (\d+)/)?.[1]]),
    ).toEqual([[0, '2']]);
  });

  it('seed-in-train-and-eval: found between a line the scanner takes and one it leaves to JSON.parse, on other dates', () => {
    const a = caseLine(aCase({ id: 'a', seed: { event: 'Tech layoffs', date: '2023-01-15' }, split: 'train' }));
    // Non-ASCII text elsewhere: this line goes the JSON.parse way; a non-ASCII seed event hashes the same either way.
    const b = caseLine(
      aCase({ id: 'b', seed: { event: 'TECH layoffs', date: '2020-05-05' }, split: 'eval', source: { note: 'café' } }),
    );
    const c = caseLine(aCase({ id: 'c', seed: { event: 'Café closes', date: '2020-05-05' }, split: 'train' }));
    const d = caseLine(aCase({ id: 'd', seed: { event: 'café closes.', date: '2021-05-05' }, split: 'eval' }), (o) => {
      o.source = { note: 'x\u0000' };
    });
    expect(brief(validateText([a, b, c, d].join('\n'))).map(([line, code]) => [line, code])).toEqual([
      [1, 'seed-in-train-and-eval'],
      [3, 'seed-in-train-and-eval'],
    ]);
  });

  it("seed-in-train-and-eval: none in the generator's output (training/psychohistory/synthetic.py, held-out seed events and chains)", () => {
    // Written by the generator at its defaults with n_cases=120; training/tests/test_synthetic.py checks it is current.
    const text = readFileSync(join(__dirname, '../../fixtures/cases/synthetic.cases.jsonl'), 'utf8');
    const doc = new CaseDocument(text);
    expect(doc.counts().splits).toEqual({ train: 82, eval: 20, test: 18 });
    expect(doc.diagnostics()).toEqual([]);
    // The rule does look at this file: an eval case moved to train makes the other eval cases of its seed event leak.
    const lines = text.split('\n');
    const evalOf = (event: string): number =>
      lines.filter((l) => l.includes(JSON.stringify(event)) && l.includes('"split": "eval"')).length;
    const eventOf = (l: string): string => (JSON.parse(l) as { seed: { event: string } }).seed.event;
    const k = lines.findIndex((l) => l.includes('"split": "eval"') && evalOf(eventOf(l)) > 1);
    const sameEvent = evalOf(eventOf(lines[k] as string));
    lines[k] = (lines[k] as string).replace('"split": "eval"', '"split": "train"');
    expect(validateText(lines.join('\n')).map((d) => d.code)).toEqual(
      Array(sameEvent - 1).fill('seed-in-train-and-eval'),
    );
  });

  it('a repeat is found between a line the scanner takes and one it leaves to JSON.parse', () => {
    const a = caseLine(aCase({ id: 'x', seed: { event: 'Tech layoffs', date: '2023-01-15' }, split: 'train' }));
    // An escape and non-ASCII text: this line goes the JSON.parse way, with the same id and seed.
    const b = caseLine(
      aCase({ id: 'x', seed: { event: 'tech layoffs', date: '2023-01-15' }, split: 'eval', source: { note: 'café' } }),
    ).replace('"id":"x"', '"id":"\\u0078"');
    expect(brief(validateText(`${a}\n${b}`)).map(([line, code]) => [line, code])).toEqual([
      [1, 'duplicate-id'],
      [1, 'repeated-seed'],
      [1, 'seed-in-train-and-eval'],
    ]);
  });

  it('ids and seeds whose hashes collide are still told apart by their text', () => {
    // The document groups ids and seeds by a 30-bit hash; these pairs share one (found by search).
    expect(keyHash('case-82196')).toBe(keyHash('case-327000'));
    expect(keyHash(seedKeyOf('Rates rise 86291', '2024-01-02'))).toBe(
      keyHash(seedKeyOf('Rates rise 218160', '2024-01-02')),
    );
    const a = caseLine(
      aCase({ id: 'case-82196', seed: { event: 'Rates rise 86291', date: '2024-01-02' }, split: 'train' }),
    );
    const b = caseLine(
      aCase({ id: 'case-327000', seed: { event: 'Rates rise 218160', date: '2024-01-02' }, split: 'eval' }),
    );
    expect(validateText(`${a}\n${b}`)).toEqual([]);
    // A true repeat next to a colliding one is still found, against the right line.
    const c = caseLine(
      aCase({ id: 'case-82196', seed: { event: 'rates RISE 86291!', date: '2024-01-02' }, split: 'eval' }),
    );
    const ds = validateText(`${a}\n${b}\n${c}`);
    expect(brief(ds)).toEqual([
      [2, 'duplicate-id', ...spanOf(c, '"case-82196"')],
      [2, 'repeated-seed', ...spanOf(c, '{"event":"rates RISE 86291!","date":"2024-01-02"}')],
      [2, 'seed-in-train-and-eval', ...spanOf(c, '"eval"')],
    ]);
    expect(ds.map((d) => d.message.match(/line (\d+)/)?.[1])).toEqual(['1', '1', '1']);
    // Seed events alone (any date) are grouped by their own hash: a collision there is told apart too.
    expect(seedEventHashOf('Floods hit town 64401')).toBe(seedEventHashOf('Floods hit town 440580'));
    const d = caseLine(
      aCase({ id: 'd', seed: { event: 'Floods hit town 64401', date: '2020-01-01' }, split: 'train' }),
    );
    const e = caseLine(
      aCase({ id: 'e', seed: { event: 'Floods hit town 440580', date: '2021-01-01' }, split: 'eval' }),
    );
    expect(validateText(`${d}\n${e}`)).toEqual([]);
    const f = caseLine(aCase({ id: 'f', seed: { event: 'floods hit TOWN 64401', date: '2022-01-01' }, split: 'test' }));
    expect(brief(validateText(`${d}\n${e}\n${f}`))).toEqual([[2, 'seed-in-train-and-eval', ...spanOf(f, '"test"')]]);
  });

  it(`actual-position-bias: from ${POSITION_BIAS_MIN_CASES} cases with the actual always in one place`, () => {
    const biased = someCases(POSITION_BIAS_MIN_CASES, () => 1).map((c) => caseLine(c));
    const ds = validateText(biased.join('\n'));
    expect(brief(ds)).toEqual([[0, 'actual-position-bias', ...spanOf(biased[0] as string, '"levels"')]]);
    expect(ds[0]?.message).toBe(
      `the actual is candidate 2 in all ${POSITION_BIAS_MIN_CASES} levels of all ${POSITION_BIAS_MIN_CASES} cases: a model can learn the position, shuffle the candidates`,
    );
    expect(validateText(biased.slice(1).join('\n'))).toEqual([]); // too few cases to tell
    const mixed = someCases(POSITION_BIAS_MIN_CASES * 2).map((c) => caseLine(c));
    expect(validateText(mixed.join('\n'))).toEqual([]);
  });

  it('blank-line: warned between cases, fine at the end', () => {
    const a = caseLine(aCase({ id: 'a', seed: { event: 'One', date: '2023-01-01' } }));
    const b = caseLine(aCase({ id: 'b', seed: { event: 'Two', date: '2023-01-01' } }));
    expect(brief(validateText(`${a}\n\n  \n${b}\n`))).toEqual([
      [1, 'blank-line', 0, 0],
      [2, 'blank-line', 0, 2],
    ]);
    expect(validateText(`${a}\n${b}\n`)).toEqual([]);
    expect(validateText(`${a}\n${b}\n\n\n`)).toEqual([]);
    expect(validateText('')).toEqual([]);
  });

  it('CRLF, a lone CR and a BOM are fine', () => {
    const a = caseLine(aCase({ id: 'a', seed: { event: 'One', date: '2023-01-01' } }));
    const b = caseLine(aCase({ id: 'b', seed: { event: 'Two', date: '2023-01-01' } }));
    const doc = new CaseDocument(`\ufeff${a}\r\n${b}\r\n`);
    expect(doc.diagnostics()).toEqual([]);
    expect(doc.hadBom).toBe(true);
    expect(doc.lineCount).toBe(3);
    expect(doc.lineText(0)).toBe(a);
    expect(new CaseDocument(`${a}\r${b}`).lineCount).toBe(2);
    expect(doc.cases().map((c) => [c.line, c.case.id])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });

  it('puts line diagnostics on their real line', () => {
    const good = caseLine(aCase({ id: 'a' }));
    const doc = new CaseDocument(`${good}\n{"id":1}`);
    expect(doc.lineResult(1).diagnostics.every((d) => d.range.start.line === 1)).toBe(true);
    expect(doc.lineResult(0).case?.id).toBe('a');
    expect(doc.diagnostics().every((d) => d.range.start.line === 1)).toBe(true);
  });
});

describe('editing', () => {
  const lines = [
    caseLine(aCase({ id: 'a', seed: { event: 'One', date: '2023-01-01' } })),
    caseLine(aCase({ id: 'b', seed: { event: 'Two', date: '2023-01-01' } })),
    caseLine(aCase({ id: 'c', seed: { event: 'Three', date: '2023-01-01' } })),
  ];

  it('applyChange re-checks the edited line and the file rules', () => {
    const doc = new CaseDocument(lines.join('\n'));
    expect(doc.diagnostics()).toEqual([]);
    const at = (lines[2] as string).indexOf('"c"') + 1;
    doc.applyChange({ start: { line: 2, character: at }, end: { line: 2, character: at + 1 } }, 'a');
    expect(brief(doc.diagnostics())).toEqual([[2, 'duplicate-id', at - 1, at + 2]]);
    doc.applyChange({ start: { line: 0, character: 0 }, end: { line: 1, character: 0 } }, '');
    expect(doc.diagnostics()).toEqual([]);
    expect(doc.lineCount).toBe(2);
  });

  it('replaceLines inserts, replaces and deletes', () => {
    const doc = new CaseDocument(lines.join('\n'));
    doc.replaceLines(1, 1, `${lines[0]}\r\n`);
    expect(doc.lineCount).toBe(5);
    expect(brief(doc.diagnostics()).map((d) => [d[0], d[1]])).toEqual([
      [1, 'duplicate-id'],
      [1, 'repeated-seed'],
      [2, 'blank-line'],
    ]);
    doc.replaceLines(1, 3, '');
    expect(doc.getText()).toBe(lines.join('\n'));
    expect(doc.diagnostics()).toEqual([]);
    doc.replaceLines(0, 99, '');
    expect(doc.lineCount).toBe(1);
    expect(doc.lineText(0)).toBe('');
  });

  it('clamps positions outside the document instead of throwing', () => {
    const doc = new CaseDocument(lines.join('\n'));
    doc.applyChange({ start: { line: 99, character: 5 }, end: { line: -3, character: 999 } }, 'x');
    expect(() => doc.diagnostics()).not.toThrow();
  });

  it('incremental diagnostics equal a full re-validation after random edits', () => {
    // Lines that exercise every file rule: duplicates, seeds, splits, blanks, errors, bias.
    const pool = [
      ...lines,
      caseLine(aCase({ id: 'a', split: 'eval', seed: { event: 'one', date: '2023-01-01' } })),
      caseLine(aCase({ id: 'g', split: 'test', seed: { event: 'TWO!', date: '2024-06-30' } })),
      caseLine(aCase({ id: 'h', split: 'eval', seed: { event: 'Thrée', date: '2022-02-02' } })),
      caseLine(aCase({ id: 'i', split: 'train', seed: { event: 'thrée', date: '2021-01-01' } })),
      caseLine(aCase({ id: 'd', levels: [aLevel(1, ['A', 'B', 'C'], 1)] })),
      caseLine(aCase({ id: 'e', levels: [aLevel(1, ['A', 'B', 'C'], 1)] })),
      caseLine(aCase({ id: 'f', levels: [aLevel(1, ['A', 'B', 'C'], 1), aLevel(2, ['D', 'E'], 1)] })),
      '',
      '{"id":"a"',
      '{"id":"b","seed":{"event":"Two","date":"2023-02-30"},"levels":[]}',
    ];
    const edit = fc.record({
      start: fc.nat(12),
      len: fc.nat(3),
      lines: fc.array(fc.constantFrom(...pool), { maxLength: 3 }),
      char: fc.nat(200),
      text: fc.constantFrom('', 'x', '"', '\n', '}', '\r\n', '1'),
      kind: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...pool), { maxLength: 10 }),
        fc.array(edit, { maxLength: 8 }),
        (initial, edits) => {
          const doc = new CaseDocument(initial.join('\n'));
          for (const e of edits) {
            if (e.kind) doc.replaceLines(e.start, e.start + e.len, e.lines.join('\n'));
            else
              doc.applyChange(
                { start: { line: e.start, character: e.char }, end: { line: e.start + e.len, character: e.char } },
                e.text,
              );
            const fresh = new CaseDocument(doc.getText());
            expect(doc.diagnostics()).toEqual(fresh.diagnostics());
            expect(statsOf(doc)).toEqual(statsOf(fresh));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
