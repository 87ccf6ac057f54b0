/// <reference lib="dom" />
// Accessibility of the built case table and its form: axe-core finds nothing in VS Code's dark,
// light and high-contrast themes (no row selected, a case open in the form, a raw line open), and
// the form works from the keyboard alone — named controls, radios with one Tab stop and arrow keys,
// focus kept after every edit, Escape back to the selected row.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCase, makeDataset } from '../../unit/caseTable/fixtures';
import { expectNoAxeViolations } from '../axe';
import { THEME_NAMES } from '../themes';
import { buildCaseTableBundle, launchBrowser, openCaseTable } from './session';

let browser: Browser;
// 40 cases: every 10th line is not JSON, every 7th has two actuals (an error beside its radios);
// line 40 a verified case with sources and the verifier's checks (the form's review section).
const reviewed = ((c) => ({
  ...c,
  seed: {
    ...c.seed,
    sources: [{ url: 'https://archive.example.org/seed', title: 'Seed report', published: c.seed.date }],
  },
  levels: c.levels.map((l) => ({
    ...l,
    candidates: l.candidates.map((x) =>
      x.label === 1
        ? { ...x, sources: [{ url: 'https://news.example.com/a', title: 'What happened', published: '2030-01-01' }] }
        : x,
    ),
  })),
  review: {
    status: 'verified',
    checks: [
      { name: 'resolvable', ok: true, detail: 'two reports' },
      { name: 'independent sources', ok: false, detail: 'one outlet' },
    ],
  },
}))(makeCase(40));
const TEXT = makeDataset(40, { rawEvery: 10, invalidEvery: 7 }) + JSON.stringify(reviewed) + '\n';

