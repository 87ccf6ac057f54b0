import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canTransition, elapsedSeconds, isTerminal, transition } from '../../../src/jobs/stateMachine';
import { RunStore, newRunId } from '../../../src/runs/runStore';
import { followEvents, parseJsonl, parseMetricEvent } from '../../../src/runs/metricsFile';
import { decideReattach, LAUNCH_GRACE_MS } from '../../../src/jobs/reattach';
import { estimateCost, costOf, PRICE_TABLE_DATE, formatDuration } from '../../../src/jobs/cost';
import { classifyModalError, JobError } from '../../../src/jobs/errors';
import type { MetricEvent } from '../../../src/contracts/metrics';
import { aRun, statusEvent, tempStore, trainEvent, until } from './builders';

describe('state machine', () => {
  it('allows the forward moves and nothing out of a terminal state', () => {
    expect(canTransition('queued', 'running')).toBe(true);
    expect(canTransition('running', 'succeeded')).toBe(true);
    expect(canTransition('running', 'queued')).toBe(false);
    for (const end of ['succeeded', 'failed', 'cancelled'] as const) {
      expect(isTerminal(end)).toBe(true);
      expect(canTransition(end, 'running')).toBe(false);
      expect(canTransition(end, 'cancelled')).toBe(end === 'cancelled');
    }
  });

  it('stamps startedAt and endedAt once', () => {
    const at = new Date('2026-01-01T00:00:10Z');
    expect(transition({ state: 'queued' }, 'running', { at })).toEqual({
      state: 'running',
      startedAt: at.toISOString(),
    });
    const end = transition({ state: 'running', startedAt: 'x' }, 'failed', { at, error: 'boom' });
    expect(end).toEqual({ state: 'failed', endedAt: at.toISOString(), error: 'boom' });
    expect(transition({ state: 'succeeded' }, 'running')).toBeUndefined();
  });

  it('measures elapsed time from start to end', () => {
    expect(
      elapsedSeconds({
        createdAt: '2026-01-01T00:00:00Z',
        startedAt: '2026-01-01T00:00:05Z',
        endedAt: '2026-01-01T00:01:05Z',
      }),
    ).toBe(60);
  });
});

describe('run store', () => {
  it('creates, lists newest first, and updates run.json atomically keeping unknown fields', () => {
    const store = tempStore();
    const a = store.create(
      { kind: 'sft', backend: 'local', config: { dataset: 'a.jsonl' } },
      new Date('2026-01-01T00:00:00Z'),
    );
    const b = store.create({ kind: 'eval', backend: 'modal', config: {} }, new Date('2026-01-02T00:00:00Z'));
    expect(a.config['run_id']).toBe(a.id);
    expect(store.list().map((r) => r.id)).toEqual([b.id, a.id]);
    // The Python side adds a field of its own; our update must keep it.
    const file = store.file(a.id, 'record');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), pythonField: 42 }));
    store.setState(a.id, 'running');
    const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(raw.pythonField).toBe(42);
    expect(raw.state).toBe('running');
    expect(fs.readdirSync(store.runDir(a.id)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('ignores a state move out of a terminal state (a late event from another window)', () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    store.setState(run.id, 'cancelled');
    store.setState(run.id, 'running');
    expect(store.read(run.id)?.state).toBe('cancelled');
  });

  it('tolerates a truncated last line of metrics.jsonl and appends after it on a fresh line', () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    fs.writeFileSync(store.file(run.id, 'metrics'), `${JSON.stringify(trainEvent(1))}\n{"type":"train","st`);
    let parsed = store.readEvents(run.id);
    expect(parsed.items).toHaveLength(1);
    expect(parsed.truncatedTail).toContain('"st');
    store.appendEvents(run.id, [trainEvent(2)]);
    parsed = store.readEvents(run.id);
    expect(parsed.items.map((e) => e.type === 'train' && e.step)).toEqual([1, 2]);
    expect(parsed.invalidLines).toEqual([2]);
  });

  it('rejects run ids that would escape the runs folder', () => {
    const store = tempStore();
    expect(() => store.runDir('../etc')).toThrow();
    expect(newRunId('grpo', new Date('2026-03-04T05:06:07Z'))).toMatch(/^grpo-20260304-050607-[0-9a-f]{4}$/);
  });

  it('parses JSONL skipping lines that are not contract events', () => {
    const r = parseJsonl('{"type":"nope"}\n\n' + JSON.stringify(statusEvent('running')) + '\n', parseMetricEvent);
    expect(r.items).toHaveLength(1);
    expect(r.invalidLines).toEqual([1]);
  });

  it('reads the committed fixture run', () => {
    const store = new RunStore(path.join(__dirname, '../../fixtures/runs'));
    const runs = store.list();
    expect(runs.map((r) => r.id)).toContain('sft-20260101-000000-f1x7');
    const events = store.readEvents('sft-20260101-000000-f1x7');
    expect(events.items.length).toBeGreaterThan(3);
    expect(events.truncatedTail).not.toBe('');
  });
});

