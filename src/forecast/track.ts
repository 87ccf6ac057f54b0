// GET /v1/track → what the Monitoring panel draws: per model version a series over days (aligned on
// one date axis for the charts and their tables) and the A/B comparison. Pure.
import type { TrackModel } from '../contracts/service';
import type { MonitoringState } from './monitoring/protocol';

export type TrackField = 'brier' | 'brierSkill' | 'resolved';

/** Every day any model has a point, ascending. */
export function trackDates(models: readonly TrackModel[]): string[] {
  return [...new Set(models.flatMap((m) => m.series.map((p) => p.date)))].sort();
}

/** The model's cumulative value on each of `dates`: carried forward from its last point, null before its first. */
export function alignedSeries(model: TrackModel, dates: readonly string[], field: TrackField): (number | null)[] {
  const byDate = new Map(model.series.map((p) => [p.date, p]));
  let last: number | null = null;
  return dates.map((d) => {
    const p = byDate.get(d);
    if (p) last = p[field];
    return last;
  });
}

export interface Comparison {
  /** One line that says how the arms compare, or why they cannot be compared yet. */
  sentence: string;
  /** Skill of B minus skill of A; null when either has none. */
  skillDelta: number | null;
}

/** The A/B comparison, when the service routes between two arms. */
export function compareArms(state: Pick<MonitoringState, 'arms' | 'models'>): Comparison | null {
  const arms = state.arms;
  if (!arms?.b) return null;
  const a = state.models.find((m) => m.model === arms.a);
  const b = state.models.find((m) => m.model === arms.b);
  const share = `${Math.round(arms.bShare * 100)} % of requests go to B`;
  if (!a?.resolved || !b?.resolved) {
    return {
      sentence: `A/B: arm A ${arms.a}, arm B ${arms.b} (${share}). Not comparable yet: each arm needs resolved forecasts (A ${a?.resolved ?? 0}, B ${b?.resolved ?? 0}).`,
      skillDelta: null,
    };
  }
  const delta = a.brierSkill !== null && b.brierSkill !== null ? b.brierSkill - a.brierSkill : null;
  const verdict =
    delta === null
      ? 'no skill to compare'
      : delta > 0
        ? `B is ahead by ${delta.toFixed(3)} skill`
        : delta < 0
          ? `A is ahead by ${(-delta).toFixed(3)} skill`
          : 'level';
  const few = Math.min(a.resolved, b.resolved) < 30 ? ' — few resolved levels, so this can still change' : '';
  return {
    sentence: `A/B: arm A ${arms.a} (${a.resolved} resolved), arm B ${arms.b} (${b.resolved} resolved), ${share}: ${verdict}${few}.`,
    skillDelta: delta,
  };
}

export function formatScore(v: number | null, digits = 3): string {
  return v === null ? '—' : v.toFixed(digits);
}
