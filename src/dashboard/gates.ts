// Match coverage and the production gates (shared/GUIDE.md "Forecasting: what the metrics mean"):
// perplexity < 2.5, Brier < 0.15, match rate > 80 %, depth ≥ 3 match rate > 70 %. Each gate is
// judged on a stage's latest whole-split eval (depth null), the depth gate on the pooled counts of
// its latest per-depth evals at depth ≥ 3. No data is 'missing', never a silent pass.
import type { EvalEvent, MatchCounts, Stage } from '../contracts/metrics';
import { stagesOf, type EvalMatrix } from './series';

export interface CoverageShares {
  exact: number;
  semantic: number;
  llm: number;
  none: number;
  total: number;
}

export function matchTotal(m: MatchCounts): number {
  return m.exact + m.semantic + m.llm + m.none;
}

/** Shares of each match kind (0..1); all zero when nothing was evaluated. */
export function coverageShares(m: MatchCounts): CoverageShares {
  const total = matchTotal(m);
  if (total === 0) return { exact: 0, semantic: 0, llm: 0, none: 0, total };
  return { exact: m.exact / total, semantic: m.semantic / total, llm: m.llm / total, none: m.none / total, total };
}

/** Match rate = 1 − share of `none`; null when nothing was evaluated. */
export function matchRate(m: MatchCounts): number | null {
  const total = matchTotal(m);
  return total === 0 ? null : (total - m.none) / total;
}

export function sumCounts(events: readonly EvalEvent[]): MatchCounts {
  const s = { exact: 0, semantic: 0, llm: 0, none: 0 };
  for (const e of events) {
    s.exact += e.match.exact;
    s.semantic += e.match.semantic;
    s.llm += e.match.llm;
    s.none += e.match.none;
  }
  return s;
}

export type GateId = 'perplexity' | 'brier' | 'match' | 'deepMatch';
export type GateStatus = 'pass' | 'fail' | 'missing';

export interface GateSpec {
  id: GateId;
  label: string;
  /** Human-readable target, e.g. "< 2.5". */
  target: string;
  threshold: number;
  direction: 'below' | 'above';
  percent: boolean;
}

export const GATES: readonly GateSpec[] = [
  { id: 'perplexity', label: 'Perplexity', target: '< 2.5', threshold: 2.5, direction: 'below', percent: false },
  { id: 'brier', label: 'Brier', target: '< 0.15', threshold: 0.15, direction: 'below', percent: false },
  { id: 'match', label: 'Match rate', target: '> 80 %', threshold: 0.8, direction: 'above', percent: true },
  { id: 'deepMatch', label: 'Match rate, depth ≥ 3', target: '> 70 %', threshold: 0.7, direction: 'above', percent: true },
];

export interface GateResult {
  gate: GateSpec;
  value: number | null;
  status: GateStatus;
}

export interface StageGates {
  stage: Stage;
  results: GateResult[];
  /** pass when every gate passes; fail when any fails; else missing. */
  overall: GateStatus;
  ece: number | null;
  n: number | null;
}

export function judge(gate: GateSpec, value: number | null): GateStatus {
  if (value === null || !Number.isFinite(value)) return 'missing';
  const ok = gate.direction === 'below' ? value < gate.threshold : value > gate.threshold;
  return ok ? 'pass' : 'fail';
}

export function stageGates(stage: Stage, byDepth: ReadonlyMap<string, EvalEvent> | undefined): StageGates {
  const all = byDepth?.get('all');
  const deep = [...(byDepth?.entries() ?? [])].filter(([k]) => k !== 'all' && Number(k) >= 3).map(([, e]) => e);
  const values: Record<GateId, number | null> = {
    perplexity: all?.perplexity ?? null,
    brier: all?.brier ?? null,
    match: all ? matchRate(all.match) : null,
    deepMatch: deep.length ? matchRate(sumCounts(deep)) : null,
  };
  const results = GATES.map((gate) => ({ gate, value: values[gate.id], status: judge(gate, values[gate.id]) }));
  const overall: GateStatus = results.some((r) => r.status === 'fail')
    ? 'fail'
    : results.every((r) => r.status === 'pass')
      ? 'pass'
      : 'missing';
  return { stage, results, overall, ece: all?.ece ?? null, n: all?.n ?? null };
}

export function allStageGates(m: EvalMatrix): StageGates[] {
  return stagesOf(m).map((stage) => stageGates(stage, m.get(stage)));
}

export function formatGateValue(gate: GateSpec, value: number | null): string {
  if (value === null) return '—';
  return gate.percent ? `${(value * 100).toFixed(1)} %` : value.toFixed(3);
}
