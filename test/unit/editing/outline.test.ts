import { describe, expect, it } from 'vitest';
import { CaseDocument } from '../../../src/cases/caseDocument';
import { MAX_LINES_WITH_LEVELS, OutlineCache, outlineOf } from '../../../src/cases/editing/outline';
import { caseFromSpec as aCase, lineOf } from '../cases/builders';

describe('outline model', () => {
  const lines = [
    lineOf(aCase({ split: 'train' })),
    '',
    '{"seed": {"event": "Broken", "date": "2023-01-15"}, "levels": []}',
    'not json',
    lineOf(aCase({ event: 'Fed cuts rates', date: '2024-09-18' })),
  ];
  const doc = new CaseDocument(`${lines.join('\n')}\n`);
  const outline = outlineOf(doc);

  it('one symbol per case named by its seed event, invalid lines marked, blank lines skipped', () => {
    expect(outline.map((s) => [s.line, s.kind, s.name, s.detail.length > 0])).toEqual([
      [0, 'case', 'Tech layoffs', true],
      [2, 'invalid', 'line 3 (invalid)', true],
      [3, 'invalid', 'line 4 (invalid)', true],
      [4, 'case', 'Fed cuts rates', true],
    ]);
    expect(outline[0]?.detail).toBe('2023-01-15 · train');
    expect(outline[3]?.detail).toBe('2024-09-18');
  });

  it('levels as children with the actual outcome, ranges inside the line', () => {
    const first = outline[0]!;
    expect(first.children.map((c) => c.name)).toEqual([
      'depth 1 — actual: Stock drops 15%',
      'depth 2 — actual: CEO resigns',
    ]);
    expect(first.children[0]?.detail).toBe('3 candidates');
    const text = lines[0]!;
    for (const c of first.children) {
      expect(text.slice(c.start, c.end).startsWith('{"depth"')).toBe(true);
      expect(c.start >= first.start && c.end <= first.end).toBe(true);
    }
    expect(text.slice(first.selectionStart, first.selectionEnd)).toBe('"Tech layoffs"');
  });

  it('follows edits of the incremental document', () => {
    const d = new CaseDocument(lines.join('\n'));
    d.applyChange(
      { start: { line: 3, character: 0 }, end: { line: 3, character: 8 } },
      lineOf(aCase({ event: 'Repaired' })),
    );
    expect(outlineOf(d).map((s) => s.name)).toEqual(['Tech layoffs', 'line 3 (invalid)', 'Repaired', 'Fed cuts rates']);
  });

  it('never gives an empty name (VS Code rejects those)', () => {
    const d = new CaseDocument(lineOf(aCase({ event: '   ' })));
    expect(outlineOf(d).every((s) => s.name.trim().length > 0)).toBe(true);
  });
});

describe('outline on big files', () => {
  it('with a cache, recomputes only changed lines', () => {
    const text = Array.from({ length: 50 }, (_, i) => lineOf(aCase({ event: `Event ${String(i)}` }))).join('\n');
    const doc = new CaseDocument(text);
    let calls = 0;
    const counting = {
      get lineCount() {
        return doc.lineCount;
      },
      lineText: (i: number) => doc.lineText(i),
      lineResult: (i: number) => (calls++, doc.lineResult(i)),
    };
    const cache = new OutlineCache();
    const first = outlineOf(counting, cache);
    expect(calls).toBe(50);
    doc.applyChange(
      { start: { line: 7, character: 0 }, end: { line: 7, character: doc.lineText(7).length } },
      lineOf(aCase({ event: 'Changed' })),
    );
    const second = outlineOf(counting, cache);
    expect(calls).toBe(51);
    expect(second[7]?.name).toBe('Changed');
    expect(second.map((s) => s.line)).toEqual(first.map((s) => s.line));
    expect(second[8]).toEqual(first[8]);
  });

  it('equal invalid lines share a template but keep their own line numbers', () => {
    const doc = new CaseDocument('oops\noops\n');
    expect(outlineOf(doc, new OutlineCache()).map((s) => s.name)).toEqual(['line 1 (invalid)', 'line 2 (invalid)']);
  });

  it(`leaves out level children above a size limit (${String(MAX_LINES_WITH_LEVELS)} lines by default)`, () => {
    const line = lineOf(aCase());
    const doc = new CaseDocument(Array.from({ length: 11 }, () => line).join('\n'));
    const cache = new OutlineCache();
    expect(outlineOf(doc, cache, 11)[0]?.children).toHaveLength(2);
    const outline = outlineOf(doc, cache, 10);
    expect(outline).toHaveLength(11);
    expect(outline[0]?.children).toEqual([]);
    expect(outline[0]?.name).toBe('Tech layoffs');
  });
});
