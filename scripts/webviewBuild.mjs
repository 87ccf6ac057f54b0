// The webview apps' esbuild options in one place: scripts/build.mjs ships them, and the render
// tests build the very same bundles. One entry per app: webview/<app>/main.ts -> dist/webview/<app>.js
// (browser, iife; `.css` imports as text, see webview/shared/css.d.ts).
import * as esbuild from 'esbuild';
import { URL, fileURLToPath } from 'node:url';

export const WEBVIEW_APPS = ['dashboard', 'caseTable', 'monitoring'];

/** The repository root: paths below resolve from here whatever the working directory. */
const root = fileURLToPath(new URL('..', import.meta.url));

// mainFields: as for the node bundles (scripts/build.mjs), "module" builds before UMD "main" ones.
export function webviewBuildOptions(app, { production = false, logLevel = 'info' } = {}) {
  return {
    absWorkingDir: root,
    entryPoints: [`webview/${app}/main.ts`],
    outfile: `dist/webview/${app}.js`,
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel,
    mainFields: ['module', 'main'],
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    loader: { '.css': 'text' },
  };
}

/** Builds one app's bundle as the extension ships it (with source maps); returns the bundle's path. */
export async function buildWebview(app) {
  await esbuild.build(webviewBuildOptions(app, { logLevel: 'warning' }));
  return fileURLToPath(new URL(`../dist/webview/${app}.js`, import.meta.url));
}
