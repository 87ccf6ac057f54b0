// Two windows on one workspace: two processes rewrite the same run.json while a reader reads it.
// With temp-file + rename every read sees a whole, valid record (never a torn or empty file).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RunRecordSchema } from '../../../src/contracts/run';
import { tempStore } from './builders';

describe('run.json under concurrent writers', () => {
  it('is always readable and valid while two processes update it', async () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    const file = store.file(run.id, 'record');
    const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');
    const writer = path.join(__dirname, 'concurrentWriter.ts');
    const children = ['A', 'B'].map((who) => spawn(tsx, [writer, store.root, run.id, who, '200'], { stdio: 'inherit' }));
    const exited = Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.on('exit', resolve))));
    let reads = 0;
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      const text = fs.readFileSync(file, 'utf8');
      expect(RunRecordSchema.safeParse(JSON.parse(text)).success).toBe(true);
      reads++;
      await new Promise((r) => setImmediate(r));
    }
    expect(await exited).toEqual([0, 0]);
    expect(reads).toBeGreaterThan(10);
    expect(store.read(run.id)?.cost?.seconds).toBe(199);
    expect(fs.readdirSync(store.runDir(run.id)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 60_000);
});
