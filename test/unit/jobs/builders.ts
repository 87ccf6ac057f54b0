// Typed builders for run records and events (instead of copy-pasted JSON in every test).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunRecord } from '../../../src/contracts/run';
import type { MetricEvent, TrainEvent, StatusEvent } from '../../../src/contracts/metrics';
import { RunStore } from '../../../src/runs/runStore';
import { trainEventOn } from '../../shared/trainEvents';
import type { TrainCurve } from '../../shared/trainEvents';

export function tempDir(prefix = 'ph-jobs-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function tempStore(): RunStore {
  return new RunStore(path.join(tempDir(), '.psychohistory', 'runs'));
}

export function aRun(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'sft-20260101-000000-abcd',
    kind: 'sft',
    backend: 'local',
    config: { dataset: '/tmp/cases.jsonl', num_epochs: 1 },
    state: 'running',
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}

/** The jobs tests' curve: 10 steps an epoch, a loss of 1 / (step + 1), step n logged at 00:00:n on 1 January 2026. */
const CURVE: TrainCurve = {
  stepsPerEpoch: 10,
  loss: (s) => 1 / (s + 1),
  lr: 1e-4,
  time: (s) => `2026-01-01T00:00:${String(s).padStart(2, '0')}Z`,
};

export const trainEvent = (step: number, overrides: Partial<TrainEvent> = {}): TrainEvent =>
  trainEventOn(CURVE, step, overrides);

export function statusEvent(state: StatusEvent['state'], message?: string): StatusEvent {
  return { type: 'status', state, ...(message ? { message } : {}), time: '2026-01-01T00:01:00Z' };
}

export async function until<T>(probe: () => T | undefined | false, timeoutMs = 15_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export type { MetricEvent };
