// Typed builders for dashboard fixtures (contracts 2–4): unit tests, the render tests and the
// fixture generator share them, so a contract change breaks the type check, not a JSON blob.
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { EvalEvent, MetricEvent, Stage, TrainEvent } from '../../../src/contracts/metrics';
import type { RunKind, RunRecord } from '../../../src/contracts/run';
import type { ForecastNode, ForecastTree } from '../../../src/contracts/tree';
import { rng } from '../../shared/rng';
import { trainEventOn } from '../../shared/trainEvents';
import type { TrainCurve } from '../../shared/trainEvents';

const T0 = Date.parse('2026-01-10T09:00:00Z');
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

export function runRecord(id: string, kind: RunKind, over: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    kind,
    backend: 'modal',
    config: { model: 'openai/gpt-oss-20b', loraRank: kind === 'grpo' ? 4 : 8, epochs: 1 },
    state: 'succeeded',
    createdAt: at(0),
    startedAt: at(30),
    endedAt: at(30 + 2 * 3600 + 5 * 60),
    ...over,
  };
}

/** The dashboard fixtures' curve: 100 steps an epoch, a loss falling from 2, a step logged every 10 s after a minute. */
const CURVE: TrainCurve = {
  stepsPerEpoch: 100,
  loss: (s) => 2 / Math.sqrt(1 + s / 10),
  lr: 2e-4,
  time: (s) => at(60 + s * 10),
};

export const train = (step: number, over: Partial<TrainEvent> = {}): TrainEvent => trainEventOn(CURVE, step, over);

/** A plausible SFT curve: decaying loss with noise and one spike, warmup then cosine lr. */
export function trainCurve(steps: number, seed = 1, reward = false): TrainEvent[] {
  const r = rng(seed);
  const out: TrainEvent[] = [];
  for (let s = 1; s <= steps; s++) {
    const warm = Math.min(1, s / (steps * 0.1));
    const lr = 2e-4 * warm * (0.5 + 0.5 * Math.cos((Math.PI * s) / steps));
    const spike = s === Math.floor(steps * 0.6) ? 0.8 : 0;
    const ev = train(s, { loss: 0.6 + 2.2 * Math.exp(-s / (steps / 4)) + (r() - 0.5) * 0.15 + spike, lr });
    if (reward) {
      ev.rewardMean = 0.55 + 0.3 * (1 - Math.exp(-s / (steps / 3))) + (r() - 0.5) * 0.05;
      ev.rewardStd = 0.08 + r() * 0.04;
    }
    out.push(ev);
  }
  return out;
}

export type Counts = [exact: number, semantic: number, llm: number, none: number];

/**
 * Per-depth match counts (depths 1..3, 50 levels each) of the fixture stages: baseline fails the
 * match gates, SFT passes them, GRPO passes overall match but fails depth ≥ 3.
 */
export const STAGE_COUNTS: Record<'baseline' | 'sft' | 'grpo', Counts[]> = {
  baseline: [
    [20, 10, 5, 15],
    [15, 8, 7, 20],
    [10, 5, 5, 30],
  ],
  sft: [
    [30, 12, 6, 2],
    [28, 10, 6, 6],
    [22, 10, 6, 12],
  ],
  grpo: [
    [32, 10, 6, 2],
    [30, 10, 6, 4],
    [20, 8, 5, 17],
  ],
};

/** The optional forecast fields of an eval event (skill, the two readouts, parse failures, intervals). */
export type ForecastFields = Partial<Pick<EvalEvent, 'brierSkill' | 'letters' | 'stated' | 'parseFailures' | 'ci'>>;

export function evalEv(
  stage: Stage,
  depth: number | null,
  m: { perplexity: number; brier: number; ece?: number; match: Counts } & ForecastFields,
  time = at(9000),
): EvalEvent {
  const [exact, semantic, llm, none] = m.match;
  const n = exact + semantic + llm + none;
  const ev: EvalEvent = {
    type: 'eval',
    stage,
    depth,
    loss: Math.log(m.perplexity),
    perplexity: m.perplexity,
    brier: m.brier,
    match: { exact, semantic, llm, none },
    n,
    time,
  };
  if (m.ece !== undefined) ev.ece = m.ece;
  for (const k of ['brierSkill', 'letters', 'stated', 'parseFailures', 'ci'] as const)
    if (m[k] !== undefined) Object.assign(ev, { [k]: m[k] });
  return ev;
}

/** Brier of the uniform forecast on levels of four candidates: (K − 1) / K². */
export const UNIFORM_BRIER_4 = 3 / 16;

const skillOf = (brier: number): number => 1 - brier / UNIFORM_BRIER_4;

/**
 * The forecast fields an emitter of contract 3 now sends, derived from an event's headline Brier
 * on four-candidate levels: the headline is the letter readout for baseline and SFT, the stated
 * forecast for GRPO; the other readout is a little worse; intervals ±0.015 Brier, ±5 points match.
 */
