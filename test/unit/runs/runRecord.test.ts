import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunRecord, readRunRecord } from '../../../src/runs/runRecord';
import { runRecord } from '../dashboard/builders';
import { tempStore } from '../jobs/builders';

describe('run.json, read by both features', () => {
  it('gives the reason instead of throwing, and the raw object with fields it does not know', async () => {
    expect(parseRunRecord('{"id": "x", "kind": "sf').problem).toEqual({ kind: 'not-json' });
    expect(parseRunRecord('[]').problem).toMatchObject({ kind: 'mismatch' });
    const read = parseRunRecord(JSON.stringify({ ...runRecord('r1', 'sft'), pythonField: 42 }));
    expect(read.record).toMatchObject({ id: 'r1', kind: 'sft' });
    expect(read.record).not.toHaveProperty('pythonField');
    expect(read.problem === null && read.raw['pythonField']).toBe(42);
    expect((await readRunRecord('/nowhere/run.json')).problem).toEqual({ kind: 'missing' });
  });

  it('the jobs run store lists around folders it cannot read: a bad run.json, a name that is not a run id', () => {
    const store = tempStore();
    const run = store.create({ kind: 'sft', backend: 'local', config: {} });
    mkdirSync(path.join(store.root, 'not a run id'), { recursive: true });
    writeFileSync(path.join(store.root, 'not a run id', 'run.json'), JSON.stringify(runRecord('x', 'sft')));
    mkdirSync(path.join(store.root, 'half-written'));
    writeFileSync(path.join(store.root, 'half-written', 'run.json'), '{"id": "half-wr');
    expect(store.list().map((r) => r.id)).toEqual([run.id]);
    expect(store.update('half-written', () => ({ state: 'running' }))).toBeUndefined();
  });
});
