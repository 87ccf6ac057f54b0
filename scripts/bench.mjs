// `npm run bench [-- name]`: bundles bench/<name>.ts (default `run`, the case-validation bench) with
// the same esbuild settings as the shipped extension host and CLI, then runs the bundle with node.
// Measured as shipped: under tsx, every call across modules goes through an export getter that the
// bundle does not have, which on the validation hot path alone costs about a third.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';

const name = process.argv[2] ?? 'run';
const outfile = `dist/bench/${name}.js`;
await esbuild.build({
  entryPoints: [`bench/${name}.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  mainFields: ['module', 'main'],
  logLevel: 'warning',
});
const run = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
process.exit(run.status ?? 1);
