import { mkdtempSync, appendFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MetricsLineParser, parseMetricsText } from '../../../src/dashboard/metricsReader';
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
