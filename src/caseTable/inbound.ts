// What the case table webview may send, strictly: the host checks every message against this
// (src/shell/inbound.ts) and drops the rest. Kept out of ./protocol.ts so the browser bundle does
// not carry zod; the assertions below fail to compile if schema and protocol drift, either way.
import { z } from 'zod';
import type { Same } from '../shell/inbound';
import { REVIEW_STATUSES, SPLITS } from '../contracts/case';
import type { TableQuery, WebviewToHost } from './protocol';
import { MAX_ROWS_PER_REQUEST } from './protocol';

const index = z.int().min(0);
const line = z.int().min(0);

export const EditOpSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('setId'), value: z.string().max(1000) }),
  z.strictObject({ kind: z.literal('setSeedEvent'), value: z.string().max(100_000) }),
  z.strictObject({ kind: z.literal('setSeedDate'), value: z.string().max(100) }),
  z.strictObject({ kind: z.literal('setSplit'), value: z.enum(SPLITS).nullable() }),
  z.strictObject({
    kind: z.literal('setCandidateEvent'),
    level: index,
    candidate: index,
    value: z.string().max(100_000),
  }),
  z.strictObject({ kind: z.literal('setActual'), level: index, candidate: index }),
  z.strictObject({ kind: z.literal('addCandidate'), level: index }),
  z.strictObject({ kind: z.literal('removeCandidate'), level: index, candidate: index }),
  z.strictObject({ kind: z.literal('moveCandidate'), level: index, from: index, to: index }),
  z.strictObject({ kind: z.literal('addLevel') }),
  z.strictObject({ kind: z.literal('removeLevel'), level: index }),
  z.strictObject({ kind: z.literal('moveLevel'), from: index, to: index }),
  z.strictObject({ kind: z.literal('setReview'), value: z.enum(REVIEW_STATUSES), at: z.string().max(40) }),
]);

export const TableQuerySchema = z.strictObject({
  text: z.string().max(1000),
  split: z.enum([...SPLITS, 'none', 'all']),
  onlyProblems: z.boolean(),
  review: z.enum([...REVIEW_STATUSES, 'none', 'all']),
  sort: z.enum(['line', 'seed', 'date', 'split', 'levels', 'candidates', 'errors']),
  descending: z.boolean(),
});

export const WebviewToHostSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('ready'),
    start: index,
    end: index,
    query: TableQuerySchema,
    selectedLine: line.nullable(),
  }),
  z
    .strictObject({ type: z.literal('requestRows'), generation: z.int(), start: index, end: index })
    .refine((m) => m.end >= m.start && m.end - m.start <= MAX_ROWS_PER_REQUEST, 'row range too large'),
  z.strictObject({ type: z.literal('select'), line: line.nullable(), seq: z.number().int().nonnegative().optional() }),
  z.strictObject({ type: z.literal('query'), query: TableQuerySchema }),
  z.strictObject({ type: z.literal('edit'), line, op: EditOpSchema }),
  z.strictObject({ type: z.literal('addCase'), afterLine: line.nullable() }),
  z.strictObject({ type: z.literal('duplicateCase'), line }),
  z.strictObject({ type: z.literal('deleteCase'), line }),
  z.strictObject({ type: z.literal('nextProblem'), fromIndex: z.int().min(-1), backwards: z.boolean() }),
  z.strictObject({ type: z.literal('openInText'), line }),
]);

const sameMessage: Same<z.infer<typeof WebviewToHostSchema>, WebviewToHost> = true;
const sameQuery: Same<z.infer<typeof TableQuerySchema>, TableQuery> = true;
void sameMessage;
void sameQuery;
