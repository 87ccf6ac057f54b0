// What activating costs in parsing: the time to `require` the extension bundle (with `vscode` stubbed), each load in
// a fresh Node process, for two builds side by side — e.g. before and after moving a package out to load on demand.
//
//   npx tsx bench/load.ts DIST_BEFORE DIST_AFTER [runs]
//
// Each DIST is a folder holding a built extension.js (`node scripts/build.mjs --production`). Loads alternate
// between the two so drift on a shared machine hits both alike; prints sizes, median wall and CPU ms, and the ratio.
// A benchmark, never a timed test.
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { median } from './timing';

const [before, after, runsArg] = process.argv.slice(2);
if (!before || !after) {
  console.error('usage: npx tsx bench/load.ts DIST_BEFORE DIST_AFTER [runs]');
  process.exit(2);
}
const runs = Number(runsArg ?? 15);

// The names \`vscode\` exports (from its typings): the bundle copies them off the module when it loads.
const typings = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
const names = [
  ...new Set(
    [...typings.matchAll(/^\s{0,4}export (?:namespace|class|enum|const|function|let) (\w+)/gm)].map((m) => m[1]),
  ),
];

// A fresh process: \`vscode\` stubbed (each name, and any property, call or \`new\` of one, gives a stub), then the
// require timed.
const probe = `
const Module = require('node:module');
const load = Module._load;
const stub = new Proxy(function () {}, { get: (_, k) => (k === Symbol.toPrimitive ? () => '' : stub), apply: () => stub, construct: () => stub });
const api = Object.fromEntries(JSON.parse(process.env.VSCODE_NAMES).map((n) => [n, stub]));
Module._load = function (request, ...rest) { return request === 'vscode' ? api : load.call(this, request, ...rest); };
const c0 = process.cpuUsage(); const t0 = performance.now();
require(process.argv[1]);
const c = process.cpuUsage(c0);
process.stdout.write(JSON.stringify({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 }));`;

function loadOnce(dist: string): { wall: number; cpu: number } {
  const r = spawnSync(process.execPath, ['-e', probe, join(resolve(dist), 'extension.js')], {
    encoding: 'utf8',
    env: { ...process.env, VSCODE_NAMES: JSON.stringify(names) },
  });
  if (r.status !== 0) throw new Error(`loading ${dist}/extension.js failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { wall: number; cpu: number };
}

const samples: Record<'before' | 'after', { wall: number; cpu: number }[]> = { before: [], after: [] };
for (let i = 0; i < runs + 1; i++) {
  const order = i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const arm of order) {
    const s = loadOnce(arm === 'before' ? before : after);
    if (i > 0) samples[arm].push(s); // the first round warms the file cache
  }
}
const report = (arm: 'before' | 'after', dist: string) => {
  const wall = median(samples[arm].map((s) => s.wall));
  const cpu = median(samples[arm].map((s) => s.cpu));
  const mb = statSync(join(dist, 'extension.js')).size / 1e6;
  console.log(`${arm.padEnd(6)} ${mb.toFixed(2)} MB  load median ${wall.toFixed(1)} ms wall, ${cpu.toFixed(1)} ms CPU`);
  return { wall, cpu };
};
const b = report('before', before);
const a = report('after', after);
console.log(
  `before ÷ after: ${(b.wall / a.wall).toFixed(2)}× wall, ${(b.cpu / a.cpu).toFixed(2)}× CPU (${runs} loads each)`,
);
