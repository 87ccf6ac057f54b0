// What each agent asks the model to answer, as zod schemas sent as strict `json_schema` structured
// outputs (so every field is required; "none" is an empty array or null), and the seed draft file the
// Brainstormer writes and the Chronicler reads. Agent-internal: the case file they produce is contract 1.
import { z } from 'zod';
import { AGENTS, ISO_DATE_PATTERN, ProvenanceSchema } from '../contracts/case';

export const BrainstormAnswerSchema = z.strictObject({
  seeds: z.array(
    z.strictObject({
      event: z.string().describe('One concrete, dated public event, stated without what followed it.'),
      date: z.string().describe('The day it happened, YYYY-MM-DD.'),
      checkable: z.string().describe('Why what followed can be checked in dated public sources.'),
    }),
  ),
});
export type BrainstormAnswer = z.infer<typeof BrainstormAnswerSchema>;

const AnswerSourceSchema = z.strictObject({
  url: z.string().describe('A page the web search returned and you cite.'),
  title: z.string(),
  published: z.string().describe("The page's publication date, YYYY-MM-DD, as the page states it."),
  quote: z.string().describe('The sentence of the page that reports the event.'),
});
export type AnswerSource = z.infer<typeof AnswerSourceSchema>;

export const ChronicleAnswerSchema = z.strictObject({
  found: z.boolean().describe('false when the search found no reliable account of what followed.'),
  seedSources: z.array(AnswerSourceSchema).describe('Pages reporting the seed event itself.'),
  levels: z
    .array(
      z.strictObject({
        actual: z.strictObject({
          event: z.string().describe('What actually happened next, in one short sentence.'),
          date: z.string().describe('When, YYYY-MM-DD.'),
          sources: z.array(AnswerSourceSchema),
        }),
        alternatives: z
          .array(z.string())
          .describe('Plausible follow-ups that did NOT happen, mutually exclusive with the actual.'),
      }),
    )
    .describe('Depth 1 is what followed the seed, depth 2 what followed that, and so on.'),
});
export type ChronicleAnswer = z.infer<typeof ChronicleAnswerSchema>;

export const VERIFIER_CHECKS = [
  'unambiguous',
  'resolvable',
  'seed-does-not-reveal-outcome',
  'sources-independent',
  'sources-after-event',
  'alternatives-did-not-happen',
] as const;

export const VerifyAnswerSchema = z.strictObject({
  checks: z.array(
    z.strictObject({
      name: z.enum(VERIFIER_CHECKS),
      ok: z.boolean(),
      detail: z.string().describe('Why, in one sentence, naming the depth or source concerned.'),
    }),
  ),
});
export type VerifyAnswer = z.infer<typeof VerifyAnswerSchema>;

/** One line of a seed draft file (`*.seeds.jsonl`): a brainstormed seed waiting to be chronicled. */
export const SeedDraftSchema = z.strictObject({
  id: z.string().min(1),
  seed: z.strictObject({ event: z.string().trim().min(1), date: z.string().regex(ISO_DATE_PATTERN) }),
  domain: z.string(),
  checkable: z.string(),
  provenance: ProvenanceSchema.extend({ agent: z.enum(AGENTS) }),
});
export type SeedDraft = z.infer<typeof SeedDraftSchema>;
