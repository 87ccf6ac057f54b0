// A tolerant reader of run.json (contract 2), shared by the jobs' RunStore and the dashboard. The
// file may be missing (a run folder the pipeline made by hand), caught mid-rewrite by a writer
// that does not rename atomically, or hand-edited into something else: each is a reason in the
// result, never an exception, and each reader decides what to say about it.
import { promises as fsp, readFileSync } from 'node:fs';
import { RunRecordSchema, type RunRecord } from '../contracts/run';

export type RunRecordProblem =
  | { kind: 'missing' }
  | { kind: 'not-json' }
  /** Valid JSON, but not a run record; `message` is the first thing the contract refused. */
  | { kind: 'mismatch'; message: string };

export type RunRecordRead =
  /** `raw` is the whole object on disk, fields this side does not know included, so an update can keep them. */
  | { record: RunRecord; raw: Record<string, unknown>; problem: null }
  | { record: null; problem: RunRecordProblem };

const MISSING: RunRecordRead = { record: null, problem: { kind: 'missing' } };

/** run.json's text, checked against the contract. */
export function parseRunRecord(text: string): RunRecordRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { record: null, problem: { kind: 'not-json' } };
  }
  const parsed = RunRecordSchema.safeParse(value);
  if (!parsed.success) return { record: null, problem: { kind: 'mismatch', message: parsed.error.issues[0]?.message ?? 'invalid' } };
  // The schema is an object schema, so what it accepted is a plain object.
  return { record: parsed.data, raw: value as Record<string, unknown>, problem: null };
}

/** For the extension host and the panel: does not block while the disk (maybe a network one) answers. */
export async function readRunRecord(file: string): Promise<RunRecordRead> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch {
    return MISSING;
  }
  return parseRunRecord(text);
}

/** For the run store, whose API is synchronous: its read-modify-write of run.json never yields in between. */
export function readRunRecordSync(file: string): RunRecordRead {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return MISSING;
  }
  return parseRunRecord(text);
}
