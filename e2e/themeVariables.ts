// Writes the theme variables a webview really gets from VS Code into test/render/themes/<name>.json,
// for the render tests' dark, light and high-contrast pages. For each theme it starts code-server
// (VS Code 1.139.1) with that colour theme, opens a Markdown preview (a built-in webview) and reads
// the `--vscode-*` custom properties VS Code set on the preview document's <html>, with the body's
// theme class. Re-run after a VS Code upgrade:
//   cd e2e && PATH=$PWD/node_modules/.bin:$PATH node themeVariables.ts
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Frame } from 'playwright-core';
import { startCodeServer } from './harness/codeServer.ts';
import { chromiumPath, examplesDir, repoRoot } from './harness/paths.ts';
import { chromiumArgs } from './harness/chromium.ts';
import { Workbench } from './harness/workbench.ts';

/** Render-test theme name → VS Code's built-in theme id (extensions/theme-defaults). */
const THEMES = { dark: 'Dark Modern', light: 'Light Modern', 'high-contrast': 'Default High Contrast' } as const;

async function previewFrame(frames: () => Frame[], timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const f of frames()) {
      const has = await f
        .evaluate(
          () =>
            document.documentElement.style.cssText.includes('--vscode-foreground') &&
            document.body?.classList.length > 0,
        )
        .catch(() => false);
      if (has) return f;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('no webview frame with theme variables');
}

const outDir = join(repoRoot, 'test/render/themes');
await mkdir(outDir, { recursive: true });
for (const [name, theme] of Object.entries(THEMES)) {
  // No extension: the workbench and its built-in Markdown preview are all this needs.
  const server = await startCodeServer({
    name: `theme-${name}`,
    workspaceSource: examplesDir,
    installVsix: false,
    settings: { 'workbench.colorTheme': theme },
  });
  const browser = await chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
  try {
    await writeFile(join(server.workspace, 'note.md'), '# Theme\n\nVariables.\n');
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.folderUrl);
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 120_000 });
    const vscode = new Workbench(page);
    await vscode.openFile('note.md');
    await vscode.runCommand('Markdown: Open Preview');
    const frame = await previewFrame(() => page.frames());
    const read = await frame.evaluate(() => {
      const style = document.documentElement.style;
      const variables: Record<string, string> = {};
      for (let i = 0; i < style.length; i++) {
        const prop = style.item(i);
        if (prop.startsWith('--vscode-')) variables[prop] = style.getPropertyValue(prop).trim();
      }
      const bodyClass = [...document.body.classList].filter((c) => c.startsWith('vscode-'));
      return {
        variables,
        bodyClass,
        themeId: document.body.dataset.vscodeThemeId ?? null,
        themeKind: document.body.dataset.vscodeThemeKind ?? null,
      };
    });
    const sorted = Object.fromEntries(Object.entries(read.variables).sort(([a], [b]) => a.localeCompare(b)));
    const data = {
      source: `VS Code 1.139.1 (code-server 4.139.1), theme "${theme}" (extensions/theme-defaults), as a webview's <html> style`,
      theme,
      bodyClass: read.bodyClass,
      themeKind: read.themeKind,
      variables: sorted,
    };
    await writeFile(join(outDir, `${name}.json`), `${JSON.stringify(data, null, 1)}\n`);
    console.log(`${name}: ${theme}, ${Object.keys(sorted).length} variables, body ${read.bodyClass.join(' ')}`);
  } finally {
    await browser.close();
    await server.stop();
  }
}
