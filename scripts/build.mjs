// Two bundles, as the samples' esbuild setup: the extension host (node, cjs, `vscode` external) and
// the CLI; webview apps (browser, iife) are added to `webviewEntries` as they appear.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// mainFields: jsonc-parser's "main" is a UMD build whose relative require()s esbuild cannot follow
// (dist/cli.js failed with "Cannot find module './impl/format'"); its "module" build bundles fine.
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info', mainFields: ['module', 'main'] };

const nodeBuilds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', format: 'cjs', target: 'node20' },
];

// One entry per webview app: webview/<app>/main.ts -> dist/webview/<app>.js
const webviewApps = ['dashboard', 'caseTable', 'monitoring'].filter((app) => existsSync(`webview/${app}/main.ts`));
const webviewBuilds = webviewApps.map((app) => ({
  ...common,
  entryPoints: [`webview/${app}/main.ts`],
  outfile: `dist/webview/${app}.js`,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  loader: { '.css': 'text' },
}));

// Codicons for webviews: the font and its stylesheet, shipped in dist/codicons (node_modules is
// not packaged); webviews link the css with id "vscode-codicon-stylesheet" (@vscode-elements).
mkdirSync('dist/codicons', { recursive: true });
for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`node_modules/@vscode/codicons/dist/${f}`, `dist/codicons/${f}`);

const builds = [...nodeBuilds, ...webviewBuilds].filter((b) => existsSync(b.entryPoints[0]));
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
