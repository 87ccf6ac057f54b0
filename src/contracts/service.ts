// Contract 5 (shared/GUIDE.md): the forecast service's request and response bodies. The Python service
// (training/psychohistory/serve.py) validates requests against the JSON Schemas exported from here, so
// both halves refuse the same bodies. Limits the schema cannot know (the service's own max depth and
// breadth, a real calendar date) are checked by the service and answered 422 with the reason.
import { z } from 'zod';
import { ISO_DATE_PATTERN } from './case';
import { ForecastTreeSchema } from './tree';

const modelVersion = z
  .string()
  .min(1)
  .max(200)
  .describe('A model version the service holds, e.g. "tiny+adapter@1a2b3c4d" (GET /healthz lists them).');

export const ForecastRequestSchema = z
  .strictObject({
    seed: z.strictObject({
      event: z.string().trim().min(1).max(500).describe('What happened: the event the forecast starts from.'),
      date: z.string().regex(ISO_DATE_PATTERN).describe('When it happened, as YYYY-MM-DD (a real calendar date).'),
    }),
    depth: z.int().min(1).max(16).describe('Levels below the seed.'),
    breadth: z.int().min(1).max(16).describe('Children per node, the most likely first.'),
    model: modelVersion.optional().describe('Ask this model version; otherwise A/B routing picks one.'),
  })
  .describe('POST /v1/forecast');

export const ForecastResponseSchema = ForecastTreeSchema.extend({
  id: z.string().min(1).describe('The forecast id; outcomes refer to it. A cached answer repeats the id.'),
  model: modelVersion,
  cached: z.boolean().describe('Served from the cache (an identical request within the TTL).'),
}).describe('POST /v1/forecast answer: a contract-4 tree plus id, model and cached.');

export const OutcomeRequestSchema = z
  .strictObject({
    id: z.string().min(1).max(100).describe('The forecast id.'),
    depth: z.int().min(1).max(16).describe('Which level of the forecast the outcome resolves.'),
    event: z.string().trim().min(1).max(500).describe('What actually happened at that depth.'),
  })
  .describe('POST /v1/outcomes');

export const OutcomeResponseSchema = z
  .object({
    id: z.string().min(1),
    depth: z.int().min(1),
    event: z.string(),
    model: modelVersion.describe('The model version that made the forecast.'),
    recordedAt: z.string(),
    inForecast: z.boolean().describe('Whether a node of that level matched the outcome (exact or semantic).'),
    perplexity: z
      .number()
      .nullable()
      .describe('The outcome teacher-forced through the forecasting model; null when that model is not at hand.'),
  })
  .describe('POST /v1/outcomes answer (201)');

export const HealthSchema = z
  .object({
    ok: z.boolean(),
    models: z.array(modelVersion).min(1).describe('Model versions served: arm A, then arm B when A/B routing is on.'),
    bShare: z.number().min(0).max(1).describe('Share of requests routed to arm B (0 without one).'),
    queue: z.int().min(0).describe('Trees waiting for the model.'),
    forecasts: z.int().min(0),
    outcomes: z.int().min(0),
  })
  .describe('GET /healthz (no token needed)');

export const RecordedOutcomeSchema = z.object({
  depth: z.int().min(1),
  event: z.string(),
  recordedAt: z.string().describe('When the outcome was recorded (UTC, ISO 8601).'),
});

export const ForecastListItemSchema = z.object({
  id: z.string().min(1),
  model: modelVersion,
  createdAt: z.string().describe('When the forecast was computed (UTC, ISO 8601).'),
  request: z.object({
    seed: z.object({ event: z.string(), date: z.string() }),
    depth: z.int().min(1),
    breadth: z.int().min(1),
  }),
  tree: ForecastTreeSchema,
  outcomes: z.array(RecordedOutcomeSchema).describe('The outcomes recorded so far, by depth.'),
  open: z.boolean().describe('A level of the tree still awaits its outcome.'),
});

export const ForecastListSchema = z
  .object({
    forecasts: z.array(ForecastListItemSchema).describe('Newest first.'),
  })
  .describe('GET /v1/forecasts?open=true|false&limit=N (open=true, the default: only forecasts awaiting an outcome)');

const nullableScore = z.number().nullable();

export const TrackPointSchema = z.object({
  date: z.string().regex(ISO_DATE_PATTERN).describe('Day the outcomes were recorded (UTC).'),
  resolved: z.int().min(0).describe('Levels resolved up to and including this day.'),
  brier: nullableScore,
  brierSkill: nullableScore,
  ece: nullableScore,
  perplexity: nullableScore.describe('Live perplexity of the outcomes under the model, token-weighted.'),
});

export const TrackModelSchema = z.object({
  model: modelVersion,
  forecasts: z.int().min(0),
  resolved: z.int().min(0).describe('Forecast levels with a recorded outcome.'),
  brier: nullableScore.describe('Mean (p - label)^2 over the resolved levels; null before any resolves.'),
  brierSkill: nullableScore.describe('1 - Brier / Brier of the uniform forecast on the same levels.'),
  ece: nullableScore.describe('Expected calibration error, 10 equal-width bins.'),
  perplexity: nullableScore.describe(
    'Live perplexity: the outcomes teacher-forced through the model that forecast them.',
  ),
  matchRate: nullableScore.describe('Share of resolved levels where a predicted event matched the outcome.'),
  series: z.array(TrackPointSchema).describe('Cumulative scores over time, one point per day with outcomes.'),
});

export const TrackResponseSchema = z
  .object({
    models: z.array(TrackModelSchema),
  })
  .describe('GET /v1/track');

export type ForecastRequest = z.infer<typeof ForecastRequestSchema>;
export type ForecastResponse = z.infer<typeof ForecastResponseSchema>;
export type OutcomeRequest = z.infer<typeof OutcomeRequestSchema>;
export type TrackResponse = z.infer<typeof TrackResponseSchema>;
export type OutcomeResponse = z.infer<typeof OutcomeResponseSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type TrackModel = z.infer<typeof TrackModelSchema>;
export type ForecastList = z.infer<typeof ForecastListSchema>;
export type ForecastListItem = z.infer<typeof ForecastListItemSchema>;