describe('following metrics.jsonl', () => {
  it('delivers complete lines only, then the rest once the newline arrives', async () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    const file = store.file(run.id, 'metrics');
    const seen: MetricEvent[] = [];
    const tail = followEvents(file, (events) => seen.push(...events), { intervalMs: 20 });
    const line = JSON.stringify(trainEvent(1));
    fs.appendFileSync(file, line.slice(0, 10));
    await new Promise((r) => setTimeout(r, 80));
    expect(seen).toHaveLength(0);
    fs.appendFileSync(file, `${line.slice(10)}\n${JSON.stringify(trainEvent(2))}\n`);
    await until(() => seen.length === 2, 2000, 'two events');
    tail.dispose();
  });
});

describe('reattach decisions', () => {
  const now = new Date('2026-01-01T01:00:00Z');
  it('follows a live local pid, fails a dead one, waits for a fresh launch', () => {
    expect(decideReattach(aRun({ local: { pid: 123 } }), { pidAlive: true, now })).toEqual({ action: 'follow' });
    expect(decideReattach(aRun({ local: { pid: 123 } }), { pidAlive: false, now }).action).toBe('fail');
    const fresh = aRun({ state: 'queued', createdAt: new Date(now.getTime() - 1000).toISOString() });
    expect(decideReattach(fresh, { now }).action).toBe('wait');
    const stale = aRun({ state: 'queued', createdAt: new Date(now.getTime() - LAUNCH_GRACE_MS - 1).toISOString() });
    expect(decideReattach(stale, { now }).action).toBe('fail');
  });
  it('follows a Modal run by its call id, ignores finished runs', () => {
    expect(
      decideReattach(
        aRun({ backend: 'modal', modal: { appName: 'psychohistory', functionName: 'sft', functionCallId: 'fc-1' } }),
        { now },
      ),
    ).toEqual({ action: 'follow' });
    expect(decideReattach(aRun({ state: 'succeeded' }), { now })).toEqual({ action: 'none' });
  });
});

describe('cost estimate', () => {
  it('is price x time with the price table date', () => {
    const e = estimateCost({ kind: 'sft', gpu: 'a10g', cases: 100, epochs: 2 });
    expect(e.gpu).toBe('A10G');
    expect(e.priceTableDate).toBe(PRICE_TABLE_DATE);
    expect(e.seconds).toBe(300 + 100 * 3 * 2 * 2);
    expect(e.usd).toBeCloseTo((1.1 * e.seconds) / 3600, 2);
    expect(estimateCost({ kind: 'sft', gpu: 'H100', cases: 100, epochs: 2 }).seconds).toBeLessThan(e.seconds);
    expect(() => estimateCost({ kind: 'eval', gpu: 'TPU', cases: 1 })).toThrow(/Unknown GPU/);
    expect(costOf('A10G', 3600)).toBe(1.1);
    expect(formatDuration(3725)).toBe('1h 2m');
  });
});

describe('Modal error classification', () => {
  it('maps not-found at lookup to "Deploy Modal App" and auth codes to "Set Modal Token"', () => {
    const notFound = Object.assign(new Error("Function 'psychohistory/sft' not found"), { name: 'NotFoundError' });
    expect(classifyModalError(notFound, 'lookup')).toMatchObject({
      kind: 'app-not-deployed',
      action: 'deployModalApp',
    });
    expect(classifyModalError(Object.assign(new Error('bad token'), { code: 16 }), 'spawn')).toMatchObject({
      kind: 'auth',
      action: 'setModalToken',
    });
    expect(classifyModalError(new Error('Profile is missing credentials.'), 'lookup').action).toBe('setModalToken');
    expect(classifyModalError(Object.assign(new Error('GPU quota exceeded'), { code: 8 }), 'spawn').kind).toBe('quota');
    expect(classifyModalError(new JobError('x', 'unknown'), 'follow').kind).toBe('unknown');
  });
});

