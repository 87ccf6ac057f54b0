// The Modal SDK (with gRPC: most of what the extension ships) loads on first use only: one module
// imports it, with import(), which the build turns into require('./modal.js') of its own bundle.
// A value import of 'modal' anywhere else would load it at every activation again.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('the Modal SDK loads lazily', () => {
  it('only src/jobs/backends/modalSdk.ts loads it, with import(); everything else imports its types only', () => {
    const loads: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      // Comment lines may name it; code may not.
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*)/.test(l))
        .join('\n');
      const rel = relative(root, file);
      for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?from\s+['"]modal['"]/gm)) loads.push(`${rel}: ${m[0]}`);
      for (const m of text.matchAll(/\b(?:require|import)\(\s*['"]modal['"]\s*\)/g)) loads.push(`${rel}: ${m[0]}`);
    }
    expect(loads).toEqual(["src/jobs/backends/modalSdk.ts: import('modal')"]);
  });

  it('the build ships it as dist/modal.js and packages that file', () => {
    expect(readFileSync(join(root, 'scripts/build.mjs'), 'utf8')).toMatch(/outfile: 'dist\/modal\.js'/);
    expect(readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n')).toContain('!dist/modal.js');
  });
});
