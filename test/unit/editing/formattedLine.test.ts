import { describe, expect, it } from 'vitest';
import { checkLine } from '../../../src/cases/lineCheck';
import { compactForWriteBack, formatForEditing, locateLine } from '../../../src/cases/editing/formattedLine';
import { caseFromSpec as aCase, lineOf } from '../cases/builders';

describe('edit line as formatted JSON', () => {
  it('round-trips a case: pretty in the side editor, the same one line back', () => {
    const line = lineOf(aCase({ id: 'x-1', split: 'train' }));
    const { text, parsed } = formatForEditing(line);
    expect(parsed).toBe(true);
    expect(text.split('\n').length).toBeGreaterThan(10);
    expect(compactForWriteBack(text, line)).toEqual({ ok: true, line });
  });

  it('keeps a compact line compact and keeps key order', () => {
    const line = JSON.stringify({ split: 'eval', seed: { date: '2023-01-15', event: 'X' }, levels: aCase().levels });
    const edited = formatForEditing(line).text.replace('"eval"', '"test"');
    const back = compactForWriteBack(edited, line);
    expect(back).toEqual({ ok: true, line: line.replace('"eval"', '"test"') });
    if (back.ok) expect(checkLine(back.line).case).toBeDefined();
  });

  it('writes a user edit back as exactly one line', () => {
    const line = lineOf(aCase());
    const edited = formatForEditing(line).text.replace('"Tech layoffs"', '"Tech layoffs\\nwave 2"');
    const back = compactForWriteBack(edited, line);
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.line).not.toMatch(/[\r\n]/);
      expect(JSON.parse(back.line)).toMatchObject({ seed: { event: 'Tech layoffs\nwave 2' } });
    }
  });

  describe('writes back only what changed, the rest of the line byte for byte', () => {
    // Escapes, number spellings and odd spacing the side editor cannot show (it shows
    // JSON.stringify(JSON.parse(line))): "café", 1, 100, normal spacing.
    const original =
      '{"id": "a", "seed": {"event": "caf\\u00e9", "date": "2024-01-02"}, "score" :1.0,  "n": 1e2, ' +
      '"levels": [{"depth": 1, "candidates": [{"event": "x\\/y", "label": 1}, {"event": "y", "label": 0}]}], "split": "train"}';
    const edit = (change: (o: Record<string, unknown>) => void): string => {
      const o = JSON.parse(formatForEditing(original).text) as Record<string, unknown>;
      change(o);
      return `${JSON.stringify(o, null, 2)}\n`;
    };
    const back = (edited: string): string => {
      const r = compactForWriteBack(edited, original);
      if (!r.ok) throw new Error(r.message);
      return r.line;
    };

    it('an untouched line comes back as it was', () => {
      expect(back(formatForEditing(original).text)).toBe(original);
    });

    it('an id change rewrites only the id', () => {
      expect(back(edit((o) => (o['id'] = 'b')))).toBe(original.replace('"id": "a"', '"id": "b"'));
    });

    it('a nested leaf in an array of unchanged length is replaced alone', () => {
      const out = back(
        edit((o) => {
          const levels = o['levels'] as { candidates: { label: number }[] }[];
          levels[0]!.candidates[0]!.label = 0;
          levels[0]!.candidates[1]!.label = 1;
        }),
      );
      expect(out).toBe(original.replace('"label": 1}', '"label": 0}').replace('"label": 0}]', '"label": 1}]'));
    });

    it("an added property is inserted where it was typed, in the line's separators", () => {
      const edited = formatForEditing(original).text.replace('"id": "a",', '"id": "a",\n  "note": "hi",');
      expect(back(edited)).toBe(original.replace('"id": "a", ', '"id": "a", "note": "hi", '));
      expect(back(edit((o) => (o['extra'] = [1, { k: true }])))).toBe(
        original.replace(/}$/, ', "extra": [1, {"k": true}]}'),
      );
    });

    it('a removed property is cut with one separator', () => {
      expect(back(edit((o) => delete o['n']))).toBe(original.replace('"n": 1e2, ', ''));
      expect(back(edit((o) => delete o['split']))).toBe(original.replace(', "split": "train"', ''));
    });

    it('an array whose length changed is rewritten whole, the rest kept', () => {
      const out = back(
        edit((o) => {
          const levels = o['levels'] as { candidates: { event: string; label: number }[] }[];
          levels[0]!.candidates.push({ event: 'z', label: 0 });
        }),
      );
      expect(out).toBe(
        original.replace(
          '[{"event": "x\\/y", "label": 1}, {"event": "y", "label": 0}]',
          '[{"event": "x/y", "label": 1}, {"event": "y", "label": 0}, {"event": "z", "label": 0}]',
        ),
      );
    });

    it('a changed root type replaces the whole value', () => {
      expect(compactForWriteBack('[1, 2]', '{"a": 1.0}')).toEqual({ ok: true, line: '[1, 2]' });
    });

    it('a removed key that the line wrote twice is gone, not its shadowed copy', () => {
      expect(compactForWriteBack('{"b": 3}', '{"a": 1, "b": 3, "a": 2}')).toEqual({ ok: true, line: '{"b": 3}' });
    });

    it('an original line that does not parse is replaced whole, in its separators', () => {
      expect(compactForWriteBack('{"a": 2, "b": [1]}', '{"a":1,"b":2,')).toEqual({ ok: true, line: '{"a":2,"b":[1]}' });
    });
  });

  it.each([
    ['{"a": 1,}', 'trailing comma'],
    ['{"a": 1} // note', 'comment'],
    ["{'a': 1}", 'single quotes'],
    ['{"a": 1}\n{"b": 2}', 'two values'],
    ['   \n', 'nothing'],
  ])('refuses %j (%s) with a clear message', (edited) => {
    const back = compactForWriteBack(edited, '{"a": 1}');
    expect(back.ok).toBe(false);
    if (!back.ok) expect(back.message).toMatch(/not valid JSON|empty/);
  });

  it('opens an invalid line as it is, so it can be repaired', () => {
    expect(formatForEditing('{"seed": ')).toEqual({ text: '{"seed": ', parsed: false });
  });

  it('ignores a BOM on line 0', () => {
    const line = `\ufeff${lineOf(aCase())}`;
    expect(formatForEditing(line).parsed).toBe(true);
  });

  it('finds the line again after lines moved, and refuses when it changed or is ambiguous', () => {
    const doc = (lines: string[]) => ({ lineCount: lines.length, lineText: (i: number) => lines[i] ?? '' });
    expect(locateLine(doc(['a', 'b', 'c']), 1, 'b')).toBe(1);
    expect(locateLine(doc(['new', 'a', 'b', 'c']), 1, 'b')).toBe(2);
    expect(locateLine(doc(['a', 'B', 'c']), 1, 'b')).toBeUndefined();
    expect(locateLine(doc(['b', 'x', 'b']), 1, 'b')).toBeUndefined();
    expect(locateLine(doc([]), 0, 'b')).toBeUndefined();
  });
});
