// The case table and its form with the keyboard alone, in a real VS Code, one session on
// examples/data/drafts.cases.jsonl — keyboard-form: open the table from the palette, Tab to the
// table, End to line 8 (a case with no actual outcome), Enter to the form, Tab to the actual-outcome
// radio group (one Tab stop), arrow keys to choose the third candidate, Tab to its event, retype it,
// Enter, Escape back to the row. Focus stays on the control after every edit, and the text editor
// shows exactly those two changes on line 8, its no-actual error gone. No mouse event is sent.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { scenario, useSession } from '../harness/session.ts';

const file = 'data/drafts.cases.jsonl';

/** The id of the focused element inside the webview (a vscode-element's host for its inner input). */
const focused = (frame: FrameLocator): Promise<string> =>
  frame.locator('body').evaluate(() => document.activeElement?.id ?? '');

describe('case table: editing with the keyboard alone', () => {
  const session = useSession({ name: 'keyboard' });

  scenario('keyboard-form', session, async ({ vscode, page }) => {
    await vscode.openFile(file);
    // The extension has read the file (and the editor settled) once line 8's error is listed.
    await vscode.waitForProblems((ps) => ps.some((p) => p.line === 8 && p.code === 'no-actual'), 'no-actual on line 8');
    const before = await vscode.editorLineText(8);
    assert.match(before, /"label": 0\}\]\}\]/, 'line 8 has no actual outcome yet');

    await vscode.runCommand('PsychoHistory: Open as Table');
    const frame = await vscode.webview('[data-line="7"]');
    /** Resolves once the form has not been redrawn for half a second. */
    const formQuiet = (): Promise<void> =>
      frame.locator('#case-form').evaluate(
        (form) =>
          new Promise<void>((resolve) => {
            const observer = new MutationObserver(() => {
              clearTimeout(timer);
              timer = setTimeout(done, 500);
            });
            const done = (): void => {
              observer.disconnect();
              resolve();
            };
            let timer = setTimeout(done, 500);
            observer.observe(form, { childList: true, subtree: true });
          }),
      );
    // Keyboard focus into the editor group, hence the webview; then Tab until the table has it.
    await vscode.runCommand('View: Focus Active Editor Group');
    const path: string[] = [];
    while ((await focused(frame)) !== 'case-table' && path.length < 20) {
      await page.keyboard.press('Tab');
      path.push(await focused(frame));
    }
    assert.equal(await focused(frame), 'case-table', `Tab reaches the table (went through ${path.join(', ')})`);

    // End: the last row, line 8; Enter: its form, on the first field.
    await page.keyboard.press('End');
    await frame.locator('#case-row-7[aria-selected="true"]').waitFor();
    await frame.locator('#case-form[data-line="7"]').waitFor();
    await page.keyboard.press('Enter');
    assert.equal(await focused(frame), 'field-id');

    // Tab on to the radio group: with no actual chosen yet its first radio is the one Tab stop.
    const stops: string[] = [];
    while (!/^cand-0-\d+-actual$/.test(stops.at(-1) ?? '') && stops.length < 20) {
      await page.keyboard.press('Tab');
      stops.push(await focused(frame));
    }
    assert.equal(stops.at(-1), 'cand-0-0-actual', `Tab stops: ${stops.join(', ')}`);

    // Arrow keys choose: each choice is an edit, and focus stays on the radio once the form is redrawn.
    for (const k of [1, 2]) {
      await page.keyboard.press('ArrowDown');
      await frame.locator(`#cand-${0}-${k}.actual`).waitFor();
      await frame.locator(`#cand-0-${k}-actual:checked:focus`).waitFor();
    }

    // Tab to the chosen candidate's event, retype it, Enter commits; focus stays in the field. Each key
    // waits for the form to be drawn for the last time (the host also re-sends the case once its
    // diagnostics are published), as a person does who sees the form settle.
    await formQuiet();
    await page.keyboard.press('Tab');
    assert.equal(await focused(frame), 'cand-0-2-event');
    // In a webview, Select All goes through the workbench and comes back as a command: on a busy
    // machine keys typed at once land before it and are then replaced. So: End (the caret after the
    // text, nothing selected), Select All, and type once the whole text shows selected, as a person does.
    await page.keyboard.press('End');
    await page.keyboard.press('Control+A');
    await frame.locator('#cand-0-2-event').evaluate(
      (field) =>
        new Promise<void>((resolve) => {
          const check = (): void => {
            const input = field.shadowRoot?.querySelector('input');
            if (input && input.value && input.selectionStart === 0 && input.selectionEnd === input.value.length)
              resolve();
            else requestAnimationFrame(check);
          };
          check();
        }),
    );
    await page.keyboard.type('Companies publish model cards');
    await formQuiet();
    await page.keyboard.press('Enter');
    await frame.locator('#cand-0-2-event[data-initial="Companies publish model cards"]').waitFor();
    await frame.locator('#cand-0-2-event:focus').waitFor();

    // Escape: back to the table on the same row.
    await page.keyboard.press('Escape');
    assert.equal(await focused(frame), 'case-table');
    assert.equal(await frame.locator('#case-table').getAttribute('aria-activedescendant'), 'case-row-7');
    await vscode.screenshot('keyboard-form-table');

    // The text: the label on the third candidate and its new event, nothing else on the line.
    await vscode.waitForProblems((ps) => !ps.some((p) => p.line === 8), 'no problem left on line 8');
    await vscode.runCommand('PsychoHistory: Open as Text');
    const after = await vscode.editorLineText(8);
    assert.equal(
      after,
      before.replace(
        '{"event": "Companies publish model documentation", "label": 0}',
        '{"event": "Companies publish model cards", "label": 1}',
      ),
    );
  });
});
