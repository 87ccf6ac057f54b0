// Typed builders for case fixtures: a valid case by default, override what the test is about.
import type { Candidate, Case, Level, Split } from '../../../src/contracts/case';
import { stringifyLike } from '../../../src/lineEdit/lineEdit';

export function aCandidate(event: string, label: 0 | 1 = 0): Candidate {
  return { event, label };
}

export function aLevel(
  depth: number,
  events: string[] = ['Stock drops 15%', 'IPO delayed', 'Partnership announced'],
  actual = 0,
): Level {
  return { depth, candidates: events.map((e, k) => aCandidate(e, k === actual ? 1 : 0)) };
}

export function aCase(overrides: Partial<Case> = {}): Case {
  return {
    id: 'tech-layoffs-2023-01',
    seed: { event: 'Tech layoffs', date: '2023-01-15' },
    levels: [aLevel(1)],
    split: 'train',
    ...overrides,
  };
}

/** A case as one JSONL line; `patch` edits the plain object (to build invalid cases). */
export function caseLine(
  c: Case | Record<string, unknown> = aCase(),
  patch?: (o: Record<string, unknown>) => void,
): string {
  const o = JSON.parse(JSON.stringify(c)) as Record<string, unknown>;
  patch?.(o);
  return JSON.stringify(o);
}

/** `n` distinct valid cases with the actual at `position(k)` (default: rotates, so no bias). */
export function someCases(n: number, position: (k: number) => number = (k) => k % 3): Case[] {
  return Array.from({ length: n }, (_, k) =>
    aCase({
      id: `case-${k}`,
      seed: { event: `Seed event number ${k}`, date: '2023-01-15' },
      levels: [aLevel(1, ['Stock drops 15%', 'IPO delayed', 'Partnership announced'], position(k))],
    }),
  );
}

/** The [start, end) offsets of the `nth` occurrence of `needle` in `text`. */
export function spanOf(text: string, needle: string, nth = 0): [number, number] {
  let at = -1;
  for (let k = 0; k <= nth; k++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`${needle} not found ${nth + 1} times in ${text}`);
  }
  return [at, at + needle.length];
}

export interface LevelSpec {
  depth?: number;
  candidates: [string, 0 | 1][];
}

/** One level of a `caseFromSpec` spec from its [event, label] pairs: `levelOf(['A', 1], ['B', 0])`. */
export function levelOf(...candidates: [string, 0 | 1][]): LevelSpec {
  return { candidates };
}

/**
 * A case from a compact spec: levels as [event, label] pairs, depths 1, 2, … unless given, no id or
 * split unless given (the editing tests build their lines this way).
 */
export function caseFromSpec(
  opts: { id?: string; event?: string; date?: string; split?: Split; levels?: LevelSpec[] } = {},
): Case {
  const levels = opts.levels ?? [
    levelOf(['Stock drops 15%', 1], ['IPO delayed', 0], ['Partnership announced', 0]),
    levelOf(['Hiring freeze', 0], ['CEO resigns', 1]),
  ];
  return {
    ...(opts.id !== undefined ? { id: opts.id } : {}),
    seed: { event: opts.event ?? 'Tech layoffs', date: opts.date ?? '2023-01-15' },
    levels: levels.map((l, i) => ({
      depth: l.depth ?? i + 1,
      candidates: l.candidates.map(([event, label]) => aCandidate(event, label)),
    })),
    ...(opts.split !== undefined ? { split: opts.split } : {}),
  };
}

/** A value as a JSONL line in the common hand-written style (", " and ": " between items). */
export function lineOf(value: unknown): string {
  return stringifyLike(value, { colon: ': ', comma: ', ' });
}
