// Contract 1 (shared/GUIDE.md): one forecasting case per JSONL line.
// This zod schema is the single source: scripts/exportSchemas.ts writes it as JSON Schema for the
// Python side. Rules JSON Schema cannot express (exactly one actual per level, consecutive depths,
// real calendar dates, file-level warnings) live in src/cases/rules.ts.
import { z } from 'zod';

export const ISO_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export const SeedSchema = z.strictObject({
  event: z.string().trim().min(1).describe('What happened: the event the forecast starts from.'),
  date: z.string().regex(ISO_DATE_PATTERN).describe('When it happened, as YYYY-MM-DD.'),
});

export const CandidateSchema = z.strictObject({
  event: z.string().trim().min(1).describe('A possible follow-up event.'),
  label: z.union([z.literal(0), z.literal(1)]).describe('1 for the event that actually happened, else 0.'),
});

export const LevelSchema = z.strictObject({
  depth: z.int().min(1).describe('1 for the first follow-up, rising by 1 per level.'),
  candidates: z.array(CandidateSchema).min(2).describe('At least two candidates; exactly one has label 1.'),
});

export const SPLITS = ['train', 'eval', 'test'] as const;

export const CaseSchema = z
  .strictObject({
    id: z.string().min(1).optional().describe('Unique within a file.'),
    seed: SeedSchema,
    levels: z.array(LevelSchema).min(1).describe('Forecast levels by depth, starting at depth 1.'),
    split: z.enum(SPLITS).optional().describe('Which split the case belongs to.'),
    source: z.looseObject({}).optional().describe('Where the case came from: URL, agent, notes.'),
  })
  .describe('A forecasting case: a seed event and, per depth, candidate follow-ups with the actual one labelled 1.');

export type Seed = z.infer<typeof SeedSchema>;
export type Candidate = z.infer<typeof CandidateSchema>;
export type Level = z.infer<typeof LevelSchema>;
export type Split = (typeof SPLITS)[number];
export type Case = z.infer<typeof CaseSchema>;
