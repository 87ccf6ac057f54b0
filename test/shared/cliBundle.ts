// The CLI bundled the way scripts/build.mjs bundles dist/cli.js, into a temporary folder, once per
// test file: the tests that run the real CLI process share it.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';

let bundle: Promise<string> | undefined;

/** The path of the bundled CLI (built on the first call). */
export function cliBundle(): Promise<string> {
  bundle ??= (async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ph-cli-bundle-')), 'cli.js');
    await build({
      entryPoints: ['src/cli/main.ts'],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      mainFields: ['module', 'main'],
      logLevel: 'silent',
    });
    return out;
  })();
  return bundle;
}
