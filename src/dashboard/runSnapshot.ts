// The dashboard's view of one run (GUIDE contract 2): read a run directory into a snapshot whose
// tail goes on reading metrics.jsonl by byte offset. Listing runs, run.json and metrics.jsonl are
// the run store's (src/runs), shared with the jobs feature. Node `fs` only, no
// `vscode`, so tests and the benchmark run it directly. It never throws on bad data: every problem
// becomes a notice on the snapshot, so the panel always has something to say.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { RunRecord } from '../contracts/run';
import { ForecastTreeSchema, type ForecastTree } from '../contracts/tree';
import { MetricsTail, parseJsonl } from '../runs/metricsFile';
import { describeRecordProblem, readRunRecord, type RunRecordProblem } from '../runs/runRecord';
import { isSymlink, RUN_FILES } from '../runs/runStore';
import { emptyColumns, type Notice, type RunSnapshot } from './protocol';
import { decimateColumns, digestEvents, runDuration } from './series';
import { reliabilityBins, summarizeTree } from './tree';

/** Above this many train points the first snapshot is thinned with LTTB. */
export const SNAPSHOT_MAX_POINTS = 5000;

export async function readRecord(dir: string): Promise<{ record: RunRecord | null; notice: Notice | null }> {
  const read = await readRunRecord(path.join(dir, RUN_FILES.record));
  return { record: read.record, notice: read.problem ? recordNotice(read.problem) : null };
}

function recordNotice(problem: RunRecordProblem): Notice {
  switch (problem.kind) {
    case 'missing':
      return { level: 'warning', message: 'This run has no run.json; showing its metrics only.' };
    case 'not-json':
      return { level: 'warning', message: 'run.json is not valid JSON (being rewritten?).' };
    case 'mismatch':
      return { level: 'warning', message: `run.json does not match the run-store contract: ${problem.message}.` };
    case 'symlink':
    case 'id-mismatch':
      return { level: 'error', message: `Not shown: ${describeRecordProblem(problem)}.` };
  }
}

export async function readTrees(dir: string): Promise<{ trees: ForecastTree[]; notices: Notice[] }> {
  if (isSymlink(path.join(dir, RUN_FILES.trees))) return { trees: [], notices: [symlinkNotice(RUN_FILES.trees)] };
  let text: string;
  try {
    text = await fs.readFile(path.join(dir, RUN_FILES.trees), 'utf8');
  } catch {
    return { trees: [], notices: [] };
  }
  const parsed = parseJsonl(text, (v) => {
    const r = ForecastTreeSchema.safeParse(v);
    return r.success ? r.data : undefined;
  });
  const trees = parsed.items;
  const bad = parsed.invalidLines.length + (parsed.truncatedTail ? 1 : 0);
  const notices: Notice[] = bad
    ? [
        {
          level: 'warning',
          message: `Skipped ${bad} line${bad === 1 ? '' : 's'} of trees.jsonl that are not forecast trees.`,
        },
      ]
    : [];
  return { trees, notices };
}

export interface LoadedRun {
  dir: string;
  record: RunRecord | null;
  snapshot: RunSnapshot;
  tail: MetricsTail;
  trees: ForecastTree[];
  /** Size of trees.jsonl when read (-1: none), so a watcher can tell when trees were added. */
  treesBytes: number;
}

export async function fileSize(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch {
    return -1;
  }
}

function symlinkNotice(name: string): Notice {
  return { level: 'error', message: `${name} is a symlink; the run store does not follow symlinks.` };
}

/**
 * Reads a whole run directory; the returned tail continues from where this read stopped. A run
 * folder that is a symlink, or whose run.json names another run, shows nothing but that notice;
 * a metrics.jsonl that is a symlink is not read.
 */
export async function loadRun(dir: string, now = new Date()): Promise<LoadedRun> {
  const { record, notice } = await readRecord(dir);
  const refused = notice?.level === 'error' && record === null;
  const metricsLink = !refused && isSymlink(path.join(dir, RUN_FILES.metrics));
  // A tail on a file that does not exist reads nothing, so a refused run shows only its notice.
  const tail = new MetricsTail(
    refused || metricsLink ? path.join(dir, '.refused', 'none') : path.join(dir, RUN_FILES.metrics),
  );
  const first = await tail.read();
  const finished = record !== null && record.state !== 'running' && record.state !== 'queued';
  // A finished run writes no more: a complete last event that only lacks its newline counts.
  const digest = digestEvents(finished ? [...first.events, ...tail.flush()] : first.events);
  const notices: Notice[] = [];
  if (notice) notices.push(notice);
  if (record?.error) notices.push({ level: 'error', message: `The job failed: ${record.error}` });
  if (metricsLink) notices.push(symlinkNotice(RUN_FILES.metrics));
  // A refused run: the record's notice says why, nothing more to say.
  else if (first.missing && !refused) {
    notices.push({
      level: 'info',
      message:
        record?.state === 'queued' || record?.state === 'running'
          ? 'No metrics yet — the job has not written metrics.jsonl. Points appear here as it does.'
          : 'This run has no metrics.jsonl, so there is nothing to chart.',
    });
  } else if (!refused && !first.missing && first.events.length === 0 && tail.bytesRead === 0) {
    notices.push({ level: 'info', message: 'metrics.jsonl is empty — no events yet.' });
  }
  notices.push(...tail.newNotices());
  const trunc = tail.truncationNotice();
  if (trunc && (finished || record === null)) notices.push(trunc);
  const treesBytes = await fileSize(path.join(dir, RUN_FILES.trees));
  const { trees, notices: treeNotices } = refused ? { trees: [], notices: [] } : await readTrees(dir);
  notices.push(...treeNotices);
  const trainTotal = digest.train.step.length;
  if (trainTotal > SNAPSHOT_MAX_POINTS) {
    notices.push({
      level: 'info',
      message: `Loss history has ${trainTotal.toLocaleString('en')} points; drawn decimated (min/max per bucket), spikes kept.`,
    });
  }
  const id = record?.id ?? path.basename(dir);
  const snapshot: RunSnapshot = {
    id,
    kind: record?.kind ?? null,
    backend: record?.backend ?? null,
    state: record?.state ?? digest.lastState,
    createdAt: record?.createdAt ?? null,
    durationSeconds: runDuration(record, digest, now),
    cost: record?.cost ?? digest.cost,
    train: decimateColumns(digest.train, SNAPSHOT_MAX_POINTS),
    trainTotal,
    evals: digest.evals,
    notices,
    trees: trees.map((t, i) => summarizeTree(t, i)),
    reliability: reliabilityBins(trees),
  };
  if (digest.lastMessage && snapshot.state === 'failed') notices.push({ level: 'error', message: digest.lastMessage });
  return { dir, record, snapshot, tail, trees, treesBytes };
}

/** The id of the one pseudo-run that holds the forecast service's trees in a 'forecast' dashboard. */
export const SERVICE_FORECASTS_ID = 'service-forecasts';

/** Trees the forecast service answered, as a run snapshot that has trees only (dashboard mode 'forecast'). */
export function forecastSnapshot(trees: readonly ForecastTree[]): RunSnapshot {
  return {
    id: SERVICE_FORECASTS_ID,
    kind: null,
    backend: null,
    state: null,
    createdAt: null,
    durationSeconds: null,
    cost: null,
    train: emptyColumns(),
    trainTotal: 0,
    evals: [],
    notices: [],
    trees: trees.map((t, i) => summarizeTree(t, i)),
    reliability: [],
  };
}
