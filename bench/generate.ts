// Realistic synthetic case files for the benchmark: seeds from a few hundred events over several
// years, 1–4 levels, 2–6 candidates per level with the actual at a random position, ids, splits and
// an occasional source. Deterministic (seeded PRNG) so runs compare.
import type { Case } from '../src/contracts/case';
import { rng as prng } from '../test/shared/rng';

const ACTORS = [
  'Apple',
  'the Federal Reserve',
  'OPEC',
  'Tesla',
  'the EU Commission',
  'Microsoft',
  'China',
  'the UK government',
  'Nvidia',
  'Amazon',
  'the ECB',
  'Google',
  'India',
  'Brazil',
  'Meta',
  'Boeing',
  'Pfizer',
  'the IMF',
  'Japan',
  'Saudi Aramco',
];
const SEED_EVENTS = [
  'announces layoffs of {n},000 staff',
  'raises interest rates by 50 basis points',
  'cuts oil output by 1 million barrels a day',
  'reports record quarterly earnings',
  'opens an antitrust investigation',
  'launches a new flagship product',
  'imposes export controls on chips',
  'wins a major government contract',
  'faces a data breach affecting millions',
  'settles a patent dispute',
];
const PLACES = [
  'Berlin',
  'Texas',
  'Shanghai',
  'London',
  'Ohio',
  'Mumbai',
  'Paris',
  'Seoul',
  'Toronto',
  'Sydney',
  'Madrid',
  'Lagos',
  'Chile',
  'Poland',
  'Vietnam',
  'Kenya',
];
const OUTCOMES = [
  'Stock drops {n}% within a week',
  'Shares rally {n}% on the news',
  'CEO resigns amid pressure',
  'Regulators open a formal probe',
  'Competitor matches the move',
  'Bond yields rise to a {n}-year high',
  'Union calls a strike',
  'Credit rating is downgraded',
  'Partnership announced with a rival',
  'IPO plans are delayed',
  'Government announces a subsidy package',
  'Consumer prices climb {n}% year on year',
  'Central bank holds rates steady',
  'Class action lawsuit is filed',
  'Analysts raise price targets',
  'Supply shortages hit factories',
  'Hiring freeze extended to next year',
  'Emergency summit convened by ministers',
  'Currency weakens against the dollar',
  'Product recall ordered by safety agency',
  'Quarterly guidance is cut',
  'Acquisition bid of ${n} billion emerges',
  'Protests break out in the capital',
  'Parliament passes a new law',
  'Exports fall for a third month',
];

// Some real datasets are not all ASCII: places with accents, typographic dashes and quotes.
const PLACES_INTL = ['São Paulo', 'Zürich', 'Kraków', 'Montréal', 'İstanbul', 'Reykjavík', 'Tōkyō', 'Malmö'];
const TYPOGRAPHIC = [' — officials say', ' (“unprecedented”)', ' – analysts’ view', ' … for now'];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)] as T;
}

function fill(rnd: () => number, template: string): string {
  return template.replace('{n}', String(2 + Math.floor(rnd() * 40)));
}

/** One case; with `intl`, its seed place and one candidate have non-ASCII text. */
export function generateCase(rnd: () => number, k: number, intl = false): Case {
  const year = 2015 + Math.floor(rnd() * 10);
  const month = 1 + Math.floor(rnd() * 12);
  const day = 1 + Math.floor(rnd() * 28);
  const date = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const levels = 1 + Math.floor(rnd() * 4);
  const c: Case = {
    id: `case-${k}`,
    // A place and a number make seeds distinct, as real ones are (the same seed twice is a warning).
    seed: {
      event: `${fill(rnd, `${pick(rnd, ACTORS)} ${pick(rnd, SEED_EVENTS)}`)} in ${pick(rnd, intl ? PLACES_INTL : PLACES)}, affecting ${1 + Math.floor(rnd() * 999)},000 people`,
      date,
    },
    levels: [],
    split: rnd() < 0.8 ? 'train' : rnd() < 0.5 ? 'eval' : 'test',
  };
  for (let d = 1; d <= levels; d++) {
    const n = 2 + Math.floor(rnd() * 5);
    // Distinct outcome templates per level, so candidates are not near-duplicates.
    const pool = OUTCOMES.slice();
    const candidates = [];
    const actual = Math.floor(rnd() * n);
    for (let i = 0; i < n; i++) {
      const t = pool.splice(Math.floor(rnd() * pool.length), 1)[0] as string;
      candidates.push({ event: fill(rnd, t), label: (i === actual ? 1 : 0) as 0 | 1 });
    }
    if (intl && d === 1) {
      const c0 = candidates[0] as { event: string };
      c0.event += pick(rnd, TYPOGRAPHIC);
    }
    c.levels.push({ depth: d, candidates });
  }
  if (rnd() < 0.2) c.source = { url: `https://news.example/${k}`, agent: 'curator-v2' };
  return c;
}

/** `count` cases as JSONL text (\n line ends, trailing newline); `intl` of them with non-ASCII text. */
export function generateCasesText(count: number, seed = 42, intl = 0): string {
  const rnd = prng(seed);
  const lines: string[] = [];
  for (let k = 0; k < count; k++) lines.push(JSON.stringify(generateCase(rnd, k, intl > 0 && rnd() < intl)));
  return `${lines.join('\n')}\n`;
}
