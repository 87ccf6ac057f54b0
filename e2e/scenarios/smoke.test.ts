// The VSIX installs into a real VS Code and activates: opening a case file switches the editor to
// the extension's language and the extension's log channel says it started.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
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
  });
});
