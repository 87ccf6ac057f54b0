// Typed builder for case lines in tests: start from a valid case and change only what a test is
// about, instead of copy-pasting JSON strings.
import type { Case, Split } from '../../../src/contracts/case';

export interface LevelSpec {
  depth?: number;
  candidates: [string, 0 | 1][];
}

export function aCase(opts: { id?: string; event?: string; date?: string; split?: Split; levels?: LevelSpec[] } = {}): Case {
  const levels = opts.levels ?? [
    { candidates: [['Stock drops 15%', 1], ['IPO delayed', 0], ['Partnership announced', 0]] },
    { candidates: [['Hiring freeze', 0], ['CEO resigns', 1]] },
  ];
  return {
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    seed: { event: opts.event ?? 'Tech layoffs', date: opts.date ?? '2023-01-15' },
    levels: levels.map((l, i) => ({
      depth: l.depth ?? i + 1,
      candidates: l.candidates.map(([event, label]) => ({ event, label })),
    })),
    ...(opts.split !== undefined ? { split: opts.split } : {}),
  };
}

/** A value as a JSONL line in the common hand-written style (", " and ": " between items). */
export function lineOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(lineOf).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${lineOf(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}