describe('follower lease', () => {
  it('has one holder; a dead or silent holder is taken over', async () => {
    const { FollowLease } = await import('../../../src/jobs/lease');
    const os = await import('node:os');
    const dir = path.dirname(tempStore().root);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '.follower.lock');
    const a = new FollowLease(file);
    const b = new FollowLease(file);
    expect(a.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false);
    a.release();
    expect(b.tryAcquire()).toBe(true);
    b.release();
    fs.writeFileSync(file, JSON.stringify({ pid: 999_999, host: os.hostname(), token: 'gone', renewedAt: Date.now() }));
    expect(a.tryAcquire()).toBe(true);
    a.release();
    fs.writeFileSync(
      file,
      JSON.stringify({ pid: process.pid, host: 'elsewhere', token: 'silent', renewedAt: Date.now() - 60_000 }),
    );
    expect(b.tryAcquire()).toBe(true);
    expect(b.isHeld).toBe(true);
  });
});

describe('launch config', () => {
  it('sends only the keys each job knows: epochs and rank for training, GPU for Modal', async () => {
    const { buildConfig, parseSetting } = await import('../../../src/jobs/launchConfig');
    expect(
      buildConfig({
        kind: 'sft',
        backend: 'modal',
        dataset: '/d/a.jsonl',
        baseModel: 'm',
        epochs: 2,
        loraRank: 8,
        gpu: 'H100',
        extra: { max_steps: 5, dataset_text: 'no' },
      }),
    ).toEqual({
      dataset: '/d/a.jsonl',
      base_model: 'm',
      num_epochs: 2,
      lora_rank: 8,
      gpu: 'H100',
      max_steps: 5,
    });
    expect(
      buildConfig({ kind: 'eval', backend: 'local', dataset: '/d/a.jsonl', epochs: 2, loraRank: 8, gpu: 'H100' }),
    ).toEqual({ dataset: '/d/a.jsonl' });
    // the judge (psychohistory.evalJudge) reaches evaluations only
    expect(buildConfig({ kind: 'eval', backend: 'modal', dataset: '/d/a.jsonl', judge: 'openrouter:m' })).toEqual({
      dataset: '/d/a.jsonl',
      judge: 'openrouter:m',
    });
    expect(buildConfig({ kind: 'sft', backend: 'local', dataset: '/d/a.jsonl', judge: 'openrouter:m' })).toEqual({
      dataset: '/d/a.jsonl',
    });
    expect(parseSetting('max-steps=10')).toEqual(['max_steps', 10]);
    expect(parseSetting('load_in_4bit=true')).toEqual(['load_in_4bit', true]);
    expect(parseSetting('stages=baseline,sft')).toEqual(['stages', 'baseline,sft']);
    expect(() => parseSetting('novalue')).toThrow();
  });

  it('offers adapters of succeeded training runs, from their artifact event or the backend convention', async () => {
    const { adapterChoices } = await import('../../../src/jobs/launchConfig');
    const store = tempStore();
    const local = store.create({ kind: 'sft', backend: 'local', config: {} });
    store.appendEvents(local.id, [{ type: 'artifact', name: 'adapter', path: '/runs/x/adapter/final', time: 't' }]);
    store.setState(local.id, 'succeeded');
    const modal = store.create({ kind: 'grpo', backend: 'modal', config: {} });
    store.setState(modal.id, 'succeeded');
    store.create({ kind: 'sft', backend: 'local', config: {} }); // still queued: not offered
    const choices = adapterChoices(store);
    expect(choices.map((c) => c.path).sort()).toEqual(
      [`/data/models/grpo/${modal.id}/final`, '/runs/x/adapter/final'].sort(),
    );
    expect(adapterChoices(store, 'local').map((c) => c.runId)).toEqual([local.id]);
  });
});