export function withForecast(ev: EvalEvent): EvalEvent {
  const b = ev.brier;
  const ece = ev.ece ?? 0.05;
  const headline = { brier: b, brierSkill: skillOf(b), ece };
  const other = { brier: b + 0.02, brierSkill: skillOf(b + 0.02), ece: Math.min(1, ece + 0.02) };
  const lo = Math.max(0, b - 0.015);
  const hi = b + 0.015;
  const total = ev.match.exact + ev.match.semantic + ev.match.llm + ev.match.none;
  const rate = total ? 1 - ev.match.none / total : 0;
  const failShare = ev.stage === 'baseline' ? 0.25 : ev.stage === 'sft' ? 0.02 : 0;
  return {
    ...ev,
    brierSkill: skillOf(b),
    letters: ev.stage === 'grpo' ? other : headline,
    stated: ev.stage === 'grpo' ? headline : other,
    parseFailures: Math.round(ev.n * failShare),
    ci: {
      brier: [lo, hi],
      brierSkill: [skillOf(hi), skillOf(lo)],
      matchRate: [Math.max(0, rate - 0.05), Math.min(1, rate + 0.05)],
    },
  };
}

/**
 * Whole-split + depths 1..3 evals for a stage, with depth counts summing to the whole split.
 * `forecast` adds the skill, readout and interval fields (withForecast); without it the events
 * look like those of runs logged before those fields existed.
 */
export function stageEvals(
  stage: Stage,
  perplexity: number,
  brier: number,
  perDepth: Counts[],
  opts: { ece?: number; forecast?: boolean } = {},
): EvalEvent[] {
  const ece = opts.ece ?? 0.05;
  const total: Counts = [0, 0, 0, 0];
  perDepth.forEach((c) => c.forEach((v, i) => (total[i] = total[i]! + v)));
  const evs = [
    evalEv(stage, null, { perplexity, brier, ece, match: total }),
    ...perDepth.map((c, i) =>
      evalEv(stage, i + 1, {
        perplexity: perplexity * (1 + 0.1 * i),
        brier: brier * (1 + 0.15 * i),
        ece: ece * (1 + 0.2 * i),
        match: c,
      }),
    ),
  ];
  return opts.forecast ? evs.map(withForecast) : evs;
}

export interface TreeShape {
  /** Children per node at each depth, e.g. [10, 10, 10, 4] → 5,110 nodes. */
  branching: number[];
  seed?: number;
  withMatch?: boolean;
}

/** A forecast tree whose first-ranked branch at each depth is the actual one. */
export function forecastTree(seedEvent: string, date: string, shape: TreeShape): ForecastTree {
  const r = rng(shape.seed ?? 7);
  const kinds = ['exact', 'semantic', 'llm', 'none'] as const;
  const level = (depth: number, onPath: boolean, prefix: string): ForecastNode[] => {
    const k = shape.branching[depth - 1];
    if (!k) return [];
    const weights = Array.from({ length: k }, () => 0.2 + r());
    const sum = weights.reduce((a, b) => a + b, 0);
    return weights.map((w, i) => {
      const actual = onPath && i === 0;
      const node: ForecastNode = {
        event: `${prefix}${i + 1} event at depth ${depth}`,
        probability: Number((w / sum).toFixed(4)),
        depth,
        children: level(depth + 1, actual, `${prefix}${i + 1}.`),
      };
      if (onPath) node.actual = actual;
      if (shape.withMatch && actual)
        node.match = {
          kind: kinds[Math.floor(r() * 4)]!,
          score: Number(r().toFixed(2)),
          actual: `What really happened at depth ${depth}`,
        };
      return node;
    });
  };
  return {
    seed: { event: seedEvent, date },
    model: 'gpt-oss-20b-sft',
    createdAt: at(9500),
    children: level(1, true, 'Outcome '),
  };
}

export interface RunFiles {
  record?: RunRecord | null;
  /** Events, or raw lines (to write broken data on purpose). */
  metrics?: (MetricEvent | string)[] | null;
  /** Appended after the last line without a newline: a half-written event. */
  truncatedTail?: string;
  trees?: ForecastTree[];
}

export function writeRun(dir: string, files: RunFiles): void {
  mkdirSync(dir, { recursive: true });
  if (files.record) writeFileSync(path.join(dir, 'run.json'), JSON.stringify(files.record, null, 2) + '\n');
  if (files.metrics !== undefined && files.metrics !== null) {
    const lines = files.metrics.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    writeFileSync(path.join(dir, 'metrics.jsonl'), lines.map((l) => l + '\n').join('') + (files.truncatedTail ?? ''));
  }
  if (files.trees?.length)
    writeFileSync(path.join(dir, 'trees.jsonl'), files.trees.map((t) => JSON.stringify(t) + '\n').join(''));
}
