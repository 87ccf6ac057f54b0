// Contract 1 (shared/GUIDE.md): one forecasting case per JSONL line.
// This zod schema is the single source: scripts/exportSchemas.ts writes it as JSON Schema for the
// Python side. Rules JSON Schema cannot express (exactly one actual per level, consecutive depths,
// real calendar dates, file-level warnings) live in src/cases/rules.ts.
import { z } from 'zod';
import { REVIEW_STATUSES, SPLITS } from './caseVocabulary';

export { REVIEW_STATUSES, SPLITS };

export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

// Patterns use [0-9] and explicit code ranges, never \d or \s: the Python side checks the exported
// JSON Schema with `re`, where those classes take Unicode digits and spaces.
export const TIMESTAMP_PATTERN =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$/;
// Control characters and spaces end a URL: matching them is the point here.
// eslint-disable-next-line no-control-regex
export const URL_PATTERN = /^https?:\/\/[^\x00-\x20\x7f]+$/;

/** Evidence (provenance, optional): a published page that reports the seed or the actual outcome. */
export const SourceSchema = z.strictObject({
  url: z.string().regex(URL_PATTERN).describe('Where it was published: an http(s) URL.'),
  title: z.string().optional().describe('The page title.'),
  published: z.string().regex(ISO_DATE_PATTERN).describe('When it was published, as YYYY-MM-DD.'),
  quote: z.string().optional().describe('The passage that reports the event.'),
});

export const SourcesSchema = z
  .array(SourceSchema)
  .describe('Evidence that the event happened, each source with its publication date.');

export const SeedSchema = z.strictObject({
  event: z.string().trim().min(1).describe('What happened: the event the forecast starts from.'),
  date: z.string().regex(ISO_DATE_PATTERN).describe('When it happened, as YYYY-MM-DD.'),
  sources: SourcesSchema.optional(),
});

export const CandidateSchema = z.strictObject({
  event: z.string().trim().min(1).describe('A possible follow-up event.'),
  label: z.union([z.literal(0), z.literal(1)]).describe('1 for the event that actually happened, else 0.'),
  sources: SourcesSchema.optional(),
});

export const AGENTS = ['human', 'generator', 'brainstormer', 'chronicler'] as const;

export const ProvenanceSchema = z
  .strictObject({
    agent: z.enum(AGENTS).describe('Who wrote the case.'),
    model: z.string().optional().describe('The model an agent used.'),
    createdAt: z.string().regex(TIMESTAMP_PATTERN).describe('When, as an ISO 8601 timestamp with a zone.'),
  })
  .describe('Who or what wrote the case, and when.');

export const ReviewCheckSchema = z.strictObject({
  name: z.string().min(1).describe('What was checked (ambiguity, resolvability, …).'),
  ok: z.boolean(),
  detail: z.string().optional().describe('Why it passed or failed.'),
});

export const ReviewSchema = z
  .strictObject({
    status: z.enum(REVIEW_STATUSES).describe('draft until a verifier and a person pass it.'),
    checks: z.array(ReviewCheckSchema).optional().describe("The verifier's checks."),
    reviewedAt: z.string().regex(TIMESTAMP_PATTERN).optional().describe('When it was last reviewed.'),
  })
  .describe('Where the case stands in review.');

export const LevelSchema = z.strictObject({
  depth: z.int().min(1).describe('1 for the first follow-up, rising by 1 per level.'),
  candidates: z.array(CandidateSchema).min(2).describe('At least two candidates; exactly one has label 1.'),
});

export const CaseSchema = z
  .strictObject({
    id: z.string().min(1).optional().describe('Unique within a file.'),
    seed: SeedSchema,
    levels: z.array(LevelSchema).min(1).describe('Forecast levels by depth, starting at depth 1.'),
    split: z.enum(SPLITS).optional().describe('Which split the case belongs to.'),
    source: z.looseObject({}).optional().describe('Where the case came from: URL, agent, notes.'),
    provenance: ProvenanceSchema.optional(),
    review: ReviewSchema.optional(),
  })
  .describe('A forecasting case: a seed event and, per depth, candidate follow-ups with the actual one labelled 1.');

export type Seed = z.infer<typeof SeedSchema>;
export type Candidate = z.infer<typeof CandidateSchema>;
export type Level = z.infer<typeof LevelSchema>;
export type Split = (typeof SPLITS)[number];
export type Case = z.infer<typeof CaseSchema>;
export type Source = z.infer<typeof SourceSchema>;
export type Provenance = z.infer<typeof ProvenanceSchema>;
export type Review = z.infer<typeof ReviewSchema>;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
export type Agent = (typeof AGENTS)[number];
