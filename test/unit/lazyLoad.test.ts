// Packages only some commands need load on first use: one module imports each, with import(), which the build
// turns into require('./<name>.js') of its own bundle — the Modal SDK (with gRPC: most of what the extension
// ships) and the OpenAI client. A value import of either anywhere else would load it at every activation again.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

const ON_DEMAND = [
  { name: 'modal', loader: 'src/jobs/backends/modalSdk.ts' },
  { name: 'openai', loader: 'src/agents/openRouterClient.ts' },
];

describe.each(ON_DEMAND)('$name loads on first use', ({ name, loader }) => {
  it(`only ${loader} loads it, with import(); everything else imports its types only`, () => {
    const loads: string[] = [];
    for (const file of sources(join(root, 'src'))) {
      // Comment lines may name it; code may not.
      const text = readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\*)/.test(l))
        .join('\n');
      const rel = relative(root, file);
      const valueImport = new RegExp(`^import\\s+(?!type\\b)[^;]*?from\\s+['"]${name}['"]`, 'gm');
      const dynamic = new RegExp(`\\b(?:require|import)\\(\\s*['"]${name}['"]\\s*\\)`, 'g');
      for (const m of text.matchAll(valueImport)) loads.push(`${rel}: ${m[0]}`);
      for (const m of text.matchAll(dynamic)) loads.push(`${rel}: ${m[0]}`);
    }
    expect(loads).toEqual([`${loader}: import('${name}')`]);
  });

  it(`the build ships it as dist/${name}.js and packages that file`, () => {
    const build = readFileSync(join(root, 'scripts/build.mjs'), 'utf8');
    expect(build).toMatch(new RegExp(`const ON_DEMAND = \\[[^\\]]*'${name}'`));
    expect(readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n')).toContain(`!dist/${name}.js`);
  });
});
