// A case file in a real editor, one session on examples/data/drafts.cases.jsonl:
// - problems-panel: the Problems panel lists its deliberate errors on their lines;
// - quick-fix-undo: a quick fix removes one, undo restores it (the text is as before);
// - outline: the outline lists the cases, invalid lines named as such;
// - table-editor: choosing the actual outcome in the case table (a label edit) rewrites exactly
//   that label on that line, its error goes, and the text editor shows it; undo there restores
//   the exact line and a clean document.
// The table edit changes the document, so it runs last.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { scenario, useSession } from '../harness/session.ts';
import type { Problem } from '../harness/workbench.ts';

const file = 'data/drafts.cases.jsonl';

/** The deliberate errors of the fixture: 1-based line → diagnostic codes on it. */
const expectedErrors: Record<number, string[]> = {
  2: ['invalid-date'],
  4: ['multiple-actuals'],
  5: ['json-syntax'],
  7: ['depth-sequence'],
  8: ['no-actual'],
};
const validLines = [1, 3, 6];

const errorsOf = (problems: Problem[], line: number): string[] =>
  [...new Set(problems.filter((p) => p.line === line && p.severity === 'error').map((p) => p.code))].sort();

describe('case file: diagnostics, quick fix, outline, table editor', () => {
  const session = useSession({ name: 'case-editor', settings: { 'outline.collapseItems': 'alwaysCollapse' } });

  scenario('problems-panel', session, async ({ vscode }) => {
    await vscode.openFile(file);
    const problems = await vscode.waitForProblems(
      (ps) =>
        Object.entries(expectedErrors).every(([line, codes]) => errorsOf(ps, Number(line)).join() === codes.join()),
      'the fixture errors',
    );
    for (const p of problems) {
      assert.equal(p.file, 'drafts.cases.jsonl');
      assert.equal(p.source, 'psychohistory');
      assert.ok(p.message.length > 0);
    }
    for (const line of validLines)
      assert.deepEqual(
        problems.filter((p) => p.line === line),
        [],
        `line ${line} is a valid case`,
      );
    const invalidDate = problems.find((p) => p.code === 'invalid-date');
    assert.match(invalidDate?.message ?? '', /2022-02-30/);
  });

  scenario('quick-fix-undo', session, async ({ vscode, page }) => {
    await vscode.openFile(file);
    await vscode.waitForProblems((ps) => errorsOf(ps, 7).includes('depth-sequence'), 'the depth error on line 7');
    assert.match(await vscode.editorLineText(7), /"levels": \[\{"depth": 2,/);

    await vscode.goToLine(7, 140);
    await vscode.applyQuickFix('Renumber depths 1..1');
    assert.match(await vscode.editorLineText(7), /"levels": \[\{"depth": 1,/);
    const fixed = await vscode.waitForProblems(
      (ps) => errorsOf(ps, 7).length === 0 && errorsOf(ps, 2).length > 0,
      'line 7 without errors',
    );
    assert.deepEqual(errorsOf(fixed, 2), ['invalid-date'], 'other lines keep their errors');

    await vscode.goToLine(7, 1);
    await page.keyboard.press('Control+Z');
    assert.match(await vscode.editorLineText(7), /"levels": \[\{"depth": 2,/);
    await vscode.waitForProblems((ps) => errorsOf(ps, 7).includes('depth-sequence'), 'the depth error back after undo');
  });

  scenario('outline', session, async ({ vscode, page }) => {
    await vscode.openFile(file);
    await vscode.runCommand('Explorer: Focus on Outline View');
    // Give the outline the side bar's height: collapse the folder tree above it.
    await vscode.setPaneExpanded('workspace', false);
    const outline = vscode.viewPane('Outline');
    const topLevel = outline.locator('.monaco-list-row[aria-level="1"]');
    const expected = [
      'Federal Reserve raises rates by 25 basis points',
      'line 2 (invalid)',
      'OPEC+ agrees to cut output by 2 million barrels a day',
      'line 4 (invalid)',
      'line 5 (invalid)',
      'OpenAI releases ChatGPT',
      'line 7 (invalid)',
      'line 8 (invalid)',
    ];
    await topLevel.nth(expected.length - 1).waitFor();
    const names = await topLevel.locator('.label-name').allTextContents();
    assert.deepEqual(
      names.map((n) => n.trim()),
      expected,
    );

    // Choosing a case in the outline moves the cursor to its line.
    await topLevel.filter({ hasText: 'OpenAI releases ChatGPT' }).click();
    await page
      .locator('.statusbar-item', { hasText: /^Ln 6, Col \d+/ })
      .first()
      .waitFor();
  });

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

    // The document changed: the tab is dirty and the error of line 8 is gone.
    await vscode.tab('drafts.cases.jsonl').and(page.locator('.dirty')).first().waitFor();
    await vscode.waitForProblems(
      (ps) => !ps.some((p) => p.line === 8) && ps.some((p) => p.line === 2),
      'no problem left on line 8',
    );
    await vscode.screenshot('table-editor-table');

    await vscode.runCommand('PsychoHistory: Open as Text');
    const after = await vscode.editorLineText(8);
    assert.match(after, /"event": "Companies publish model documentation", "label": 1\}/);
    assert.match(after, /"event": "Negotiations with member states begin", "label": 0\}/);
    assert.equal(after.replace('"label": 1}', '"label": 0}'), before, 'only that label changed on the line');
    assert.equal(await vscode.editorLineText(3), otherLine, 'other lines are untouched');

    // Undo in the text editor reverts the table's WorkspaceEdit: the exact bytes of the line come
    // back, the document is clean again (same version as on disk) and the error returns.
    await vscode.goToLine(8, 1);
    await page.keyboard.press('Control+Z');
    assert.equal(await vscode.editorLineText(8), before, 'undo restores the exact line');
    await vscode.tab('drafts.cases.jsonl').and(page.locator('.dirty')).first().waitFor({ state: 'detached' });
    await vscode.waitForProblems((ps) => errorsOf(ps, 8).includes('no-actual'), 'the no-actual error back after undo');
    await vscode.screenshot('table-editor-undo');
  });
});
