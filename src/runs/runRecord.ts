// A tolerant reader of run.json (contract 2), shared by the run store and the dashboard. The
// file may be missing (a run folder the pipeline made by hand), caught mid-rewrite by a writer
// that does not rename atomically, hand-edited into something else, a symlink (never followed: a
// run folder must not make us read /etc/...), or a record whose id names another run (acting on it
// would act on the other run): each is a reason in the result, never an exception, and each reader
// decides what to say about it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunRecordSchema, type RunRecord } from '../contracts/run';

export type RunRecordProblem =
  | { kind: 'missing' }
  | { kind: 'not-json' }
  /** Valid JSON, but not a run record; `message` is the first thing the contract refused. */
  | { kind: 'mismatch'; message: string }
  /** The run folder or run.json is a symlink. */
  | { kind: 'symlink' }
  /** A valid record whose `id` is not its folder's name. */
  | { kind: 'id-mismatch'; id: string };

export type RunRecordRead =
  /** `raw` is the whole object on disk, fields this side does not know included, so an update can keep them. */
  { record: RunRecord; raw: Record<string, unknown>; problem: null } | { record: null; problem: RunRecordProblem };

const MISSING: RunRecordRead = { record: null, problem: { kind: 'missing' } };

/** What a reader says about a record it skips. */
export function describeRecordProblem(problem: RunRecordProblem): string {
  switch (problem.kind) {
    case 'missing':
      return 'no run.json';
    case 'not-json':
      return 'run.json is not valid JSON';
    case 'mismatch':
      return `run.json does not match the run-store contract: ${problem.message}`;
    case 'symlink':
      return 'the run folder or its run.json is a symlink (not followed)';
    case 'id-mismatch':
      return `run.json names another run (id ${JSON.stringify(problem.id)})`;
  }
}

/** run.json's text, checked against the contract (and, given `folderId`, against its folder's name). */
export function parseRunRecord(text: string, folderId?: string): RunRecordRead {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { record: null, problem: { kind: 'not-json' } };
  }
  const parsed = RunRecordSchema.safeParse(value);
  if (!parsed.success)
    return { record: null, problem: { kind: 'mismatch', message: parsed.error.issues[0]?.message ?? 'invalid' } };
  if (folderId !== undefined && parsed.data.id !== folderId)
    return { record: null, problem: { kind: 'id-mismatch', id: parsed.data.id } };
  // The schema is an object schema, so what it accepted is a plain object.
  return { record: parsed.data, raw: value as Record<string, unknown>, problem: null };
}

/** The folder is a symlink (the record is then refused whatever it says). */
function folderIsLink(file: string): boolean {
  try {
    return fs.lstatSync(path.dirname(file)).isSymbolicLink();
  } catch {
    return false;
  }
}

/** O_NOFOLLOW: a run.json that is a symlink fails to open (ELOOP) instead of reading its target. */
const NOFOLLOW = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0);

function readProblem(err: unknown): RunRecordRead {
  return (err as NodeJS.ErrnoException).code === 'ELOOP' ? { record: null, problem: { kind: 'symlink' } } : MISSING;
}

/** For the extension host and the panel: does not block while the disk (maybe a network one) answers. */
export async function readRunRecord(
  file: string,
  folderId: string = path.basename(path.dirname(file)),
): Promise<RunRecordRead> {
  if (folderIsLink(file)) return { record: null, problem: { kind: 'symlink' } };
  let text: string;
  try {
    const handle = await fs.promises.open(file, NOFOLLOW);
    try {
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (err) {
    return readProblem(err);
  }
  return parseRunRecord(text, folderId);
}

/** For the run store, whose API is synchronous: its read-modify-write of run.json never yields in between. */
export function readRunRecordSync(file: string, folderId: string = path.basename(path.dirname(file))): RunRecordRead {
  if (folderIsLink(file)) return { record: null, problem: { kind: 'symlink' } };
  let text: string;
  try {
    const fd = fs.openSync(file, NOFOLLOW);
    try {
      text = fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    return readProblem(err);
  }
  return parseRunRecord(text, folderId);
}
