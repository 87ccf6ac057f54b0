// Two windows on one workspace: two processes rewrite the same run.json while a reader reads it.
// With temp-file + rename every read sees a whole, valid record (never a torn or empty file); with
// run.json.lock, taken by the TypeScript store and the Python RunFile alike, no writer's field is lost.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RunRecordSchema } from '../../../src/contracts/run';
import { tempStore } from './builders';

const trainingDir = path.join(__dirname, '../../../training');
const venvPython = path.join(trainingDir, '.venv', 'bin', 'python');

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', resolve));
}

describe('run.json under concurrent writers', () => {
  it('is always readable and valid while two processes update it', async () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    const file = store.file(run.id, 'record');
    const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');
    const writer = path.join(__dirname, 'concurrentWriter.ts');
    const children = ['A', 'B'].map((who) =>
      spawn(tsx, [writer, store.root, run.id, who, '200'], { stdio: 'inherit' }),
    );
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

  it.skipIf(!fs.existsSync(venvPython))(
    'keeps every field when TypeScript and Python update it at once (300 distinct fields each)',
    async () => {
      const store = tempStore();
      const run = store.create({ kind: 'sft', backend: 'local', config: {} });
      const n = 300;
      const tsx = path.join(__dirname, '../../../node_modules/.bin/tsx');
      const go = path.join(store.root, 'go');
      const ts = spawn(
        tsx,
        [path.join(__dirname, 'concurrentWriter.ts'), store.root, run.id, 'ts', String(n), 'fields', go],
        { stdio: 'inherit' },
      );
      const pyWriter = [
        'import os, sys, time',
        'from psychohistory.events import RunFile',
        'while not os.path.exists(sys.argv[3]): time.sleep(0.001)',
        'rf = RunFile(sys.argv[1], "ignored", "sft", "local", {})',
        'for i in range(int(sys.argv[2])): rf.update(**{f"py{i}": i})',
      ].join('\n');
      const py = spawn(venvPython, ['-c', pyWriter, store.runDir(run.id), String(n), go], {
        cwd: trainingDir,
        stdio: 'inherit',
      });
      await new Promise((r) => setTimeout(r, 3000)); // both started and waiting
      fs.writeFileSync(go, '');
      expect(await Promise.all([exitOf(ts), exitOf(py)])).toEqual([0, 0]);
      const onDisk = JSON.parse(fs.readFileSync(store.file(run.id, 'record'), 'utf8')) as Record<string, unknown>;
      const lost = ['ts', 'py']
        .flatMap((who) => Array.from({ length: n }, (_, i) => `${who}${i}`))
        .filter((k, i) => onDisk[k] !== i % n);
      expect(lost).toEqual([]);
      expect(RunRecordSchema.safeParse(onDisk).success).toBe(true);
      expect(fs.readdirSync(store.runDir(run.id)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock'))).toEqual([]);
    },
    120_000,
  );
});
