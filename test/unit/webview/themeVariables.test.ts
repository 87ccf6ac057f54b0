// Every `--vscode-*` variable the webviews name is one VS Code really sets (in at least one of the
// render themes, test/render/themes): a misspelt or invented name would silently fall back and no
// render test could see it. Prefixes built in code (`--vscode-charts-` + name) are skipped.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { THEME_NAMES, themeData } from '../../render/themes';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|css)$/.test(f) ? [p] : [];
  });
}

describe('theme variables the webviews use', () => {
  it('are all set by VS Code in some theme', () => {
    const known = new Set(THEME_NAMES.flatMap((t) => Object.keys(themeData(t).variables)));
    const unknown: string[] = [];
    for (const file of files('webview')) {
      for (const m of readFileSync(file, 'utf8').matchAll(/--vscode-[A-Za-z0-9.-]*[A-Za-z0-9](?![-*$\w.])/g)) {
        if (!known.has(m[0])) unknown.push(`${file}: ${m[0]}`);
      }
    }
    expect(unknown).toEqual([]);
  });
});
