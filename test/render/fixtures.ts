// The dashboard fixture runs, built with the typed builders. Tests call `writeFixtures` into a
// temporary folder, so no copy is checked in to go stale; `npx tsx test/render/fixtures.ts DIR`
// writes them into DIR to look at (open DIR's runs in the dashboard).
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricEvent } from '../../src/contracts/metrics';
import {
  STAGE_COUNTS,
  at,
  forecastTree,
  runRecord,
  stageEvals,
  trainCurve,
  writeRun,
} from '../unit/dashboard/builders';

export const FIXTURE_RUNS = [
  'dashboard-sft',
  'dashboard-grpo',
  'dashboard-eval',
  'dashboard-truncated',
  'dashboard-unknown-event',
  'dashboard-no-events',
] as const;
export type FixtureRun = (typeof FIXTURE_RUNS)[number];

/** Seeds of the eval run's small trees (a case file with these seeds gets the CodeLens). */
export const TREE_SEEDS = [
  { event: 'Tech layoffs', date: '2023-01-15' },
  { event: 'Central bank raises rates', date: '2023-03-22' },
  { event: 'Major port strike', date: '2023-06-01' },
] as const;

// Baseline fails every gate; SFT passes every gate; GRPO passes perplexity and match but fails
// Brier (0.16) and depth ≥ 3 match (65 %). The SFT and GRPO runs carry the forecast fields (skill,
// intervals, both readouts, parse failures); the eval run is logged as before those fields existed,
// so it shows '—' for them and its SFT Brier gate is missing ("skill not reported"), not passed.
const baseline = (forecast = true) => stageEvals('baseline', 3.4, 0.22, STAGE_COUNTS.baseline, { ece: 0.12, forecast });
const sft = (forecast = true) => stageEvals('sft', 2.1, 0.12, STAGE_COUNTS.sft, { ece: 0.04, forecast });
const grpo = (forecast = true) => stageEvals('grpo', 2.2, 0.16, STAGE_COUNTS.grpo, { ece: 0.06, forecast });

const cost = (usd: number, seconds: number): MetricEvent => ({
  type: 'cost',
  gpu: 'A10G',
  seconds,
  usd,
  time: at(seconds),
});
const status = (state: 'running' | 'succeeded' | 'failed', s: number, message?: string): MetricEvent => ({
  type: 'status',
  state,
  ...(message ? { message } : {}),
  time: at(s),
});

export function writeFixtures(root: string): void {
  for (const name of FIXTURE_RUNS) rmSync(path.join(root, name), { recursive: true, force: true });
  writeRun(path.join(root, 'dashboard-sft'), {
    record: runRecord('dashboard-sft', 'sft', { cost: { gpu: 'A10G', seconds: 7500, usd: 2.29 } }),
    metrics: [
      status('running', 30),
      ...trainCurve(120, 1),
      ...baseline(),
      ...sft(),
      cost(2.29, 7500),
      status('succeeded', 7530),
    ],
  });
  writeRun(path.join(root, 'dashboard-grpo'), {
    record: runRecord('dashboard-grpo', 'grpo', {
      createdAt: at(10000),
      startedAt: at(10030),
      endedAt: at(13630),
      cost: { gpu: 'A100', seconds: 3600, usd: 4.1 },
    }),
    metrics: [status('running', 10030), ...trainCurve(80, 2, true), ...grpo(), cost(4.1, 3600)],
  });
  writeRun(path.join(root, 'dashboard-eval'), {
    record: runRecord('dashboard-eval', 'eval', { createdAt: at(20000), startedAt: at(20010), endedAt: at(20610) }),
    metrics: [...baseline(false), ...sft(false), ...grpo(false)],
    trees: TREE_SEEDS.map((s, i) =>
      forecastTree(s.event, s.date, { branching: [4, 3, 3], seed: 11 + i, withMatch: true }),
    ),
  });
  writeRun(path.join(root, 'dashboard-truncated'), {
    record: runRecord('dashboard-truncated', 'sft', { state: 'failed', error: 'CUDA out of memory at step 40' }),
    metrics: [status('running', 30), ...trainCurve(40, 3)],
    truncatedTail: '{"type":"train","step":41,"epoch":0.41,"lo',
  });
  writeRun(path.join(root, 'dashboard-unknown-event'), {
    record: runRecord('dashboard-unknown-event', 'sft'),
    metrics: [
      ...trainCurve(30, 4),
      '{"type":"gpu_util","percent":93,"time":"2026-01-10T09:10:00Z"}',
      '{"type":"gpu_util","percent":95,"time":"2026-01-10T09:11:00Z"}',
      'not json at all',
    ],
  });
  writeRun(path.join(root, 'dashboard-no-events'), {
    record: runRecord('dashboard-no-events', 'sft', { state: 'succeeded' }),
    metrics: [],
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: npx tsx test/render/fixtures.ts DIR (the folder to write the fixture runs into)');
  writeFixtures(path.resolve(dir));
  console.log(`wrote ${FIXTURE_RUNS.length} fixture runs to ${dir}`);
}
