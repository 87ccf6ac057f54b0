// The three themes render tests paint webviews in: complete `--vscode-*` variable sets as VS Code
// 1.139.1 gives a webview under its built-in "Dark Modern", "Light Modern" and "Default High
// Contrast" themes (test/render/themes/<name>.json; `e2e/themeVariables.ts` reads them from a
// real workbench). `themePage` puts them on a page the way VS Code does: the variables on <html>,
// the theme class and kind on <body>.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const THEME_NAMES = ['dark', 'light', 'high-contrast'] as const;
export type ThemeName = (typeof THEME_NAMES)[number];

export interface ThemeData {
  source: string;
  theme: string;
  bodyClass: string[];
  themeKind: string | null;
  variables: Record<string, string>;
}

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'themes');
const cache = new Map<ThemeName, ThemeData>();

export function themeData(name: ThemeName): ThemeData {
  let data = cache.get(name);
  if (!data) {
    data = JSON.parse(readFileSync(path.join(dir, `${name}.json`), 'utf8')) as ThemeData;
    cache.set(name, data);
  }
  return data;
}

/** `--vscode-x: value; …` for a style rule. */
export function themeDeclarations(name: ThemeName): string {
  return Object.entries(themeData(name).variables)
    .map(([k, v]) => `${k}: ${v};`)
    .join(' ');
}

/**
 * A webview page in a theme: a nonce'd <style> with the variables on <html> (what VS Code sets) and
 * the theme's classes and kind on <body>. `nonce` is the page's CSP nonce, so the style is allowed.
 */
export function themePage(html: string, nonce: string, name: ThemeName): string {
  const t = themeData(name);
  const style = `<style nonce="${nonce}">html { ${themeDeclarations(name)} }</style>`;
  const body = `<body class="${t.bodyClass.join(' ')}" data-vscode-theme-kind="${t.themeKind ?? ''}" data-vscode-theme-id="${t.theme}">`;
  return html.replace('</head>', `${style}</head>`).replace('<body>', body);
}
