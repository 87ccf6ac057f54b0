import { mkdtempSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrainEventSchema, type MetricEvent } from '../../../src/contracts/metrics';
import {
  MetricsLineParser,
  MetricsTail,
  fastTrainEvent,
  followEvents,
  parseMetricEvent,
  parseMetricsText,
} from '../../../src/runs/metricsFile';
import { evalEv, train } from '../dashboard/builders';

const line = (o: unknown): string => JSON.stringify(o) + '\n';

describe('parseMetricsText', () => {
  it('parses every valid event in order', () => {
    const text =
      line(train(1)) + line(train(2)) + line(evalEv('sft', null, { perplexity: 2, brier: 0.1, match: [1, 1, 1, 1] }));
    const { events, notices } = parseMetricsText(text);
    expect(events.map((e) => e.type)).toEqual(['train', 'train', 'eval']);
    expect(notices).toEqual([]);
  });

  it('skips a truncated last line with a warning that names the line', () => {
    const { events, notices } = parseMetricsText(line(train(1)) + line(train(2)) + '{"type":"train","st');
    expect(events).toHaveLength(2);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.level).toBe('warning');
    expect(notices[0]!.message).toMatch(/last line .* incomplete \(line 3\)/);
  });

  it('keeps a complete last event that lacks only its newline', () => {
    const { events, notices } = parseMetricsText(line(train(1)) + JSON.stringify(train(2)));
    expect(events.map((e) => (e.type === 'train' ? e.step : -1))).toEqual([1, 2]);
    expect(notices).toEqual([]);
  });

  it('counts unknown event types and invalid lines separately', () => {
    const text =
      line(train(1)) +
      line({ type: 'gpu_util', percent: 90 }) +
      line({ type: 'gpu_util' }) +
      'garbage\n' +
      line({ type: 'train', step: -1 });
    const { events, notices } = parseMetricsText(text);
    expect(events).toHaveLength(1);
    expect(notices.map((n) => n.message)).toEqual([
      'Skipped 2 events of unknown type "gpu_util" (written by a newer pipeline?).',
      'Skipped 2 lines of metrics.jsonl that are not valid metric events (line 4, 5).',
    ]);
  });

  it('says nothing about blank lines and nothing for an empty file', () => {
    expect(parseMetricsText('\n\n' + line(train(3)) + '\n')).toMatchObject({ events: [{ step: 3 }], notices: [] });
    expect(parseMetricsText('')).toMatchObject({ events: [], notices: [] });
  });
});

describe('MetricsLineParser', () => {
  it('joins lines split across chunks, including inside a multi-byte character', () => {
    const bytes = new TextEncoder().encode(
      line({ type: 'status', state: 'running', message: 'Prévision ✓ 🚀', time: 't' }) + line(train(5)),
    );
    const p = new MetricsLineParser();
    const got = [];
    for (let i = 0; i < bytes.length; i += 7) got.push(...p.push(bytes.subarray(i, i + 7)));
    expect(got).toHaveLength(2);
    expect(got[0]).toMatchObject({ type: 'status', message: 'Prévision ✓ 🚀' });
    expect(p.pendingBytes).toBe(0);
  });
});

describe('MetricsTail', () => {
  it('reads only appended bytes, holds a partial line until it is completed, and restarts when the file shrinks', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ph-tail-'));
    const file = path.join(dir, 'metrics.jsonl');
    const tail = new MetricsTail(file);
    expect(await tail.read()).toMatchObject({ events: [], missing: true });

    writeFileSync(file, line(train(1)) + line(train(2)));
    expect((await tail.read()).events).toHaveLength(2);
    const before = tail.bytesRead;

    const third = JSON.stringify(train(3));
    appendFileSync(file, third.slice(0, 10));
    expect((await tail.read()).events).toEqual([]);
    expect(tail.truncationNotice()?.message).toMatch(/incomplete \(10 bytes after line 2\)/);
    appendFileSync(file, third.slice(10) + '\n');
    const r = await tail.read();
    expect(r.events).toMatchObject([{ step: 3 }]);
    expect(tail.bytesRead).toBe(before + third.length + 1);
    expect(await tail.read()).toMatchObject({ events: [], reset: false });

    writeFileSync(file, line(train(9)));
    const again = await tail.read();
    expect(again.reset).toBe(true);
    expect(again.events).toMatchObject([{ step: 9 }]);
  });

  it('reports each skipped-line notice once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ph-tail-'));
    const file = path.join(dir, 'metrics.jsonl');
    writeFileSync(file, line({ type: 'gpu_util' }));
    const tail = new MetricsTail(file);
    await tail.read();
    expect(tail.newNotices()).toHaveLength(1);
    expect(tail.newNotices()).toHaveLength(0);
  });
});

