// The case language in a real editor: the Problems panel lists the deliberate errors of
// examples/data/drafts.cases.jsonl on their lines, a quick fix removes one and undo restores it,
// and the outline lists the cases. One session serves the three scenarios; the quick-fix scenario
// leaves the document as it found it (undo), so the order does not matter.
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

describe('case editor: diagnostics, quick fix, outline', () => {
  const session = useSession({ name: 'case-editor', settings: { 'outline.collapseItems': 'alwaysCollapse' } });

  scenario('problems-panel', session, async ({ vscode }) => {
    await vscode.openFile(file);
    const problems = await vscode.waitForProblems(
      (ps) => Object.entries(expectedErrors).every(([line, codes]) => errorsOf(ps, Number(line)).join() === codes.join()),
      'the fixture errors',
    );
    for (const p of problems) {
      assert.equal(p.file, 'drafts.cases.jsonl');
      assert.equal(p.source, 'psychohistory');
      assert.ok(p.message.length > 0);
    }
    for (const line of validLines) assert.deepEqual(problems.filter((p) => p.line === line), [], `line ${line} is a valid case`);
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
    const fixed = await vscode.waitForProblems((ps) => errorsOf(ps, 7).length === 0 && errorsOf(ps, 2).length > 0, 'line 7 without errors');
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
    assert.deepEqual(names.map((n) => n.trim()), expected);

    // Choosing a case in the outline moves the cursor to its line.
    await topLevel.filter({ hasText: 'OpenAI releases ChatGPT' }).click();
    await page.locator('.statusbar-item', { hasText: /^Ln 6, Col \d+/ }).first().waitFor();
  });
});
