import { describe, expect, it } from 'vitest';
import { completionsAt } from '../../../src/cases/editing/completion';
import type { CompletionSpec } from '../../../src/cases/editing/completion';

/** Completions where `|` marks the cursor. */
function at(marked: string): { items: CompletionSpec[]; text: string; offset: number } {
  const offset = marked.indexOf('|');
  const text = marked.slice(0, offset) + marked.slice(offset + 1);
  return { items: completionsAt(text, offset), text, offset };
}

const labels = (marked: string): string[] => at(marked).items.map((i) => i.label);

describe('key completion per schema location', () => {
  it('top level: all case keys on an empty object', () => {
    expect(labels('{|}')).toEqual(['seed', 'levels', 'id', 'split', 'source']);
  });

  it('top level: keys already present are not offered again', () => {
    expect(labels('{"seed": {"event": "X", "date": "2023-01-15"}, |}')).toEqual(['levels', 'id', 'split', 'source']);
  });

  it('seed keys', () => {
    expect(labels('{"seed": {|}}')).toEqual(['event', 'date']);
    expect(labels('{"seed": {"event": "X", |}}')).toEqual(['date']);
  });

  it('level keys, with the depth the level should have', () => {
    const { items } = at('{"levels": [{"depth": 1, "candidates": []}, {|}]}');
    expect(items.map((i) => i.label)).toEqual(['depth', 'candidates']);
    expect(items[0]?.insertText).toBe('"depth": ${1:2}');
  });

  it('candidate keys', () => {
    expect(labels('{"levels": [{"depth": 1, "candidates": [{"event": "A", |}]}]}')).toEqual(['label']);
    expect(labels('{"levels": [{"depth": 1, "candidates": [{|}]}]}')).toEqual(['event', 'label']);
  });

  it('replaces a half-typed key including its quotes', () => {
    const { items, text } = at('{"seed": {"ev|"}}');
    const event = items.find((i) => i.label === 'event');
    expect(event).toBeDefined();
    expect(text.slice(event!.start, event!.end)).toBe('"ev"');
    expect(event!.insertText).toBe('"event": "$1"');
  });

  it('replaces an unterminated key only up to the cursor, keeping the rest of the line', () => {
    const { items, text } = at('{"seed": {"ev|}}');
    const event = items.find((i) => i.label === 'event');
    expect(text.slice(event!.start, event!.end)).toBe('"ev');
  });

  it('inserts only the key when a colon already follows', () => {
    const { items, text } = at('{"sp|": "train"}');
    const split = items.find((i) => i.label === 'split');
    expect(split?.insertText).toBe('"split"');
    expect(text.slice(split!.start, split!.end)).toBe('"sp"');
  });

  it('snippets insert a valid skeleton', () => {
    const seed = at('{|}').items.find((i) => i.label === 'seed');
    expect(seed?.insertText).toBe('"seed": {"event": "$1", "date": "${2:YYYY-MM-DD}"}');
    expect(seed?.documentation).toBeTruthy();
  });

  it('offers nothing inside source or unknown objects', () => {
    expect(labels('{"source": {|}}')).toEqual([]);
    expect(labels('{"seed": {"event": {|}}}')).toEqual([]);
  });
});

describe('value completion', () => {
  it('split enum values after the colon', () => {
    expect(labels('{"split": |}')).toEqual(['"train"', '"eval"', '"test"']);
  });

  it('split values replace a half-typed string', () => {
    const { items, text } = at('{"split": "ev|"}');
    expect(items.map((i) => i.insertText)).toEqual(['"train"', '"eval"', '"test"']);
    expect(text.slice(items[0]!.start, items[0]!.end)).toBe('"ev"');
  });

  it('label values 1 and 0', () => {
    const { items } = at('{"levels": [{"depth": 1, "candidates": [{"event": "A", "label": |}]}]}');
    expect(items.map((i) => i.label)).toEqual(['1', '0']);
    expect(items.every((i) => i.kind === 'value')).toBe(true);
  });

  it('no values where the schema has no enum', () => {
    expect(labels('{"id": |}')).toEqual([]);
    expect(labels('{"seed": {"event": |}}')).toEqual([]);
  });
});

describe('robustness', () => {
  it.each(['', '|', 'garbage', '{"a": [1, 2', '"', '\ufeff{'])('never throws on %j', (text) => {
    for (let i = 0; i <= text.length + 1; i++) expect(() => completionsAt(text, i)).not.toThrow();
  });
});
