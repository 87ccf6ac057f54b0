// What the shared tail brought to the side that lacked it: the jobs' text tail now keeps a
// multi-byte character split across two reads whole; the dashboard's tail now starts over when
// metrics.jsonl goes away and comes back, as the jobs' tail did.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LineTail } from '../../../src/runs/fileTail';
import { MetricsTail } from '../../../src/runs/metricsFile';
import { train } from '../dashboard/builders';

const tempFile = (name: string): string => path.join(mkdtempSync(path.join(tmpdir(), 'ph-runs-')), name);
const line = (o: unknown): string => JSON.stringify(o) + '\n';

describe('LineTail', () => {
  it('delivers a character split across two reads whole, not as two replacement characters', async () => {
    const file = tempFile('logs.txt');
    writeFileSync(file, '');
    const seen: string[] = [];
    const tail = new LineTail(file, (lines) => seen.push(...lines), { intervalMs: 60_000 });
    await tail.poll();
    const bytes = Buffer.from('step 1 ✓ done\n');
    const cut = bytes.indexOf(Buffer.from('✓')) + 1; // inside the 3-byte character
    appendFileSync(file, bytes.subarray(0, cut));
    await tail.poll();
    expect(seen).toEqual([]);
    appendFileSync(file, bytes.subarray(cut));
    await tail.poll();
    expect(seen).toEqual(['step 1 ✓ done']);
    await tail.close();
  });
});

describe('MetricsTail', () => {
  it('starts over, and says so, when metrics.jsonl is deleted and written again larger', async () => {
    const file = tempFile('metrics.jsonl');
    writeFileSync(file, line(train(1)));
    const tail = new MetricsTail(file);
    expect((await tail.read()).events).toHaveLength(1);
    rmSync(file);
    expect(await tail.read()).toMatchObject({ events: [], missing: true, reset: false });
    writeFileSync(file, line(train(7)) + line(train(8)) + line(train(9)));
    const again = await tail.read();
    expect(again.reset).toBe(true);
    expect(again.events).toMatchObject([{ step: 7 }, { step: 8 }, { step: 9 }]);
  });
});