beforeAll(async () => {
  await buildCaseTableBundle();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(THEME_NAMES)('axe finds nothing, %s theme', (theme) => {
  it('table without a selection, a case in the form, a raw line', async () => {
    const s = await openCaseTable(browser, TEXT, { theme });
    const p = s.page;
    // The page as a user finds it once the host has answered: the whole file checked.
    await p.waitForFunction(() => /valid cases/.test(document.querySelector('#table-summary')?.textContent ?? ''));
    await s.settled();
    await expectNoAxeViolations(p, `case table, nothing selected, ${theme}`);
    await p.locator('[data-line="6"]').click();
    await p.locator('#cand-0-1-event').waitFor();
    await p.locator('#case-form .diag.error').first().waitFor();
    await expectNoAxeViolations(p, `case table, form open on an invalid case, ${theme}`);
    await p.locator('[data-line="3"]').click();
    await p.locator('#case-form[data-line="3"]').waitFor();
    await expectNoAxeViolations(p, `case table, form open, ${theme}`);
    await p.locator('[data-line="40"]').click();
    await p.locator('#case-form[data-line="40"]').waitFor();
    await p.locator('#review-accept').waitFor();
    await expectNoAxeViolations(p, `case table, form open on a reviewed case with sources, ${theme}`);
    await p.screenshot({ path: `test-output/render/caseTable-a11y-form-${theme}.png` });
    await p.locator('[data-line="9"] .c-seed, [data-line="9"] .c-raw').first().click();
    await p.locator('#case-raw-text').waitFor();
    await expectNoAxeViolations(p, `case table, raw line selected, ${theme}`);
    await p.screenshot({ path: `test-output/render/caseTable-a11y-${theme}.png` });
    expect(s.errors).toEqual([]);
    await s.close();
  });
});

const hexToRgb = (hex: string): string => {
  const n = parseInt(hex.slice(1, 7), 16);
  return `rgb(${n >> 16}, ${(n >> 8) & 255}, ${n & 255})`;
};

describe('the form from the keyboard', () => {
  // Line 3 of the dataset: depth 1 has four candidates, the first the actual; depth 2 has three.
  const active = (p: Page): Promise<string> => p.evaluate(() => document.activeElement?.id ?? '');
  /** Marks the form's current elements, so a wait can tell the re-rendered ones from them. */
  const markStale = (p: Page): Promise<void> =>
    p.evaluate(() => document.querySelectorAll('#case-form *').forEach((e) => e.setAttribute('data-stale', '')));
  /** Focuses the element with this id, marks the form stale and presses Enter on it. */
  const enterOn = async (p: Page, id: string): Promise<void> => {
    await p.focus(`#${id}`);
    await markStale(p);
    await p.keyboard.press('Enter');
  };
  /** Focus is on a fresh element (the form re-rendered after the edit) with this id. */
  const focusLandsOn = (p: Page, id: string): Promise<unknown> =>
    p.waitForFunction((want) => {
      const a = document.activeElement;
      return a?.id === want && !a.hasAttribute('data-stale');
    }, id);
  const labels = (text: string, level: number): number[] =>
    (JSON.parse(text) as { levels: { candidates: { label: number }[] }[] }).levels[level]!.candidates.map(
      (c) => c.label,
    );
  const events = (text: string, level: number): string[] =>
    (JSON.parse(text) as { levels: { candidates: { event: string }[] }[] }).levels[level]!.candidates.map(
      (c) => c.event,
    );

  it('radios: one Tab stop per group, arrows move the actual, focus stays after each edit; fields and buttons keep focus too; Escape returns to the row', async () => {
    const s = await openCaseTable(browser, TEXT);
    const p = s.page;
    // Keyboard only from here: focus the table, go to line 3, Enter to the form.
    await p.focus('#case-table');
    for (let k = 0; k < 4; k++) await p.keyboard.press('ArrowDown');
    await p.locator('#case-row-3[aria-selected="true"]').waitFor();
    await p.locator('#case-form[data-line="3"]').waitFor();
    // The focused table rings its selected row in the theme's focus colour.
    const focusBorder = await p.evaluate(() =>
      getComputedStyle(document.body).getPropertyValue('--vscode-focusBorder').trim(),
    );
    expect(
      await p.$eval('#case-row-3', (e) => [getComputedStyle(e).outlineStyle, getComputedStyle(e).outlineColor]),
    ).toEqual(['solid', hexToRgb(focusBorder)]);
    await p.keyboard.press('Enter');
    expect(await active(p)).toBe('field-id');

    // Tab through depth 1: exactly one of its radios is a Tab stop, the checked one.
    await p.focus('#level-0-remove');
    const stops: string[] = [];
    while (stops.at(-1) !== 'level-0-add-candidate' && stops.length < 40) {
      await p.keyboard.press('Tab');
      stops.push(await active(p));
    }
    expect(stops.filter((id) => /^cand-0-\d+-actual$/.test(id))).toEqual(['cand-0-0-actual']);

    // Arrow keys move and check; each check is one edit; focus stays on the radio after the re-render.
    await p.focus('#cand-0-0-actual');
    await markStale(p);
    await p.keyboard.press('ArrowDown');
    await expect.poll(() => labels(s.doc.lineText(3), 0)).toEqual([0, 1, 0, 0]);
    await focusLandsOn(p, 'cand-0-1-actual');
    expect(await p.locator('#cand-0-1-actual').isChecked()).toBe(true);
    await markStale(p);
    await p.keyboard.press('ArrowDown');
    await expect.poll(() => labels(s.doc.lineText(3), 0)).toEqual([0, 0, 1, 0]);
    await focusLandsOn(p, 'cand-0-2-actual');
    expect(s.doc.log).toHaveLength(2);
    // The next Tab goes on from there, not back to the top of the form.
    await p.keyboard.press('Tab');
    expect(await active(p)).toBe('cand-0-2-event');

    // Enter in a field commits it and leaves focus in the field.
    await p.keyboard.press('Control+A');
    await p.keyboard.type('Renamed from the keyboard');
    await markStale(p);
    await p.keyboard.press('Enter');
    await expect.poll(() => events(s.doc.lineText(3), 0)[2]).toBe('Renamed from the keyboard');
    await focusLandsOn(p, 'cand-0-2-event');

    // + Candidate: focus goes to the new candidate's field.
    await enterOn(p, 'level-0-add-candidate');
    await expect.poll(() => events(s.doc.lineText(3), 0).length).toBe(5);
    await focusLandsOn(p, 'cand-0-4-event');

    // Removing the last candidate: focus goes to the one before it.
    await enterOn(p, 'cand-0-4-remove');
    await expect.poll(() => events(s.doc.lineText(3), 0).length).toBe(4);
    await focusLandsOn(p, 'cand-0-3-remove');

    // Moving a candidate up: focus follows it.
    await enterOn(p, 'cand-0-3-up');
    await expect.poll(() => events(s.doc.lineText(3), 0)[2]).toBe('Rival announces merger amid rumours #3.1.4');
    await focusLandsOn(p, 'cand-0-2-up');

    // The split dropdown from the keyboard: open, pick the next split, Enter; focus stays on it.
    await p.focus('#field-split');
    await markStale(p);
    await p.keyboard.press('Space');
    await p.keyboard.press('ArrowDown');
    await p.keyboard.press('Enter');
    await expect.poll(() => (JSON.parse(s.doc.lineText(3)) as { split?: string }).split).toBe('test');
    await focusLandsOn(p, 'field-split');

    // A refused edit (a date that does not exist) says why beside the field and leaves focus in it.
    await p.focus('#field-seed-date');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('2023-02-30');
    await markStale(p);
    await p.keyboard.press('Enter');
    await p.locator('#diag-seed-date').waitFor();
    await focusLandsOn(p, 'field-seed-date');

    // Escape drops what is typed but not committed and returns to the selected row.
    const before = s.doc.getText();
    const edits = s.doc.log.length;
    await p.focus('#cand-1-0-event');
    await p.keyboard.type(' not committed');
    await p.keyboard.press('Escape');
    expect(await active(p)).toBe('case-table');
    expect(await p.getAttribute('#case-table', 'aria-activedescendant')).toBe('case-row-3');
    await p.locator('#case-form[data-line="3"]').waitFor();
    expect(s.doc.getText()).toBe(before);
    expect(s.doc.log).toHaveLength(edits);
    // …and Enter goes back into the form.
    await p.keyboard.press('Enter');
    expect(await active(p)).toBe('field-id');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('a new rendering of the case waits while the user types: caret and text stay, Enter commits both changes', async () => {
    // The case comes back changed (here: an edit elsewhere on its line, as when diagnostics arrive) between two
    // key presses. Rebuilding the field under the typist would lose the caret and any key pressed meanwhile.
    const s = await openCaseTable(browser, TEXT);
    const p = s.page;
    await p.locator('[data-line="3"]').click();
    await p.locator('#case-form[data-line="3"]').waitFor();
    await p.focus('#cand-0-1-event');
    await p.keyboard.press('Control+A');
    await p.keyboard.type('Typed while the case changed');
    await p.keyboard.press('ArrowLeft');
    await markStale(p);
    const line = s.doc.lineText(3);
    await s.doc.applyEdit(
      { start: { line: 3, character: 0 }, end: { line: 3, character: line.length } },
      JSON.stringify({ ...(JSON.parse(line) as object), split: 'test' }),
    );
    await expect
      .poll(() => p.evaluate(() => document.querySelectorAll('#case-form [data-stale]').length))
      .toBeGreaterThan(0);
    await p.waitForTimeout(200); // the host's rendering has arrived (the test session answers at once)
    expect(await active(p)).toBe('cand-0-1-event');
    expect(await p.evaluate(() => document.activeElement?.hasAttribute('data-stale'))).toBe(true);
    await p.keyboard.type('!');
    await p.keyboard.press('Enter');
    await expect.poll(() => events(s.doc.lineText(3), 0)[1]).toBe('Typed while the case change!d');
    expect((JSON.parse(s.doc.lineText(3)) as { split?: string }).split).toBe('test');
    await focusLandsOn(p, 'cand-0-1-event');
    expect(await p.getAttribute('#cand-0-1-event', 'data-initial')).toBe('Typed while the case change!d');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('arrow keys running ahead of a slow host lose no key press', async () => {
    const s = await openCaseTable(browser, TEXT, { hostDelayMs: 60 });
    const p = s.page;
    await p.focus('#case-table');
    for (let k = 0; k < 8; k++) await p.keyboard.press('ArrowDown');
    // Eight presses from no selection: row 0, then seven down; every late answer has arrived.
    await expect
      .poll(
        async () => (
          await s.settled(),
          p.evaluate(() => document.querySelector('#case-form')?.getAttribute('data-line'))
        ),
        { timeout: 10_000 },
      )
      .toBe('7');
    await s.settled();
    expect(await p.getAttribute('#case-table', 'aria-activedescendant')).toBe('case-row-7');
    expect(await p.getAttribute('#case-form', 'data-line')).toBe('7');
    expect(s.errors).toEqual([]);
    await s.close();
  });

  it('the table shows a focus ring with no selected row, and the raw row’s link is reachable by Tab', async () => {
    const s = await openCaseTable(browser, TEXT);
    const p = s.page;
    await p.focus('#add-case');
    await p.keyboard.press('Tab');
    expect(await active(p)).toBe('case-table');
    expect(await p.locator('#case-table .row.selected').count()).toBe(0);
    expect(await p.$eval('#case-table', (e) => getComputedStyle(e).outlineStyle)).toBe('solid');
    // Line 9 is not JSON: select it, and Tab reaches "Open in text editor at line 10", Enter opens it.
    for (let k = 0; k < 10; k++) await p.keyboard.press('ArrowDown');
    await p.locator('#case-row-9[aria-selected="true"]').waitFor();
    // After the table: its sort buttons, the selected row's link, then the form.
    const stops: string[] = [];
    while (!stops.includes('open-text-row-9') && stops.length < 12) {
      await p.keyboard.press('Tab');
      stops.push(await active(p));
    }
    expect(stops).toEqual([
      'sort-line',
      'sort-seed',
      'sort-date',
      'sort-split',
      'sort-levels',
      'sort-candidates',
      'sort-errors',
      'open-text-row-9',
    ]);
    await p.keyboard.press('Enter');
    await expect.poll(() => s.openedInText).toEqual([9]);
    expect(s.errors).toEqual([]);
    await s.close();
  });
});
