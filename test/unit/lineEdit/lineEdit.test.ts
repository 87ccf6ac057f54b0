// The line-edit toolkit (src/lineEdit/lineEdit.ts) that the quick fixes, the formatted-line editor
// and the table form all edit through: positions agree with JSON.parse, splices keep every byte they
// do not change, a BOM included.
import { describe, expect, it } from 'vitest';
import { checkLine } from '../../../src/cases/lineCheck';
import { applyFix, fixesForLine } from '../../../src/cases/editing/fixes';
import { compactForWriteBack } from '../../../src/cases/editing/formattedLine';
import {
  LineEditError,
  nodeAt,
  parseLine,
  pathAtOffset,
  pathInLine,
  removeProperty,
  rewriteArray,
  setValue,
  valueAt,
} from '../../../src/lineEdit/lineEdit';

const line =
  '{"id": "a", "seed": {"event": "Rates rise", "date": "2024-01-02"}, "levels": [{"depth": 1, "candidates": [{"event": "x", "label": 1}, {"event": "y", "label": 0}]}]}';

describe('line-edit toolkit: positions', () => {
  it('finds the value JSON.parse keeps: the last of duplicate keys', () => {
    const dup = '{"split": "train", "split": "eval"}';
    const parsed = parseLine(dup)!;
    const node = nodeAt(parsed.root, ['split'])!;
    expect(dup.slice(node.offset, node.offset + node.length)).toBe('"eval"');
    expect(valueAt(dup, ['split'])).toBe((JSON.parse(dup) as { split: string }).split);
  });

  it('maps an offset to its JSON path, on a tree or on the text, a BOM counted', () => {
    const at = line.indexOf('"y"');
    expect(pathAtOffset(parseLine(line)!.root, at)).toEqual(['levels', 0, 'candidates', 1, 'event']);
    expect(pathInLine(`\uFEFF${line}`, at + 1)).toEqual(['levels', 0, 'candidates', 1, 'event']);
    expect(pathInLine('not json', 3)).toEqual([]);
  });
});

describe('line-edit toolkit: splices', () => {
  it('changes only the value it sets, and keeps a leading BOM', () => {
    const withBom = `\uFEFF${line}`;
    const out = setValue(withBom, ['seed', 'date'], '2024-01-03');
    expect(out).toBe(withBom.replace('2024-01-02', '2024-01-03'));
    expect(setValue(line, ['split'], 'eval', ['id', 'seed', 'levels', 'split'])).toBe(
      line.replace(/}$/, ', "split": "eval"}'),
    );
    expect(removeProperty(line, ['id'])).toBe(line.replace('"id": "a", ', ''));
  });

  it('reorders array elements as their own text', () => {
    const out = rewriteArray(line, ['levels', 0, 'candidates'], (els) => [els[1]!, els[0]!]);
    expect(out).toBe(
      line.replace(
        '{"event": "x", "label": 1}, {"event": "y", "label": 0}',
        '{"event": "y", "label": 0}, {"event": "x", "label": 1}',
      ),
    );
  });

  it('refuses to edit a line that is not JSON, naming the field', () => {
    expect(() => setValue('{"id": ', ['id'], 'b')).toThrow(LineEditError);
    try {
      rewriteArray(line, ['seed'], (e) => e);
    } catch (err) {
      expect((err as LineEditError).path).toBe('seed');
    }
  });
});

describe('the features edit through it', () => {
  it('a quick fix edits the label JSON.parse reads, not a shadowed duplicate', () => {
    // Candidate x says label 0 then 1: JSON.parse keeps 1, so the level has two actuals.
    const dup = line
      .replace('{"event": "x", "label": 1}', '{"event": "x", "label": 0, "label": 1}')
      .replace('{"event": "y", "label": 0}', '{"event": "y", "label": 1}');
    const refs = checkLine(dup).diagnostics.map((d) => ({ code: d.code, character: d.range.start.character }));
    const makeY = fixesForLine(dup, refs).find((f) => f.title.startsWith('Make "y"'));
    expect(makeY).toBeDefined();
    const fixed = applyFix(dup, makeY!);
    const labels = (JSON.parse(fixed) as { levels: { candidates: { label: number }[] }[] }).levels[0]!.candidates.map(
      (c) => c.label,
    );
    expect(labels).toEqual([0, 1]);
  });

  it('the formatted-line editor writes back with the separators the line had', () => {
    const compact = '{"id":"a","split":"train"}';
    expect(compactForWriteBack('{\n  "id": "a",\n  "split": "eval"\n}\n', compact)).toEqual({
      ok: true,
      line: '{"id":"a","split":"eval"}',
    });
    expect(compactForWriteBack('{"id": "a"}', '{"id": "b", "x": 1}')).toEqual({ ok: true, line: '{"id": "a"}' });
  });

  it('a quick fix inserts in the separators the line uses', () => {
    const compact =
      '{"id":"a","seed":{"event":"e","date":"2024-01-02"},"levels":[{"depth":1,"candidates":[{"event":"x"},{"event":"y","label":0}]},{"candidates":[{"event":"p","label":1},{"event":"q","label":0}]}]}';
    const refs = checkLine(compact).diagnostics.map((d) => ({ code: d.code, character: d.range.start.character }));
    const fixes = fixesForLine(compact, refs);
    const makeX = fixes.find((f) => f.title.startsWith('Make "x"'));
    expect(applyFix(compact, makeX!)).toBe(compact.replace('{"event":"x"}', '{"event":"x","label":1}'));
    const renumber = fixes.find((f) => f.title.startsWith('Renumber'));
    expect(applyFix(compact, renumber!)).toBe(
      compact.replace('{"candidates":[{"event":"p"', '{"depth":2,"candidates":[{"event":"p"'),
    );
  });
});
