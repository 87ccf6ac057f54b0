// Bundles, as the samples' esbuild setup: the extension host (node, cjs, `vscode` external), the
// CLI, the Modal SDK on its own, and the webview apps (browser, iife: ./webviewBuild.mjs, which the
// render tests build with too). `--production` (what `npm run package` ships) minifies and drops
// source maps.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { WEBVIEW_APPS, webviewBuildOptions } from './webviewBuild.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// mainFields: jsonc-parser's "main" is a UMD build whose relative require()s esbuild cannot follow
// (dist/cli.js failed with "Cannot find module './impl/format'"); its "module" build bundles fine.
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  mainFields: ['module', 'main'],
};

// Packages only some commands need, each a bundle of its own beside extension.js and cli.js, so activating the
// extension never parses them: the Modal SDK with its gRPC stack (three quarters of the code; only a Modal job needs
// it) and the OpenAI client (only the data agents and the forecast service's client). `import('modal')`
// (src/jobs/backends/modalSdk.ts) becomes `require('./modal.js')`, `import('openai')`
// (src/agents/openRouterClient.ts) `require('./openai.js')` — a plain require: left as `import()`, the extension
// host would load a CommonJS file through Node's ESM loader.
const ON_DEMAND = ['modal', 'openai'];
const onDemand = {
  name: 'on-demand',
  setup(build) {
    const names = new RegExp(`^(${ON_DEMAND.join('|')})$`);
    build.onResolve({ filter: names }, (args) => ({ path: args.path, namespace: 'on-demand' }));
    build.onLoad({ filter: /.*/, namespace: 'on-demand' }, (args) => ({
      contents: `module.exports = require('./${args.path}.js');`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/[a-z]+\.js$/, namespace: 'on-demand' }, (args) => ({
      path: args.path,
      external: true,
    }));
  },
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };
const nodeBuilds = [
  {
    ...node,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    plugins: [onDemand],
  },
  { ...node, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', plugins: [onDemand] },
  ...ON_DEMAND.map((name) => ({
    ...node,
    stdin: { contents: `module.exports = require('${name}');`, resolveDir: '.', sourcefile: `${name}-sdk.js` },
    outfile: `dist/${name}.js`,
  })),
];

const webviewBuilds = WEBVIEW_APPS.map((app) => webviewBuildOptions(app, { production }));

// Codicons for webviews: the font and its stylesheet, shipped in dist/codicons (node_modules is
// not packaged); webviews link the css with id "vscode-codicon-stylesheet" (@vscode-elements).
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf'])
  copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);

const builds = [...nodeBuilds, ...webviewBuilds].filter((b) => b.stdin || existsSync(b.entryPoints[0]));
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
