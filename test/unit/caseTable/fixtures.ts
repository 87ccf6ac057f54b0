// Typed builders for case datasets used by the table's tests, render test and benchmark.
import type { Case } from '../../../src/contracts/case';

const SPLITS = ['train', 'train', 'train', 'eval', 'test'] as const;
const WHAT = [
  'Shares fall',
  'Regulator opens inquiry',
  'Chief executive resigns',
  'Rival announces merger',
  'Union calls strike',
];
const WHERE = [
  'in Europe',
  'across Asia',
  'before the election',
  'within a week',
  'after the earnings call',
  'despite protests',
  'amid rumours',
];

export function makeCase(i: number, depths = 2 + (i % 3)): Case {
  const day = String(1 + (i % 28)).padStart(2, '0');
  const month = String(1 + (i % 12)).padStart(2, '0');
  return {
    id: `case-${i}`,
    seed: { event: `Seed event number ${i} about topic ${i % 97}`, date: `20${10 + (i % 15)}-${month}-${day}` },
    levels: Array.from({ length: depths }, (_, d) => ({
      depth: d + 1,
      candidates: Array.from({ length: 3 + ((i + d) % 2) }, (_, k) => ({
        event: `${WHAT[(k + d) % WHAT.length]} ${WHERE[(i + k) % WHERE.length]} #${i}.${d + 1}.${k + 1}`,
        label: (k === (i + d) % 3 ? 1 : 0) as 0 | 1,
      })),
    })),
    split: SPLITS[i % SPLITS.length],
  };
}

/** `n` lines of cases; every `rawEvery`-th line is broken JSON, every `invalidEvery`-th has two actuals. */
export function makeDataset(
  n: number,
  opts: { rawEvery?: number; invalidEvery?: number; trailingNewline?: boolean } = {},
): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (opts.rawEvery && i % opts.rawEvery === opts.rawEvery - 1) {
      lines.push(`{"id": "broken-${i}", "seed": {"event": "Unclosed`);
      continue;
    }
    const c = makeCase(i);
    if (opts.invalidEvery && i % opts.invalidEvery === opts.invalidEvery - 1)
      c.levels[0]!.candidates.forEach((cand) => (cand.label = 1));
    lines.push(JSON.stringify(c).replace(/":/g, '": ').replace(/,"/g, ', "').replace(/,\{/g, ', {'));
  }
  return lines.join('\n') + (opts.trailingNewline === false ? '' : '\n');
}
