// Render test of the built case-table bundle in headless Chromium, under the same CSP page the
// extension serves (./session.ts: the real TableController over an in-memory document as host).
// Accessibility (axe in every theme, keyboard flows) is in caseTable.a11y.render.test.ts.
//   npx tsx test/render/caseTable/caseTable.render.ts [--screenshot out.png]
// Exits non-zero on the first failed check.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { makeDataset } from '../../unit/caseTable/fixtures';
import { buildCaseTableBundle, launchBrowser, openCaseTable as open } from './session';

/** The page's globals as the callbacks below use them (this file compiles without the DOM lib). */
interface PageElement {
  id: string;
  value?: string;
  checked?: boolean;
  getAttribute(name: string): string | null;
}
interface PageGlobal {
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): ArrayLike<PageElement>;
  };
}
const screenshotArg = process.argv.indexOf('--screenshot');
const screenshot = screenshotArg > 0 ? process.argv[screenshotArg + 1] : undefined;

async function waitFor(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function main(): Promise<void> {
  await buildCaseTableBundle();
  const browser = await launchBrowser();
  try {
    // First paint at 1k vs 100k cases (warm-up run first so the browser's own start-up is not counted).
    const warm = await open(browser, makeDataset(1000));
    await warm.close();
    // Median of three alternating runs: the machine is shared, single timings are noisy.
    const texts: Record<number, string> = {
      1000: makeDataset(1000, { rawEvery: 1000 }),
      100_000: makeDataset(100_000, { rawEvery: 1000 }),
    };
    const paints: Record<number, number[]> = { 1000: [], 100_000: [] };
    for (let run = 0; run < 3; run++) {
      for (const n of [1000, 100_000]) {
        const s = await open(browser, texts[n]!);
        paints[n]!.push(s.firstPaintMs);
        const rowsInDom = await s.page.locator('.rows [role="row"]').count();
        assert.ok(rowsInDom < 150, `only the visible rows are in the DOM (got ${rowsInDom})`);
        assert.equal(await s.page.locator('#case-table').getAttribute('aria-rowcount'), String(n + 1));
        assert.deepEqual(s.errors, []);
        await s.close();
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const small = median(paints[1000]!);
    const large = median(paints[100_000]!);
    console.log(
      `first paint in Chromium (median of 3): 1k ${small} ms, 100k ${large} ms, ratio ${(large / small).toFixed(2)} (target <= 2)`,
    );

    // Interactions on a 100k-case file.
    const text = texts[100_000]!;
    const s = await open(browser, text);
    const { page, doc } = s;

    // Select line 3 and rename candidate 2 of depth 1 in the form.
    await page.locator('[data-line="3"]').click();
    await page.locator('#cand-0-1-event').waitFor();
    const before = doc.lineText(3);
    const input = page.locator('#cand-0-1-event input');
    await input.fill('Renamed in the form');
    await input.press('Enter');
    await waitFor(() => doc.lineText(3) !== before, 'the edit to reach the document');
    assert.equal(doc.log.length, 1, 'one edit');
    assert.deepEqual(doc.log[0]!.range, {
      start: { line: 3, character: 0 },
      end: { line: 3, character: before.length },
    });
    assert.equal(
      doc.lineText(3),
      before.replace(/(\{"depth": 1, "candidates": \[\{[^}]*\}, \{"event": ")[^"]*/, '$1Renamed in the form'),
    );
    assert.equal(doc.lineText(2), text.split('\n')[2]);

    // Undo restores the exact bytes and the form follows.
    doc.undo();
    assert.equal(doc.getText(), text);
    const original = (JSON.parse(before) as { levels: { candidates: { event: string }[] }[] }).levels[0]!.candidates[1]!
      .event;
    await page.waitForFunction(
      (want) => (globalThis as unknown as PageGlobal).document.querySelector('#cand-0-1-event')?.value === want,
      original,
    );

    // Mark another actual: exactly one radio per level is checked, the label moves.
    await page.locator('#cand-0-2-actual').click();
    await waitFor(() => doc.lineText(3) !== before, 'the actual to move');
    const labels = (
      JSON.parse(doc.lineText(3)) as { levels: { candidates: { label: number }[] }[] }
    ).levels[0]!.candidates.map((c) => c.label);
    assert.deepEqual(
      labels,
      labels.map((_, k) => (k === 2 ? 1 : 0)),
    );
    await page.waitForFunction(() => {
      const radios = Array.from((globalThis as unknown as PageGlobal).document.querySelectorAll('[name="actual-0"]'));
      const on = radios.filter((r) => r.checked).map((r) => r.id);
      return on.length === 1 && on[0] === 'cand-0-2-actual';
    });

    // Add a level: depth renumbering is the host's job; the form shows the new level.
    const levelsBefore = (JSON.parse(doc.lineText(3)) as { levels: unknown[] }).levels.length;
    await page.locator('#add-level').click();
    await page.locator(`#level-${levelsBefore}`).waitFor();
    assert.equal(
      (JSON.parse(doc.lineText(3)) as { levels: { depth: number }[] }).levels[levelsBefore]?.depth,
      levelsBefore + 1,
    );

    // A refused edit shows beside its field.
    const dateInput = page.locator('#field-seed-date input');
    await dateInput.fill('2023-02-30');
    await dateInput.press('Enter');
    await page.locator('#diag-seed-date').waitFor();

    // Keyboard: End jumps to the last row, which is fetched by range and painted.
    await page.locator('#case-table').focus();
    await page.keyboard.press('End');
    await page.locator('[data-line="99999"][aria-selected="true"]').waitFor();
    await page.locator('#case-form-title', { hasText: 'Line 100000' }).waitFor();

    // A raw row offers to open the text editor; its form shows the text.
    await page.locator('#case-table-viewport').evaluate((el) => (el.scrollTop = 999 * 24 - 100));
    await page.locator('[data-line="999"] button', { hasText: 'Open in text editor at line 1000' }).waitFor();
    await page.locator('[data-line="999"] .c-raw').click();
    await page.locator('#case-raw-text').waitFor();

    // Filter by problems: only broken lines remain.
    await page.locator('#filter-problems').click();
    await page
      .waitForFunction(
        () =>
          (globalThis as unknown as PageGlobal).document.querySelector('#case-table')?.getAttribute('aria-rowcount') ===
          '101',
        undefined,
        { timeout: 60_000 },
      )
      .catch(async (err: unknown) => {
        const count = await page.locator('#case-table').getAttribute('aria-rowcount');
        const checked = await page
          .locator('#filter-problems')
          .evaluate((el) => (el as unknown as { checked: boolean }).checked);
        throw new Error(`problems filter: aria-rowcount ${count}, checked ${checked}: ${String(err)}`);
      });

    if (screenshot) {
      await page.locator('#filter-problems').click();
      await page.waitForFunction(
        () =>
          (globalThis as unknown as PageGlobal).document.querySelector('#case-table')?.getAttribute('aria-rowcount') ===
          '100001',
      );
      await page.locator('#case-table-viewport').evaluate((el) => (el.scrollTop = 0));
      await page.locator('[data-line="3"]').click();
      await page.locator('#cand-0-1-event').waitFor();
      mkdirSync(dirname(resolve(screenshot)), { recursive: true });
      await page.screenshot({ path: screenshot });
    }
    assert.deepEqual(s.errors, []);
    await s.close();
    console.log('case table render test: ok');
  } finally {
    await browser.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
