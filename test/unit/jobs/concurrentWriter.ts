// Child process for concurrency.test.ts: a second "window" hammering run.json through the RunStore.
import { RunStore } from '../../../src/runs/runStore';

const [root, runId, who, count] = process.argv.slice(2);
const store = new RunStore(root ?? '');
for (let i = 0; i < Number(count); i++) {
  store.update(runId ?? '', () => ({ cost: { gpu: who ?? 'x', seconds: i, usd: 0 } }));
}
