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
