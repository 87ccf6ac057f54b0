import { mkdtempSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrainEventSchema } from '../../../src/contracts/metrics';
import { MetricsLineParser, fastTrainEvent, parseMetricsText } from '../../../src/dashboard/metricsReader';
import { MetricsTail } from '../../../src/dashboard/runStore';
import { evalEv, train } from './builders';

const line = (o: unknown): string => JSON.stringify(o) + '\n';

describe('parseMetricsText', () => {
  it('parses every valid event in order', () => {
    const text = line(train(1)) + line(train(2)) + line(evalEv('sft', null, { perplexity: 2, brier: 0.1, match: [1, 1, 1, 1] }));
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
    const text = line(train(1)) + line({ type: 'gpu_util', percent: 90 }) + line({ type: 'gpu_util' }) + 'garbage\n' + line({ type: 'train', step: -1 });
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
    const bytes = new TextEncoder().encode(line({ type: 'status', state: 'running', message: 'Prévision ✓ 🚀', time: 't' }) + line(train(5)));
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
    const value = fc.oneof(fc.integer({ min: -5, max: 1e6 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(-0), fc.string(), fc.constant(null), fc.boolean(), fc.constant(undefined));
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
