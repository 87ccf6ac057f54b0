// The VSIX installs into a real VS Code and activates: opening a case file switches the editor to
// the extension's language and the extension's log channel says it started; the extension host
// reports how long loading and activating it took (written to test-output/e2e/activation.json).
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe } from 'node:test';
import { outputDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';

describe('smoke: the extension installs and activates', () => {
  const session = useSession({ name: 'smoke' });

  scenario('smoke', session, async ({ vscode, page }) => {
    await vscode.openFile('data/drafts.cases.jsonl');
    // The language mode in the status bar comes from the extension's `languages` contribution.
    await page.locator('.statusbar-item', { hasText: 'Forecasting Cases (JSONL)' }).first().waitFor();

    // Its log channel exists and holds the activation line.
    const output = await vscode.showOutputChannel('PsychoHistory');
    await output.locator('.view-lines', { hasText: 'PsychoHistory activated' }).waitFor({ timeout: 60_000 });
    const text = (await output.locator('.view-lines').first().innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, /\[info\] PsychoHistory activated/);

    // How long the extension host took to load and activate it (README "A light start" reports it;
    // a number to read, not a timed assertion: this machine's load varies too much).
    const activationMs = await vscode.activationTimeMs('PsychoHistory');
    assert.ok(Number.isFinite(activationMs) && activationMs > 0, `activation time read as ${activationMs}`);
    process.stdout.write(`PsychoHistory activation: ${activationMs} ms\n`);
    await writeFile(
      join(outputDir, 'activation.json'),
      `${JSON.stringify({ activationMs, time: new Date().toISOString() })}\n`,
    );
  });
});
