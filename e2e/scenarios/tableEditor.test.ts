// The case table custom editor writes through the text document: choosing the actual outcome of a
// level in the table (a label edit) rewrites exactly that line of the file, its error goes away,
// and the text editor shows the new labels.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { scenario, useSession } from '../harness/session.ts';

const file = 'data/drafts.cases.jsonl';

describe('case table: a label edit changes that line', () => {
  const session = useSession({ name: 'table-editor' });

  scenario('table-editor', session, async ({ vscode, page }) => {
    await vscode.openFile(file);
    const before = await vscode.editorLineText(8);
    assert.match(before, /"event": "Companies publish model documentation", "label": 0\}/);
    const otherLine = await vscode.editorLineText(3);

    await vscode.runCommand('PsychoHistory: Open as Table');
    const table = await vscode.webview('[data-line="7"]');
    await table.locator('[data-line="7"]').first().click();
    // Line 8 (no actual outcome): make its third candidate the actual one.
    const radio = table.locator('#cand-0-2-actual');
    await radio.waitFor();
    await radio.click();
    await table.locator('#cand-0-2.actual').waitFor();
    await vscode.screenshot('table-editor-table');

    // The document changed: the tab is dirty and the error of line 8 is gone.
    await vscode.tab('drafts.cases.jsonl').and(page.locator('.dirty')).first().waitFor();
    await vscode.waitForProblems((ps) => !ps.some((p) => p.line === 8) && ps.some((p) => p.line === 2), 'no problem left on line 8');

    await vscode.runCommand('PsychoHistory: Open as Text');
    const after = await vscode.editorLineText(8);
    assert.match(after, /"event": "Companies publish model documentation", "label": 1\}/);
    assert.match(after, /"event": "Negotiations with member states begin", "label": 0\}/);
    assert.equal(after.replace('"label": 1}', '"label": 0}'), before, 'only that label changed on the line');
    assert.equal(await vscode.editorLineText(3), otherLine, 'other lines are untouched');
  });
});
