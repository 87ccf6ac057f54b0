/// <reference lib="dom" />
// Accessibility of the built dashboard: axe-core (WCAG 2.0/2.1 A and AA, best practices) finds
// nothing on each page — one SFT run, an eval run, a comparison, the forecast tree expanded whole —
// in VS Code's dark, light and high-contrast themes; every chart has its numbers as a table; the
// forecast tree expands siblings with `*`; controls are named by their visible labels.
import { describe, expect, it } from 'vitest';
import { composite, contrastRatio, parseColor } from '../../webview/shared/themeColors';
import { expectNoAxeViolations } from './axe';
import { loadRuns, openDashboard, openRuns, screenshot, stateOf, useFixtureHarness } from './harness';
import { THEME_NAMES } from './themes';

const fx = useFixtureHarness('ph-a11y-');

const dir = fx.dir;

const PAGES = {
  sft: ['dashboard-sft'],
  eval: ['dashboard-eval'],
  compare: ['dashboard-sft', 'dashboard-grpo', 'dashboard-eval'],
} as const;

describe.each(THEME_NAMES)('axe finds nothing, %s theme', (theme) => {
  it.each(Object.keys(PAGES) as (keyof typeof PAGES)[])('%s', async (name) => {
    const loaded = await loadRuns(PAGES[name].map(dir));
    const d = await openDashboard(fx.h, {
      state: stateOf(loaded, name === 'compare' ? 'compare' : 'run'),
      runs: loaded,
      theme,
    });
    if (name !== 'sft')
      await d.page.waitForFunction(
        () => Number(document.querySelector('#tree-view')?.getAttribute('data-total-nodes')) > 0,
      );
    // Page errors and CSP violations first: axe's own probes (inline styles) trip the CSP afterwards.
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(d.page, `dashboard ${name}, ${theme}`);
  });

  it('no runs yet, and a broken run with its notices', async () => {
    const empty = await openDashboard(fx.h, {
      state: { mode: 'empty', runs: [], emptyMessage: 'No runs yet — Launch SFT to start one.', focusTree: null },
      runs: [],
      theme,
    });
    expect(empty.problems).toEqual([]);
    await expectNoAxeViolations(empty.page, `dashboard empty, ${theme}`);
    const d = await openRuns(fx.h, [dir('dashboard-truncated')], { theme });
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(d.page, `dashboard truncated run, ${theme}`);
  });

  it('tree expanded whole, a row active, every chart shown as its table', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')], { theme });
    const p = d.page;
    await p.waitForFunction(() => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '53');
    await p.click('#tree-expand-all');
    await p.focus('#tree-view');
    await p.keyboard.press('ArrowDown');
    const toggles = p.locator('.card .chart-table-toggle:visible');
    expect(await toggles.count()).toBeGreaterThan(5);
    for (const toggle of await toggles.all()) await toggle.click();
    expect(await p.locator('.chart-table:visible').count()).toBe(await toggles.count());
    await screenshot(p, `a11y-tree-tables-${theme}`);
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(p, `dashboard tree expanded and chart tables, ${theme}`);
  });
});

describe.each(THEME_NAMES)('charts in the %s theme', (theme) => {
  it('every mark colour a chart draws is opaque and ≥ 3:1 on its card', async () => {
    const loaded = await loadRuns(PAGES.compare.map(dir));
    const d = await openDashboard(fx.h, { state: stateOf(loaded, 'compare'), runs: loaded, theme });
    const charts = await d.page.$$eval('.card canvas', (cs) =>
      cs
        .filter((c) => Number((c as HTMLElement).dataset.points) > 0)
        .map((c) => {
          const card = c.closest('.card')!;
          return {
            id: c.id,
            colors: ((c as HTMLElement).dataset.colors ?? '').split('; ').filter(Boolean),
            card: getComputedStyle(card).backgroundColor,
            page: getComputedStyle(document.body).backgroundColor,
          };
        }),
    );
    expect(charts.length).toBeGreaterThanOrEqual(9);
    for (const c of charts) {
      const page = parseColor(c.page)!;
      const card = composite(parseColor(c.card)!, page);
      expect(c.colors.length, c.id).toBeGreaterThan(0);
      for (const colour of c.colors) {
        const mark = parseColor(colour)!;
        expect(mark.a, `${c.id} ${colour}`).toBe(1);
        expect(contrastRatio(mark, card), `${c.id} ${colour} on ${c.card}`).toBeGreaterThanOrEqual(3);
      }
    }
  });
});

