// Case line (contract 1) → its forecast tree in an eval run's trees.jsonl, matched by seed
// (event + date). The line is parsed here with JSON.parse rather than through the cases feature so
// the CodeLens works on any line that carries a seed, valid case or not.
import type { ForecastTree } from '../contracts/tree';
import type { TreeRef } from './protocol';
import { seedKeyOf } from '../cases/normalize';

export interface CaseSeed {
  event: string;
  date: string;
}

export function parseCaseSeed(line: string): CaseSeed | null {
  const text = line.trim();
  if (!text.startsWith('{')) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || !('seed' in raw)) return null;
  const seed = (raw as { seed: unknown }).seed;
  if (typeof seed !== 'object' || seed === null) return null;
  const { event, date } = seed as { event?: unknown; date?: unknown };
  if (typeof event !== 'string' || typeof date !== 'string' || !event.trim()) return null;
  return { event, date };
}

export interface TreeRunSource {
  runId: string;
  /** Newer runs win when two runs have a tree for the same seed. */
  createdAt: string;
  trees: readonly Pick<ForecastTree, 'seed'>[];
}

/** The case rules' seed key (normalised event + date, the one normalisation) → the tree to open, preferring the newest run. */
export function buildSeedIndex(sources: readonly TreeRunSource[]): Map<string, TreeRef> {
  const ordered = [...sources].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const index = new Map<string, TreeRef>();
  for (const s of ordered) {
    s.trees.forEach((t, i) => index.set(seedKeyOf(t.seed.event, t.seed.date.trim()), { runId: s.runId, index: i }));
  }
  return index;
}

export function findTreeForLine(index: ReadonlyMap<string, TreeRef>, line: string): TreeRef | null {
  const seed = parseCaseSeed(line);
  return seed ? (index.get(seedKeyOf(seed.event, seed.date.trim())) ?? null) : null;
}
