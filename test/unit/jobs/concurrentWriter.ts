// Child process for concurrency.test.ts: a second "window" hammering run.json through the RunStore.
// Mode `cost` rewrites one field; mode `fields` sets a distinct field per update (`<who><i>`), after
// the `go` file appears.
import * as fs from 'node:fs';
import type { RunRecord } from '../../../src/contracts/run';
import { RunStore } from '../../../src/runs/runStore';

const [root, runId, who, count, mode = 'cost', go] = process.argv.slice(2);
const store = new RunStore(root ?? '');
// With a `go` file, start only once it exists, so both writers really overlap.
while (go && !fs.existsSync(go)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
for (let i = 0; i < Number(count); i++) {
  if (mode === 'fields') store.update(runId ?? '', () => ({ [`${who}${i}`]: i }) as Partial<RunRecord>);
  else store.update(runId ?? '', () => ({ cost: { gpu: who ?? 'x', seconds: i, usd: 0 } }));
}