describe('text alternatives and keyboard', () => {
  it('a chart toggles to a table of the values it draws, with intervals; the choice survives a reload', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-sft')]);
    const p = d.page;
    expect(await p.getAttribute('#chart-brier-table-toggle', 'aria-pressed')).toBe('false');
    await p.focus('#chart-brier-table-toggle');
    await p.keyboard.press('Enter');
    expect(await p.getAttribute('#chart-brier-table-toggle', 'aria-pressed')).toBe('true');
    expect(await p.isVisible('#chart-brier')).toBe(false);
    const table = await p.$$eval('#chart-brier-table tr', (trs) =>
      trs.map((tr) => Array.from(tr.children).map((c) => (c as HTMLElement).innerText.trim())),
    );
    // Depths down, one column per stage and the gate line; SFT's whole-split Brier 0.12 with its interval.
    expect(table[0]).toEqual(['Depth', 'Baseline', 'SFT', 'Gate < 0.15']);
    expect(table.map((r) => r[0])).toEqual(['Depth', 'All', 'Depth 1', 'Depth 2', 'Depth 3']);
    expect(table[1]![2]).toBe('0.12 (95 % interval [0.105, 0.135])');
    expect(table[1]![3]).toBe('0.15');
    expect(await p.textContent('#chart-brier-table caption')).toBe('Brier score by depth');
    // The loss table lists every step the chart draws.
    await p.click('#chart-loss-table-toggle');
    expect(await p.$$eval('#chart-loss-table tbody tr', (trs) => trs.length)).toBe(120);
    const saved = await p.evaluate(() => (window as unknown as { __saved: unknown }).__saved);
    expect(saved).toMatchObject({ tables: ['brier', 'loss'] });
    const again = await openRuns(fx.h, [dir('dashboard-sft')], { saved });
    expect(await again.page.isVisible('#chart-brier-table')).toBe(true);
    expect(await again.page.isVisible('#chart-loss-table')).toBe(true);
    expect(d.problems).toEqual([]);
  });

  it('* expands every sibling of the active node, as in VS Code’s trees', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')]);
    const p = d.page;
    await p.waitForFunction(() => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '53');
    const visible = async (): Promise<number> => Number(await p.getAttribute('#tree-view', 'data-visible-nodes'));
    // Seed + 4 depth-1 nodes + the actual path's 3 + 3 open: 11; the other three depth-1 nodes are closed.
    expect(await visible()).toBe(11);
    await p.focus('#tree-view');
    await p.keyboard.press('Home');
    await p.keyboard.press('ArrowDown');
    expect(await p.getAttribute('#tree-view', 'aria-activedescendant')).toBe('tree-node-1');
    await p.keyboard.press('*');
    // Each depth-1 node open: 1 + 4 + 4 × 3, plus the depth-3 level still open under the actual path.
    expect(await visible()).toBe(1 + 4 + 12 + 3);
    expect(
      await p.$$eval('#tree-view [role="treeitem"][aria-level="2"]', (els) =>
        els.map((e) => e.getAttribute('aria-expanded')),
      ),
    ).toEqual(['true', 'true', 'true', 'true']);
    // The active node stays where it was.
    expect(await p.getAttribute('#tree-view', 'aria-activedescendant')).toBe('tree-node-1');
    expect(d.problems).toEqual([]);
  });

  it('controls are named by their visible labels', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')]);
    const p = d.page;
    await p.waitForFunction(() => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '53');
    const snapshot = await p.locator('#section-trees').ariaSnapshot();
    expect(snapshot).toContain('combobox "Forecast tree"');
    expect(snapshot).toContain('textbox "Search trees by seed event"');
    expect(snapshot).toContain('textbox "Find event in tree"');
    expect(await p.locator('#dash-header').ariaSnapshot()).toContain('button "Refresh"');
    // A tree row: its visible text first, then what only colour says.
    expect(await p.locator('#tree-node-1').ariaSnapshot()).toMatch(
      /treeitem ".+ \d+\.\d % (exact|semantic|llm|none) \(probability(, actual outcome)?, match kind\)"/,
    );
    expect(d.problems).toEqual([]);
  });
});
