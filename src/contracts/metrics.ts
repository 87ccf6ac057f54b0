// Contract 3 (shared/GUIDE.md): metric events, one JSON object per line of metrics.jsonl,
// discriminated by `type`. `time` is an ISO-8601 timestamp. Readers ignore unknown keys so the
// Python emitter can add fields without breaking the dashboard.
import { z } from 'zod';

export const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export const STAGES = ['baseline', 'sft', 'grpo'] as const;

const time = z.string().min(1).describe('ISO-8601 timestamp of the event.');
const nonNegative = z.number().min(0);

export const TrainEventSchema = z.object({
  type: z.literal('train'),
  step: z.int().min(0),
  epoch: nonNegative,
  loss: z.number(),
  lr: nonNegative,
  gradNorm: nonNegative.optional(),
  tokensPerSecond: nonNegative.optional(),
  rewardMean: z.number().optional().describe('GRPO only: mean reward (1 - Brier) of the step.'),
  rewardStd: nonNegative.optional().describe('GRPO only: standard deviation of the reward.'),
  time,
});

/** Match coverage as counts of evaluated levels; exact + semantic + llm + none = n. */
export const MatchCountsSchema = z.object({
  exact: z.int().min(0),
  semantic: z.int().min(0),
  llm: z.int().min(0),
  none: z.int().min(0),
});

// Brier is a mean of squared differences of probabilities, so 0..2; skill = 1 − Brier / Brier of the
// uniform forecast on the same levels, so at most 1 and negative when worse than chance.
const brier = z.number().min(0).max(2);
const brierSkill = z.number().max(1);
const ece = z.number().min(0).max(1);

/**
 * A closed interval [lo, hi] (95 % bootstrap over cases). No lo ≤ hi refinement: JSON Schema cannot
 * say it, and the Python emitter validates against the exported schema, so zod must not be stricter.
 */
const interval = (bound: z.ZodNumber) => z.tuple([bound, bound]);

/** One way of reading the forecast (shared/GUIDE.md "Forecasting"): the letter readout or the stated forecast. */
export const ReadoutSchema = z.object({ brier, brierSkill, ece });

export const EvalIntervalsSchema = z
  .object({
    brier: interval(brier),
    brierSkill: interval(brierSkill),
    matchRate: interval(z.number().min(0).max(1)),
  })
  .describe('95 % bootstrap intervals over cases, as [lo, hi].');

/** The matcher that counted `match`, so coverage can be compared across runs (training/psychohistory/matching.py). */
export const MatcherSettingsSchema = z
  .object({
    version: z.string().min(1),
    jaccard: z.number().min(0).max(1).describe('Token Jaccard above this is semantic.'),
    cosine: z
      .number()
      .min(-1)
      .max(1)
      .optional()
      .describe('Without a judge, an embedding cosine at or above this is semantic; absent: embeddings off.'),
    model: z.string().optional().describe('The sentence-embedding model.'),
    judgeBand: z
      .tuple([z.number(), z.number()])
      .optional()
      .describe("With a judge: cosines in [lo, hi) are the judge's to decide."),
    judge: z.string().optional().describe('The judge model.'),
  })
  .describe('The matcher: its version and thresholds.');

export const EvalEventSchema = z.object({
  type: z.literal('eval'),
  stage: z.enum(STAGES),
  depth: z.int().min(1).nullable().describe('null: the whole split; otherwise one depth.'),
  loss: z.number().min(0),
  perplexity: z.number().min(1),
  brier: brier.describe(
    "The stage's headline readout: the letter readout for baseline and sft, the stated forecast for grpo.",
  ),
  ece: ece.optional(),
  match: MatchCountsSchema,
  n: z.int().min(0).describe('Number of evaluated levels.'),
  time,
  brierSkill: brierSkill
    .optional()
    .describe('1 − brier / Brier of the uniform forecast on the same levels; 0 = chance, 1 = perfect.'),
  letters: ReadoutSchema.optional().describe('The letter readout: next-token distribution over the candidate letters.'),
  stated: ReadoutSchema.optional().describe('The stated forecast: the probabilities the model writes, parsed.'),
  parseFailures: z.int().min(0).optional().describe('Stated forecasts that could not be parsed (scored as uniform).'),
  ci: EvalIntervalsSchema.optional(),
  matcher: MatcherSettingsSchema.optional(),
});

export const StatusEventSchema = z.object({
  type: z.literal('status'),
  state: z.enum(RUN_STATES),
  message: z.string().optional(),
  time,
});

export const CostEventSchema = z.object({
  type: z.literal('cost'),
  gpu: z.string().min(1),
  seconds: nonNegative,
  usd: nonNegative.describe('Everything the run cost: the GPU time, plus the judge when there is one.'),
  judge: z
    .object({ model: z.string().min(1), calls: z.int().min(0), usd: nonNegative })
    .optional()
    .describe(
      "An evaluation's LLM judge for match coverage: its model, requests (retries included) and dollars (included in usd).",
    ),
  time,
});

export const ArtifactEventSchema = z.object({
  type: z.literal('artifact'),
  name: z.string().min(1),
  path: z.string().min(1),
  time,
});

export const MetricEventSchema = z.discriminatedUnion('type', [
  TrainEventSchema,
  EvalEventSchema,
  StatusEventSchema,
  CostEventSchema,
  ArtifactEventSchema,
]);

export type RunState = (typeof RUN_STATES)[number];
export type Stage = (typeof STAGES)[number];
export type TrainEvent = z.infer<typeof TrainEventSchema>;
export type EvalEvent = z.infer<typeof EvalEventSchema>;
export type MatchCounts = z.infer<typeof MatchCountsSchema>;
export type MatcherSettings = z.infer<typeof MatcherSettingsSchema>;
export type Readout = z.infer<typeof ReadoutSchema>;
export type EvalIntervals = z.infer<typeof EvalIntervalsSchema>;
export type StatusEvent = z.infer<typeof StatusEventSchema>;
export type CostEvent = z.infer<typeof CostEventSchema>;
export type ArtifactEvent = z.infer<typeof ArtifactEventSchema>;
export type MetricEvent = z.infer<typeof MetricEventSchema>;
