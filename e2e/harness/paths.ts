// Where the harness finds its tools and puts its output. Everything is relative to this checkout,
// so the suite runs the same from a clean clone, in CI and on a developer machine.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export const e2eDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(e2eDir, '..');

/** Node 24 from the `node@24` npm package: code-server refuses any other major version. */
export const node24 = join(e2eDir, 'node_modules/node/bin/node');
export const codeServerEntry = join(e2eDir, 'node_modules/code-server/out/node/entry.js');

/** The VSIX that `npm run package` builds; PSYCHOHISTORY_VSIX overrides it. */
export const vsixPath = process.env.PSYCHOHISTORY_VSIX ?? join(repoRoot, 'dist/psychohistory.vsix');

/** The example workspace; each session works on a throwaway copy of it. */
export const examplesDir = join(repoRoot, 'examples');

/** The Python training package that local runs use (its .venv comes from training/setup.sh). */
export const trainingDir = join(repoRoot, 'training');

/** Screenshots (<scenario>.png) and server logs; gitignored via test-output/. */
export const outputDir = process.env.PSYCHOHISTORY_E2E_OUT ?? join(repoRoot, 'test-output/e2e');

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
