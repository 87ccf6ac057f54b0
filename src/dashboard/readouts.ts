// What a stage's forecast says beyond the gates (shared/GUIDE.md "Forecasting"): its Brier skill
// against the uniform forecast, the 95 % bootstrap intervals, both readouts (the letter readout and
// the stated forecast, one of them the stage's headline) and how many stated forecasts did not
// parse. Read from the stage's whole-split eval; every field is optional in contract 3, so an old
// run gives nulls and the table shows '—'. Pure, and formats numbers the way the panel prints them.
import type { EvalEvent, EvalIntervals, Readout, Stage } from '../contracts/metrics';

export type ReadoutName = 'letters' | 'stated';

/** The readout a stage trained, which its top-level Brier fields report: letters for baseline and SFT, stated for GRPO. */
export function headlineReadout(stage: Stage): ReadoutName {
  return stage === 'grpo' ? 'stated' : 'letters';
}

export interface StageForecast {
  headline: ReadoutName;
  brierSkill: number | null;
  ci: EvalIntervals | null;
  letters: Readout | null;
  stated: Readout | null;
  parseFailures: number | null;
  n: number | null;
}

export function stageForecast(stage: Stage, byDepth: ReadonlyMap<string, EvalEvent> | undefined): StageForecast {
  const all = byDepth?.get('all');
  return {
    headline: headlineReadout(stage),
    brierSkill: all?.brierSkill ?? null,
    ci: all?.ci ?? null,
    letters: all?.letters ?? null,
    stated: all?.stated ?? null,
    parseFailures: all?.parseFailures ?? null,
    n: all?.n ?? null,
  };
}

const MINUS = '\u2212';

/** A number to `digits` places with a typographic minus; '—' when absent. */
export function formatNumber(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = v.toFixed(digits);
  // -0.000 reads as a sign the data does not have.
  if (Number(s) === 0) return (0).toFixed(digits);
  return s.startsWith('-') ? MINUS + s.slice(1) : s;
}

/** "[lo, hi]", or "[lo, hi] %" for shares; '' when absent (the cell then shows the value alone). */
export function formatInterval(
  ci: readonly [number, number] | null | undefined,
  opts: { percent?: boolean; digits?: number } = {},
): string {
  if (!ci) return '';
  const scale = opts.percent ? 100 : 1;
  const digits = opts.digits ?? (opts.percent ? 1 : 3);
  return `[${formatNumber(ci[0] * scale, digits)}, ${formatNumber(ci[1] * scale, digits)}]${opts.percent ? ' %' : ''}`;
}

/** "3 (2.0 %)" of n levels; '—' when not reported. */
export function formatParseFailures(failures: number | null, n: number | null): string {
  if (failures === null) return '—';
  return n ? `${failures} (${((failures / n) * 100).toFixed(1)} %)` : String(failures);
}

/** "Brier 0.120 · skill 0.360" for a readout; '—' when the run did not report it. */
export function formatReadout(r: Readout | null): string {
  return r ? `Brier ${formatNumber(r.brier)} · skill ${formatNumber(r.brierSkill)}` : '—';
}
