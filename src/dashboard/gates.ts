// Match coverage and the production gates (shared/GUIDE.md "Forecasting: what the metrics mean").
// The gates are a fact both halves read: schemas/gates.json (perplexity < 2.5, Brier < 0.15, match
// rate > 80 %, depth ≥ 3 match rate > 70 % today). Each gate is judged on a stage's latest
// whole-split eval (depth null), a gate with `minDepth` on the pooled counts of its latest per-depth
// evals at that depth and deeper. No data is 'missing', never a silent pass; and a Brier under the
// target without skill (brierSkill ≤ 0) is no forecast at all: 'fail' with the reason "no skill",
// or 'missing' ("skill not reported") for runs logged before brierSkill existed.
// No zod here: this module is in the webview bundle, so the file is checked by hand.
import type { EvalEvent, MatchCounts, Stage } from '../contracts/metrics';
import gatesFile from '../../schemas/gates.json';
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

/** A gate's id in schemas/gates.json ('perplexity', 'brier', 'match', 'deepMatch'). */
export type GateId = string;
export type GateStatus = 'pass' | 'fail' | 'missing';
export type GateMetric = 'perplexity' | 'brier' | 'matchRate';
const METRICS: readonly GateMetric[] = ['perplexity', 'brier', 'matchRate'];

export interface GateSpec {
  id: GateId;
  label: string;
  /** Human-readable target, e.g. "< 2.5" or "< 0.15, skill > 0". */
  target: string;
  threshold: number;
  direction: 'below' | 'above';
  percent: boolean;
  metric: GateMetric;
  /** Judged on the pooled per-depth evals at this depth and deeper; null: the whole split. */
  minDepth: number | null;
  /** Only a forecast with skill (brierSkill > 0) can pass. */
  skillRequired: boolean;
}

/** Checks and reads a gates file (the shape of schemas/gates.json); throws on anything it cannot judge by. */
export function parseGates(raw: unknown): GateSpec[] {
  const list = isRecord(raw) ? raw.gates : undefined;
  if (!Array.isArray(list)) throw new Error('gates file: "gates" must be a list');
  const seen = new Set<string>();
  return list.map((g: unknown, i): GateSpec => {
    const bad = (what: string): Error => new Error(`gates file: gate ${i + 1}: ${what}`);
    if (!isRecord(g)) throw bad('not an object');
    const { id, label, metric, op, threshold, percent, minDepth, skillRequired } = g;
    if (typeof id !== 'string' || !id) throw bad('"id" must be a non-empty string');
    if (seen.has(id)) throw bad(`id "${id}" appears twice`);
    seen.add(id);
    if (typeof label !== 'string' || !label) throw bad('"label" must be a non-empty string');
    if (typeof metric !== 'string' || !(METRICS as readonly string[]).includes(metric))
      throw bad(`"metric" must be one of ${METRICS.join(', ')}`);
    if (op !== '<' && op !== '>') throw bad('"op" must be "<" or ">"');
    if (typeof threshold !== 'number' || !Number.isFinite(threshold)) throw bad('"threshold" must be a number');
    if (percent !== undefined && typeof percent !== 'boolean') throw bad('"percent" must be true or false');
    if (minDepth !== undefined && !(Number.isSafeInteger(minDepth) && (minDepth as number) >= 1))
      throw bad('"minDepth" must be an integer ≥ 1');
    // Pooling is defined for counts only: a mean Brier or perplexity over depths needs weights the events do not carry.
    if (minDepth !== undefined && metric !== 'matchRate') throw bad('"minDepth" applies to the matchRate metric only');
    if (skillRequired !== undefined && typeof skillRequired !== 'boolean')
      throw bad('"skillRequired" must be true or false');
    if (skillRequired && metric !== 'brier') throw bad('"skillRequired" applies to the brier metric only');
    const pct = percent === true;
    const shown = pct ? `${Number((threshold * 100).toFixed(6))} %` : String(threshold);
    return {
      id,
      label,
      target: `${op} ${shown}${skillRequired ? ', skill > 0' : ''}`,
      threshold,
      direction: op === '<' ? 'below' : 'above',
      percent: pct,
      metric: metric as GateMetric,
      minDepth: minDepth === undefined ? null : (minDepth as number),
      skillRequired: skillRequired === true,
    };
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const GATES: readonly GateSpec[] = parseGates(gatesFile);

/** Why a gate is not what its threshold alone says (shown beside the value). */
export const NO_DATA = 'no data';
export const NO_SKILL = 'no skill';
export const SKILL_NOT_REPORTED = 'skill not reported';

export interface Judgement {
  status: GateStatus;
  /** NO_DATA, NO_SKILL or SKILL_NOT_REPORTED; null when the threshold alone decides. */
  reason: string | null;
}

export interface GateResult extends Judgement {
  gate: GateSpec;
  value: number | null;
}

export interface StageGates {
  stage: Stage;
  results: GateResult[];
  /** pass when every gate passes; fail when any fails; else missing. */
  overall: GateStatus;
  ece: number | null;
  n: number | null;
}

/**
 * A value against a gate. `skill` (brierSkill) matters only to a gate with skillRequired: a Brier
 * under the target passes only with skill > 0; with skill ≤ 0 it fails ("no skill"), and without a
 * skill figure it is missing ("skill not reported") — never a pass on half the evidence.
 */
export function judge(gate: GateSpec, value: number | null, skill: number | null = null): Judgement {
  if (value === null || !Number.isFinite(value)) return { status: 'missing', reason: NO_DATA };
  const ok = gate.direction === 'below' ? value < gate.threshold : value > gate.threshold;
  if (!ok) return { status: 'fail', reason: null };
  if (gate.skillRequired) {
    if (skill === null || !Number.isFinite(skill)) return { status: 'missing', reason: SKILL_NOT_REPORTED };
    if (skill <= 0) return { status: 'fail', reason: NO_SKILL };
  }
  return { status: 'pass', reason: null };
}

export function stageGates(stage: Stage, byDepth: ReadonlyMap<string, EvalEvent> | undefined): StageGates {
  const all = byDepth?.get('all');
  const valueOf = (gate: GateSpec): number | null => {
    if (gate.minDepth !== null) {
      const deep = [...(byDepth?.entries() ?? [])]
        .filter(([k]) => k !== 'all' && Number(k) >= gate.minDepth!)
        .map(([, e]) => e);
      return deep.length ? matchRate(sumCounts(deep)) : null;
    }
    if (!all) return null;
    return gate.metric === 'matchRate' ? matchRate(all.match) : all[gate.metric];
  };
  const results = GATES.map((gate): GateResult => {
    const value = valueOf(gate);
    return { gate, value, ...judge(gate, value, all?.brierSkill ?? null) };
  });
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