describe('fastTrainEvent', () => {
  it('never accepts what the zod schema rejects, and returns what zod returns', () => {
    const value = fc.oneof(
      fc.integer({ min: -5, max: 1e6 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.constant(-0),
      fc.string(),
      fc.constant(null),
      fc.boolean(),
      fc.constant(undefined),
    );
    const field = (v: fc.Arbitrary<unknown>) => fc.oneof({ weight: 3, arbitrary: v }, { weight: 1, arbitrary: value });
    const event = fc.record(
      {
        type: fc.oneof({ weight: 5, arbitrary: fc.constant('train') }, { weight: 1, arbitrary: fc.string() }),
        step: field(fc.nat()),
        epoch: field(fc.double({ min: 0, max: 100, noNaN: true })),
        loss: field(fc.double({ noNaN: true, noDefaultInfinity: true })),
        lr: field(fc.double({ min: 0, max: 1, noNaN: true })),
        gradNorm: field(fc.double({ min: 0, max: 10, noNaN: true })),
        tokensPerSecond: field(fc.double({ min: 0, max: 1e5, noNaN: true })),
        rewardMean: field(fc.double({ noNaN: true, noDefaultInfinity: true })),
        rewardStd: field(fc.double({ min: 0, max: 1, noNaN: true })),
        time: field(fc.string()),
        extra: value,
      },
      { requiredKeys: ['type'] },
    );
    let accepted = 0;
    fc.assert(
      fc.property(event, (raw) => {
        // Through JSON, as the reader sees it (undefined keys vanish, -0 becomes 0).
        const parsed: unknown = JSON.parse(JSON.stringify(raw));
        const fast = fastTrainEvent(parsed);
        const zod = TrainEventSchema.safeParse(parsed);
        if (fast) {
          accepted++;
          expect(zod.success).toBe(true);
          expect(fast).toEqual(zod.data);
        }
      }),
      { numRuns: 3000, seed: 42 },
    );
    expect(accepted).toBeGreaterThan(50);
  });
});

describe('followEvents (the jobs follower, on the shared tail)', () => {
  it('keeps a status message whose multi-byte characters arrive in two appends', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'ph-follow-')), 'metrics.jsonl');
    writeFileSync(file, '');
    const seen: MetricEvent[] = [];
    const follower = followEvents(file, (events) => seen.push(...events), { intervalMs: 5 });
    const bytes = Buffer.from(line({ type: 'status', state: 'running', message: 'Prévision 🚀', time: 't' }));
    const cut = bytes.indexOf(Buffer.from('🚀')) + 2;
    appendFileSync(file, bytes.subarray(0, cut));
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(file, bytes.subarray(cut));
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toMatchObject([{ type: 'status', message: 'Prévision 🚀' }]);
    follower.dispose();
  });

  it('at close, delivers a last event that lacks only its newline, and drops a torn one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ph-follow-'));
    const complete = path.join(dir, 'complete.jsonl');
    const torn = path.join(dir, 'torn.jsonl');
    writeFileSync(complete, line(train(1)) + JSON.stringify(train(2)));
    writeFileSync(torn, line(train(1)) + JSON.stringify(train(2)).slice(0, 12));
    const steps = async (file: string): Promise<number[]> => {
      const seen: MetricEvent[] = [];
      await followEvents(file, (events) => seen.push(...events), { intervalMs: 60_000 }).close();
      return seen.map((e) => (e.type === 'train' ? e.step : -1));
    };
    expect(await steps(complete)).toEqual([1, 2]);
    expect(await steps(torn)).toEqual([1]);
  });
});

describe('parseMetricEvent (also the Modal follower, which writes events back to metrics.jsonl)', () => {
  it('gives a train event the same keys in the same order whichever path parsed it', () => {
    const raw = {
      time: 't',
      rewardStd: 0.1,
      type: 'train',
      lr: 1e-4,
      loss: 1.5,
      extra: true,
      epoch: 0.5,
      step: 3,
      gradNorm: 2,
    };
    expect(JSON.stringify(parseMetricEvent(raw))).toBe(JSON.stringify(TrainEventSchema.parse(raw)));
  });
});
