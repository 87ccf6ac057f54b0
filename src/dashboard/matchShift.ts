// How the match kinds (exact / semantic / llm / none) shift across runs and stages, and the
// overfitting sign the pipeline's seed asks the dashboard to detect: "too many exact matches".
// A model that forecasts writes events in its own words, so its hits spread over exact and
// paraphrase kinds; one that reproduces reference texts it has seen (training cases, or pretraining
// when the split predates the base model's cutoff) hits word for word or not at all. So the flag
// needs both a high exact share and paraphrase hits near zero, on enough levels to mean anything.
// Pure (no vscode, no DOM): the webview draws it, the unit tests pin the rule.
import type { EvalEvent, MatchCounts, MatcherSettings, Stage } from '../contracts/metrics';
import { coverageShares, matchTotal, sumCounts, type CoverageShares } from './gates';
import { describeMatcher } from './matcher';
import type { DepthKey } from './series';

/** The rule (README, Dashboard: "Exact matches dominate"). */
export const EXACT_DOMINANCE = {
  /** Exact matches are at least this share of all evaluated levels… */
  minExactShare: 0.5,
  /** …and semantic + LLM hits are under this share of the matched levels (near zero)… */
  maxParaphraseShare: 0.1,
  /** …on at least this many levels; fewer cannot raise the flag. */
  minLevels: 20,
} as const;

export type DominanceStatus = 'flagged' | 'clear' | 'too-few';

export interface Dominance {
  status: DominanceStatus;
  /** Share of evaluated levels matched exactly (0..1); null when nothing was evaluated. */
  exactShare: number | null;
  /** Share of matched levels that are semantic or LLM (0..1); null when nothing matched. */
  paraphraseShare: number | null;
  /** The verdict in words, e.g. "exact matches dominate: 77 % exact, 2 % of hits paraphrased". */
  text: string;
}

const pct = (x: number): string => `${Math.round(x * 100)} %`;

/** Judges one set of counts by EXACT_DOMINANCE. */
export function exactDominance(m: MatchCounts): Dominance {
  const total = matchTotal(m);
  const matched = m.exact + m.semantic + m.llm;
  const exactShare = total ? m.exact / total : null;
  const paraphraseShare = matched ? (m.semantic + m.llm) / matched : null;
  if (total < EXACT_DOMINANCE.minLevels)
    return {
      status: 'too-few',
      exactShare,
      paraphraseShare,
      text: `too few levels to judge (${total} < ${EXACT_DOMINANCE.minLevels})`,
    };
  const flagged =
    exactShare! >= EXACT_DOMINANCE.minExactShare &&
    paraphraseShare !== null &&
    paraphraseShare < EXACT_DOMINANCE.maxParaphraseShare;
  const facts = `${pct(exactShare!)} exact, ${paraphraseShare === null ? 'no hits' : `${pct(paraphraseShare)} of hits paraphrased`}`;
  return {
    status: flagged ? 'flagged' : 'clear',
    exactShare,
    paraphraseShare,
    text: flagged ? `exact matches dominate: ${facts} — possible memorisation (overfitting)` : facts,
  };
}

export interface KindRowInput {
  label: string;
  runId: string;
  stage: Stage;
  byDepth: ReadonlyMap<DepthKey, EvalEvent>;
}

export interface KindRow {
  label: string;
  runId: string;
  stage: Stage;
  /** Whole-split counts: the stage's depth-null eval, or its per-depth evals pooled when it has none. */
  counts: MatchCounts;
  shares: CoverageShares;
  matcher: MatcherSettings | undefined;
  dominance: Dominance;
  /** Exact share minus the previous row's, in percentage points; null for the first row, or when either row
   * evaluated nothing or the two were counted by different matchers (not comparable). */
  exactShift: number | null;
  /** Why exactShift is null when a previous row exists, e.g. "matchers differ". */
  shiftNote: string | null;
}

/** One row per (run, stage), in the order given (runs as compared, stages in pipeline order). */
export function kindShift(inputs: readonly KindRowInput[]): KindRow[] {
  const rows: KindRow[] = [];
  for (const r of inputs) {
    const all = r.byDepth.get('all');
    const counts = all ? all.match : sumCounts([...r.byDepth.values()]);
    const matcher = all?.matcher ?? [...r.byDepth.values()][0]?.matcher;
    const shares = coverageShares(counts);
    const prev = rows.at(-1);
    let exactShift: number | null = null;
    let shiftNote: string | null = null;
    if (prev) {
      if (describeMatcher(prev.matcher) !== describeMatcher(matcher)) shiftNote = 'matchers differ';
      else if (prev.shares.total === 0 || shares.total === 0) shiftNote = 'no levels';
      else exactShift = Math.round((shares.exact - prev.shares.exact) * 1000) / 10;
    }
    rows.push({
      label: r.label,
      runId: r.runId,
      stage: r.stage,
      counts,
      shares,
      matcher,
      dominance: exactDominance(counts),
      exactShift,
      shiftNote,
    });
  }
  return rows;
}

/** The shift in words: "+12.5 pts", "−3 pts", "0 pts"; "—" or the reason when there is none. */
export function formatShift(row: Pick<KindRow, 'exactShift' | 'shiftNote'>): string {
  if (row.exactShift === null) return row.shiftNote ?? '—';
  const v = row.exactShift;
  return `${v > 0 ? '+' : v < 0 ? '\u2212' : ''}${Math.abs(v)} pts`;
}
