// Each form action changes one line's text exactly where it should, keeps key order and bytes
// elsewhere, and leaves a valid case (checked with the same validator as the text editor).
import { describe, expect, it } from 'vitest';
import { checkLine } from '../../../src/cases/lineCheck';
import { applyEditOp, duplicateCaseText, newCaseText, renumberDepths, uniqueId } from '../../../src/caseTable/editOps';
import type { EditOp } from '../../../src/caseTable/editOps';
import { LineEditError, detectStyle, pathInLine } from '../../../src/lineEdit/lineEdit';

/** A typed builder for case lines, written in the contract's spaced style. */
function caseLine(
  o: { id?: string; split?: string; levels?: [string, string, string?][]; extra?: string } = {},
): string {
  const levels = (o.levels ?? [['Stock drops 15%', 'IPO delayed', 'Partnership announced']]).map((cands, i) => {
    const list = cands
      .filter((c): c is string => c !== undefined)
      .map((e, k) => `{"event": ${JSON.stringify(e)}, "label": ${k === 0 ? 1 : 0}}`);
    return `{"depth": ${i + 1}, "candidates": [${list.join(', ')}]}`;
  });
  const parts = [];
  if (o.id !== undefined) parts.push(`"id": ${JSON.stringify(o.id)}`);
  parts.push(`"seed": {"event": "Tech layoffs", "date": "2023-01-15"}`);
  parts.push(`"levels": [${levels.join(', ')}]`);
  if (o.split !== undefined) parts.push(`"split": ${JSON.stringify(o.split)}`);
  if (o.extra) parts.push(o.extra);
  return `{${parts.join(', ')}}`;
}

const BASE = caseLine({
  id: 'tech-layoffs-2023-01',
  split: 'train',
  extra: '"source": {"url": "https://example.org/\\u00e9", "agent": "x"}',
});

function expectValid(text: string): void {
  expect(text).not.toMatch(/[\r\n]/);
  const r = checkLine(text);
  expect(r.diagnostics).toEqual([]);
  expect(r.case).toBeDefined();
}

function apply(text: string, op: EditOp): string {
  const out = applyEditOp(text, op);
  expectValid(out);
  return out;
}

