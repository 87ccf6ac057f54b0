// Types of ./webviewBuild.mjs for the TypeScript render tests that build the bundles with it.
import type { BuildOptions, LogLevel } from 'esbuild';

export type WebviewApp = 'dashboard' | 'caseTable' | 'monitoring';
export const WEBVIEW_APPS: readonly WebviewApp[];
export function webviewBuildOptions(
  app: WebviewApp,
  opts?: { production?: boolean; logLevel?: LogLevel },
): BuildOptions;
export function buildWebview(app: WebviewApp): Promise<string>;
