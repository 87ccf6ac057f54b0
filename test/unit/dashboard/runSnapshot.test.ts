import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRun, readTrees, SNAPSHOT_MAX_POINTS } from '../../../src/dashboard/runSnapshot';
import { listRuns, RUNS_DIR } from '../../../src/runs/runStore';
import { writeFixtures } from '../../render/fixtures';
import { runRecord, trainCurve, writeRun } from './builders';

let root: string;
let runs: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'ph-store-'));
  runs = path.join(root, RUNS_DIR);
  writeFixtures(runs);
});

describe('loadRun on the fixture runs', () => {
  it('an SFT run: every train point, evals, cost from run.json, duration, no notices', async () => {
    const { snapshot: s } = await loadRun(path.join(runs, 'dashboard-sft'));
    expect(s).toMatchObject({
      id: 'dashboard-sft',
      kind: 'sft',
      state: 'succeeded',
      trainTotal: 120,
      cost: { usd: 2.29 },
      durationSeconds: 7500,
      notices: [],
    });
    expect(s.train.step).toHaveLength(120);
    expect(s.evals).toHaveLength(8);
  });

  it('an eval run: tree summaries and reliability bins from trees.jsonl', async () => {
    const { snapshot: s, trees } = await loadRun(path.join(runs, 'dashboard-eval'));
    expect(trees).toHaveLength(3);
    expect(s.trees.map((t) => [t.seedEvent, t.nodeCount])).toEqual([
      ['Tech layoffs', 52],
      ['Central bank raises rates', 52],
      ['Major port strike', 52],
    ]);
    expect(s.reliability.reduce((a, b) => a + b.count, 0)).toBe(3 * (4 + 3 + 3));
  });

  it('a truncated last line, a failed job: a warning and the error, the complete lines kept', async () => {
    const { snapshot: s } = await loadRun(path.join(runs, 'dashboard-truncated'));
    expect(s.trainTotal).toBe(40);
    expect(s.notices.map((n) => n.level)).toEqual(['error', 'warning']);
    expect(s.notices[0]!.message).toContain('CUDA out of memory');
    expect(s.notices[1]!.message).toMatch(/last line of metrics.jsonl is incomplete/);
  });

  it('unknown event types and a garbage line: notices, the rest drawn', async () => {
    const { snapshot: s } = await loadRun(path.join(runs, 'dashboard-unknown-event'));
    expect(s.trainTotal).toBe(30);
    expect(s.notices.map((n) => n.message)).toEqual([
      'Skipped 2 events of unknown type "gpu_util" (written by a newer pipeline?).',
      'Skipped 1 line of metrics.jsonl that are not valid metric events (line 33).',
    ]);
  });

  it('no events: says so', async () => {
    const { snapshot: s } = await loadRun(path.join(runs, 'dashboard-no-events'));
    expect(s.notices).toEqual([{ level: 'info', message: 'metrics.jsonl is empty — no events yet.' }]);
  });
});

describe('the run store edges', () => {
  it('a queued run without metrics.jsonl or a folder without run.json still loads with notices', async () => {
    const dir = path.join(root, 'q');
    writeRun(dir, { record: runRecord('q', 'sft', { state: 'queued', startedAt: undefined, endedAt: undefined }) });
    expect((await loadRun(dir)).snapshot.notices.map((n) => n.message)).toEqual([
      'No metrics yet — the job has not written metrics.jsonl. Points appear here as it does.',
    ]);
    const bare = path.join(root, 'bare');
    writeRun(bare, { metrics: trainCurve(3) });
    const s = (await loadRun(bare)).snapshot;
    expect(s).toMatchObject({ id: 'bare', kind: null, trainTotal: 3 });
    expect(s.notices[0]!.message).toMatch(/no run.json/);
  });

  it('a finished run whose last event lacks only its newline: the event counts, no notice', async () => {
    const dir = path.join(root, 'no-newline');
    const rest = trainCurve(5);
    const last = rest.pop();
    writeRun(dir, { record: runRecord('no-newline', 'sft'), metrics: rest, truncatedTail: JSON.stringify(last) });
    const s = (await loadRun(dir)).snapshot;
    expect(s.trainTotal).toBe(5);
    expect(s.notices).toEqual([]);
    // While the job runs, the same bytes may be a line still being written: held back.
    const live = path.join(root, 'live-no-newline');
    writeRun(live, {
      record: runRecord('live-no-newline', 'sft', { state: 'running', endedAt: undefined }),
      metrics: rest,
      truncatedTail: JSON.stringify(last),
    });
    expect((await loadRun(live)).snapshot.trainTotal).toBe(4);
  });

  it('decimates a long history for the first snapshot and says so', async () => {
    const dir = path.join(root, 'long');
    writeRun(dir, { record: runRecord('long', 'sft'), metrics: trainCurve(50_000, 9) });
    const s = (await loadRun(dir)).snapshot;
    expect(s.trainTotal).toBe(50_000);
    expect(s.train.step).toHaveLength(SNAPSHOT_MAX_POINTS);
    expect(s.notices.map((n) => n.message)).toEqual([
      'Loss history has 50,000 points; drawn decimated (min/max per bucket), spikes kept.',
    ]);
  });

  it('lists runs newest first, skipping folders that are not runs', async () => {
    mkdirSync(path.join(runs, 'not-a-run'), { recursive: true });
    const ids = (await listRuns(root)).map((r) => r.id);
    // Newest createdAt first; equal createdAt by id.
    expect(ids).toEqual([
      'dashboard-eval',
      'dashboard-grpo',
      'dashboard-no-events',
      'dashboard-sft',
      'dashboard-truncated',
      'dashboard-unknown-event',
    ]);
    expect(await listRuns(path.join(root, 'nowhere'))).toEqual([]);
  });

  it('skips lines of trees.jsonl that are not trees', async () => {
    const dir = path.join(root, 'badtrees');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'trees.jsonl'),
      '{"seed":{"event":"a","date":"2023-01-01"},"model":"m","createdAt":"t","children":[]}\n{"nope":1}\n{broken\n',
    );
    const r = await readTrees(dir);
    expect(r.trees).toHaveLength(1);
    expect(r.notices[0]!.message).toBe('Skipped 2 lines of trees.jsonl that are not forecast trees.');
  });
});