describe('value edits replace only the value', () => {
  it('sets the seed event', () => {
    const out = apply(BASE, { kind: 'setSeedEvent', value: 'Big "tech" layoffs' });
    expect(out).toBe(BASE.replace('"event": "Tech layoffs"', '"event": "Big \\"tech\\" layoffs"'));
  });

  it('sets the date, refusing a date that does not exist', () => {
    expect(apply(BASE, { kind: 'setSeedDate', value: '2024-02-29' })).toBe(BASE.replace('2023-01-15', '2024-02-29'));
    expect(() => applyEditOp(BASE, { kind: 'setSeedDate', value: '2023-02-29' })).toThrow(LineEditError);
    expect(() => applyEditOp(BASE, { kind: 'setSeedDate', value: '15/01/2023' })).toThrow(/YYYY-MM-DD/);
  });

  it('sets a candidate event and refuses an empty one', () => {
    const out = apply(BASE, { kind: 'setCandidateEvent', level: 0, candidate: 1, value: 'IPO cancelled' });
    expect(out).toBe(BASE.replace('IPO delayed', 'IPO cancelled'));
    try {
      applyEditOp(BASE, { kind: 'setCandidateEvent', level: 0, candidate: 1, value: '  ' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(LineEditError);
      expect((err as LineEditError).path).toBe('levels.0.candidates.1.event');
    }
  });

  it('keeps escapes and spacing of untouched parts byte for byte', () => {
    const out = apply(BASE, { kind: 'setSeedEvent', value: 'X' });
    expect(out).toContain('"source": {"url": "https://example.org/\\u00e9", "agent": "x"}');
    expect(out.length).toBe(BASE.length - 'Tech layoffs'.length + 1);
  });

  it('works in the compact style too', () => {
    const compact = JSON.stringify(JSON.parse(BASE));
    expect(detectStyle(compact)).toEqual({ colon: ':', comma: ',' });
    const out = apply(compact, { kind: 'addCandidate', level: 0 });
    expect(out).toBe(compact.replace('"label":0}]}]', '"label":0},{"event":"New candidate 4","label":0}]}]'));
  });
});

describe('split and id', () => {
  it('changes, removes and adds the split in contract order', () => {
    expect(apply(BASE, { kind: 'setSplit', value: 'eval' })).toBe(BASE.replace('"split": "train"', '"split": "eval"'));
    const removed = apply(BASE, { kind: 'setSplit', value: null });
    expect(removed).toBe(BASE.replace(', "split": "train"', ''));
    const added = apply(removed, { kind: 'setSplit', value: 'test' });
    // split goes before source, as contract 1 orders keys
    expect(added).toBe(BASE.replace('"split": "train"', '"split": "test"'));
  });

  it('adds the id first, changes and removes it', () => {
    const noId = caseLine({ split: 'eval' });
    const withId = apply(noId, { kind: 'setId', value: 'c1' });
    expect(withId).toBe(noId.replace('{"seed"', '{"id": "c1", "seed"'));
    expect(apply(withId, { kind: 'setId', value: 'c2' })).toBe(withId.replace('"c1"', '"c2"'));
    expect(apply(withId, { kind: 'setId', value: '' })).toBe(noId);
  });

  it('refuses an unknown split', () => {
    expect(() => applyEditOp(BASE, { kind: 'setSplit', value: 'dev' as 'train' })).toThrow(/split/);
  });
});

describe('the actual outcome', () => {
  it('moves the label so exactly one candidate is actual', () => {
    const out = apply(BASE, { kind: 'setActual', level: 0, candidate: 2 });
    expect(out).toBe(
      BASE.replace('"Stock drops 15%", "label": 1', '"Stock drops 15%", "label": 0').replace(
        '"Partnership announced", "label": 0',
        '"Partnership announced", "label": 1',
      ),
    );
    expect(applyEditOp(out, { kind: 'setActual', level: 0, candidate: 2 })).toBe(out);
  });

  it('repairs a level with two actuals', () => {
    const two = BASE.replace('"IPO delayed", "label": 0', '"IPO delayed", "label": 1');
    expect(checkLine(two).case).toBeUndefined();
    expect(apply(two, { kind: 'setActual', level: 0, candidate: 1 })).toBe(
      BASE.replace('"Stock drops 15%", "label": 1', '"Stock drops 15%", "label": 0').replace(
        '"IPO delayed", "label": 0',
        '"IPO delayed", "label": 1',
      ),
    );
  });
});

describe('candidates', () => {
  it('adds a candidate with a fresh name and label 0', () => {
    const out = apply(BASE, { kind: 'addCandidate', level: 0 });
    expect(out).toBe(
      BASE.replace(
        '"Partnership announced", "label": 0}',
        '"Partnership announced", "label": 0}, {"event": "New candidate 4", "label": 0}',
      ),
    );
  });

  it('removes a candidate but never the actual or below two', () => {
    const out = apply(BASE, { kind: 'removeCandidate', level: 0, candidate: 1 });
    expect(out).toBe(BASE.replace('{"event": "IPO delayed", "label": 0}, ', ''));
    expect(() => applyEditOp(BASE, { kind: 'removeCandidate', level: 0, candidate: 0 })).toThrow(/actual/);
    expect(() => applyEditOp(out, { kind: 'removeCandidate', level: 0, candidate: 1 })).toThrow(/two/);
  });

  it('reorders candidates keeping each candidate text intact', () => {
    const out = apply(BASE, { kind: 'moveCandidate', level: 0, from: 0, to: 2 });
    expect(out).toBe(
      BASE.replace(
        '{"event": "Stock drops 15%", "label": 1}, {"event": "IPO delayed", "label": 0}, {"event": "Partnership announced", "label": 0}',
        '{"event": "IPO delayed", "label": 0}, {"event": "Partnership announced", "label": 0}, {"event": "Stock drops 15%", "label": 1}',
      ),
    );
  });

  it('refuses indices that do not exist', () => {
    expect(() => applyEditOp(BASE, { kind: 'setActual', level: 3, candidate: 0 })).toThrow(/level 4/);
    expect(() => applyEditOp(BASE, { kind: 'setCandidateEvent', level: 0, candidate: 9, value: 'x' })).toThrow(
      /candidate 10/,
    );
  });
});

describe('levels renumber their depths', () => {
  const three = caseLine({
    id: 'c',
    levels: [
      ['a1', 'a2'],
      ['b1', 'b2'],
      ['c1', 'c2'],
    ],
  });

  it('adds a level at the next depth', () => {
    const out = apply(three, { kind: 'addLevel' });
    expect(out).toBe(
      three.replace(
        '{"event": "c2", "label": 0}]}]',
        '{"event": "c2", "label": 0}]}, {"depth": 4, "candidates": [{"event": "What happened at depth 4", "label": 1}, {"event": "An alternative outcome", "label": 0}]}]',
      ),
    );
  });

  it('removes a level and renumbers the ones after it', () => {
    const out = apply(three, { kind: 'removeLevel', level: 0 });
    expect(out).toBe(
      caseLine({
        id: 'c',
        levels: [
          ['b1', 'b2'],
          ['c1', 'c2'],
        ],
      }),
    );
    expect(() => applyEditOp(caseLine(), { kind: 'removeLevel', level: 0 })).toThrow(/at least one level/);
  });

  it('moves a level and renumbers', () => {
    const out = apply(three, { kind: 'moveLevel', from: 2, to: 0 });
    expect(out).toBe(
      caseLine({
        id: 'c',
        levels: [
          ['c1', 'c2'],
          ['a1', 'a2'],
          ['b1', 'b2'],
        ],
      }),
    );
  });

  it('renumbers wrong depths in place', () => {
    const wrong = three.replace('"depth": 2', '"depth": 5');
    expect(renumberDepths(wrong)).toBe(three);
  });
});

describe('whole cases', () => {
  it('writes a valid new case in the neighbour style', () => {
    const text = newCaseText('case-1', '2026-01-02', detectStyle(BASE));
    expectValid(text);
    expect(Object.keys(JSON.parse(text) as object)).toEqual(['id', 'seed', 'levels', 'split']);
  });

  it('duplicates with a fresh id', () => {
    const copy = duplicateCaseText(BASE, new Set(['tech-layoffs-2023-01', 'tech-layoffs-2023-01-copy']));
    expect(copy).toBe(BASE.replace('"tech-layoffs-2023-01"', '"tech-layoffs-2023-01-copy-2"'));
    expect(uniqueId('a', new Set())).toBe('a');
  });

  it('refuses to edit a line that is not JSON', () => {
    expect(() => applyEditOp('{"seed": ', { kind: 'addLevel' })).toThrow(/not valid JSON/);
  });

  it('keeps a byte order mark', () => {
    const out = applyEditOp('\uFEFF' + BASE, { kind: 'setSeedEvent', value: 'X' });
    expect(out.startsWith('\uFEFF{"id"')).toBe(true);
  });
});

describe('diagnostic positions map to form fields', () => {
  it('finds the path at an offset', () => {
    expect(pathInLine(BASE, BASE.indexOf('IPO delayed'))).toEqual(['levels', 0, 'candidates', 1, 'event']);
    expect(pathInLine(BASE, BASE.indexOf('"date"'))).toEqual(['seed', 'date']);
  });
});
