/// <reference lib="dom" />
// The built dashboard bundle rendered from fixture runs in headless Chromium: charts drawn with
// the right number of points, gate colours, tree expand/collapse and virtualisation at 5,000 nodes,
// notices for broken runs, live appends without replacing the DOM, state kept across reloads.
// Screenshots go to test-output/render/.
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunAppend } from '../../src/dashboard/protocol';
import { STAGE_COUNTS, forecastTree, runRecord, stageEvals, trainCurve, writeRun } from '../unit/dashboard/builders';
import { contrastRatio, parseColor } from '../../webview/shared/themeColors';
import { loadRuns, openDashboard, openRuns, screenshot, stateOf, useFixtureHarness } from './harness';

const fx = useFixtureHarness('ph-render-');

const attr = (p: Page, sel: string, name: string): Promise<string | null> => p.getAttribute(sel, name);
const points = async (p: Page, chart: string): Promise<number> =>
  Number(await attr(p, `#chart-${chart}`, 'data-points'));
const gateStatuses = (p: Page, stage: string): Promise<string[]> =>
  p.$$eval(`#stage-table tr[data-stage="${stage}"] td.gate-cell`, (tds) =>
    tds.map((td) => (td as HTMLElement).dataset.status ?? ''),
  );
const dir = fx.dir;
const cellText = (p: Page, stage: string, sel: string): Promise<string> =>
  p.$eval(`#stage-table tr[data-stage="${stage}"] ${sel}`, (td) =>
    (td as HTMLElement).innerText.replace(/\s+/g, ' ').trim(),
  );
const cellAttr = (p: Page, stage: string, sel: string, name: string): Promise<string | null> =>
  attr(p, `#stage-table tr[data-stage="${stage}"] ${sel}`, name);

describe('one run', () => {
  it('SFT run: loss and lr drawn with every point, gates coloured, no CSP violation', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-sft')]);
    const p = d.page;
    expect(await points(p, 'loss')).toBe(120);
    expect(await points(p, 'lr')).toBe(120);
    expect(await points(p, 'reward')).toBe(0);
    expect(await attr(p, '#chart-loss', 'aria-label')).toMatch(
      /^Training loss: 120 points, latest \d\.\d{3} at step 120$/,
    );
    expect(await attr(p, '#chart-reward', 'aria-label')).toBe('GRPO reward (mean ± std): no data');
    expect(await p.isVisible('#chart-reward-empty')).toBe(true);
    expect(await points(p, 'perplexity')).toBe(8);
    expect(await points(p, 'coverage')).toBe(8);
    // one bar per stage (whole split) in the match-kinds card; neither stage flagged
    expect(await points(p, 'kinds')).toBe(2);
    expect(await attr(p, '#kinds-flag', 'data-flagged')).toBe('0');
    // the fixture's events predate matcher settings: the note says so instead of guessing
    expect(await p.textContent('#coverage-matcher')).toMatch(/^Matcher not recorded/);
    expect(await gateStatuses(p, 'baseline')).toEqual(['fail', 'fail', 'fail', 'fail']);
    expect(await gateStatuses(p, 'sft')).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(await cellAttr(p, 'sft', 'td.verdict', 'data-status')).toBe('pass');
    // Gate colours are the theme's testing colours, kept as they are where they contrast (Dark Modern: #73c991 pass, #f88070 fail).
    const colours = await p.$$eval('#stage-table td.gate-cell .gate', (els) =>
      els.map((e) => getComputedStyle(e).color),
    );
    expect(colours.slice(0, 4)).toEqual(Array(4).fill('rgb(248, 128, 112)'));
    expect(colours.slice(4, 8)).toEqual(Array(4).fill('rgb(115, 201, 145)'));
    expect(await p.textContent('#run-duration')).toContain('2 h 5 min');
    expect(await p.textContent('#run-cost')).toContain('$2.29');
    // Canvas really painted (not blank): some non-transparent pixels.
    const painted = await p.$eval('#chart-loss', (c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d')!;
      const data = ctx.getImageData(0, 0, (c as HTMLCanvasElement).width, (c as HTMLCanvasElement).height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(1000);
    await screenshot(p, 'sft-dark');
    expect(d.problems).toEqual([]);
    expect(d.posted[0]).toEqual({ type: 'ready' });
  });

  it('GRPO run: reward mean ± std drawn, mixed gates', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-grpo')], { theme: 'light' });
    expect(await points(d.page, 'reward')).toBe(80);
    expect(await gateStatuses(d.page, 'grpo')).toEqual(['pass', 'fail', 'pass', 'fail']);
    expect(await cellAttr(d.page, 'grpo', 'td.verdict', 'data-status')).toBe('fail');
    // Light Modern's testing.iconPassed (#73c991) is 2:1 on white: moved toward the foreground until it reads (≥ 4.5:1).
    const pass = await d.page.$eval('#stage-table td[data-status="pass"] .gate', (e) => getComputedStyle(e).color);
    expect(pass).toBe('rgb(81, 116, 93)');
    expect(contrastRatio(parseColor(pass)!, parseColor('#ffffff')!)).toBeGreaterThanOrEqual(4.5);
    await screenshot(d.page, 'grpo-light');
    expect(d.problems).toEqual([]);
  });

  it('live: an append adds points in place; the HTML is not replaced', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-sft')]);
    await d.page.$eval('#chart-loss', (c) => c.setAttribute('data-marker', 'original'));
    const more = trainCurve(150, 8).slice(120);
    const append: RunAppend = {
      runId: 'dashboard-sft',
      train: {
        step: more.map((e) => e.step),
        loss: more.map((e) => e.loss),
        lr: more.map((e) => e.lr),
        rewardMean: more.map(() => null),
        rewardStd: more.map(() => null),
      },
      evals: [],
      notices: [{ level: 'info', message: 'appended' }],
      state: 'running',
      cost: null,
      durationSeconds: null,
    };
    await d.send({ type: 'append', append });
    await d.page.waitForFunction(() => document.querySelector('#chart-loss')?.getAttribute('data-points') === '150');
    expect(await attr(d.page, '#chart-loss', 'data-marker')).toBe('original');
    expect(await attr(d.page, '#chart-loss', 'data-total')).toBe('150');
    expect(await d.page.textContent('#notices')).toContain('appended');
    expect(await d.page.textContent('#run-state')).toContain('running');
  });
});

describe('broken and empty runs show a notice, never a blank panel', () => {
  it.each([
    ['dashboard-truncated', ['error', 'warning'], /incomplete/],
    ['dashboard-unknown-event', ['info', 'warning'], /unknown type "gpu_util"/],
    ['dashboard-no-events', ['info'], /empty — no events yet/],
  ])('%s', async (name, levels, text) => {
    const d = await openRuns(fx.h, [dir(name)]);
    expect(await d.page.$$eval('#notices .notice', (ns) => ns.map((n) => (n as HTMLElement).dataset.level))).toEqual(
      levels,
    );
    expect(await d.page.textContent('#notices')).toMatch(text);
    if (name === 'dashboard-no-events') {
      expect(await d.page.isVisible('#chart-loss-empty')).toBe(true);
      expect(await d.page.textContent('#chart-loss-empty')).toMatch(/No train events yet/);
      expect(await d.page.isVisible('#stage-table-empty')).toBe(true);
    } else {
      expect(await points(d.page, 'loss')).toBe(name === 'dashboard-truncated' ? 40 : 30);
    }
    await screenshot(d.page, name);
    expect(d.problems).toEqual([]);
  });

  it('no runs at all: says what to do, and the button asks the host to launch SFT', async () => {
    const d = await openDashboard(fx.h, {
      state: { mode: 'empty', runs: [], emptyMessage: 'No runs yet — Launch SFT to start one.', focusTree: null },
      runs: [],
    });
    expect(await d.page.textContent('#empty-state')).toContain('No runs yet — Launch SFT');
    await d.page.click('#empty-launch-sft');
    await d.page.waitForFunction(() => true);
    await expect.poll(() => d.posted.at(-1)).toEqual({ type: 'command', command: 'launchSft' });
    await screenshot(d.page, 'empty');
  });
});

describe('themes', () => {
  it('high contrast: cards take the contrast border, charts still drawn', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')], { theme: 'high-contrast' });
    expect(await d.page.$eval('#card-perplexity', (e) => getComputedStyle(e).borderTopColor)).toBe(
      'rgb(111, 195, 223)',
    );
    expect(await points(d.page, 'perplexity')).toBe(12);
    // An eval run has no training steps: one line, not three empty cards.
    expect(await d.page.isVisible('#training-empty')).toBe(true);
    expect(await d.page.isVisible('#card-loss')).toBe(false);
    await screenshot(d.page, 'eval-high-contrast');
    expect(d.problems).toEqual([]);
  });
});

describe('forecast skill and intervals', () => {
  it('the stage table shows skill and intervals, both readouts with the headline marked, parse failures; the skill chart marks chance', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-sft')]);
    const p = d.page;
    // SFT: headline Brier 0.12 on four-candidate levels (uniform 0.1875) → skill 0.36; intervals ±0.015 Brier, ±5 points match.
    expect(await cellText(p, 'sft', 'td[data-gate="brier"]')).toBe('0.120 [0.105, 0.135]');
    expect(await cellText(p, 'sft', 'td[data-col="skill"]')).toBe('0.360 [0.280, 0.440]');
    expect(await cellAttr(p, 'sft', 'td[data-col="skill"]', 'aria-label')).toBe(
      'Brier skill 0.360, 95 % interval [0.280, 0.440]',
    );
    expect(await cellText(p, 'sft', 'td[data-gate="match"]')).toBe('86.7 % [81.7, 91.7] %');
    expect(await cellText(p, 'sft', 'td[data-col="letters"]')).toBe('Brier 0.120 skill 0.360 · headline');
    expect(await cellText(p, 'sft', 'td[data-col="stated"]')).toBe('Brier 0.140 skill 0.253');
    expect(await cellText(p, 'sft', 'td[data-col="parseFailures"]')).toBe('3 (2.0 %)');
    // The baseline is worse than chance: a negative skill with a real minus sign.
    expect(await cellText(p, 'baseline', 'td[data-col="skill"]')).toMatch(/^\u22120\.173 \[/);
    expect(await p.$$eval('#stage-table thead th', (ths) => ths.map((t) => t.childNodes[0]!.textContent))).toEqual([
      'Stage',
      'Perplexity',
      'Brier',
      'Brier skill',
      'Match rate',
      'Match rate, depth ≥ 3',
      'ECE',
      'Letter readout',
      'Stated forecast',
      'Parse failures',
      'n',
      'Verdict',
    ]);
    expect(await points(p, 'skill')).toBe(8);
    // Bars per stage, then the line at 0 (the uniform forecast).
    expect(await attr(p, '#chart-skill', 'data-datasets')).toBe('3');
    expect(await attr(p, '#chart-skill', 'aria-label')).toMatch(
      /^Brier skill by depth \(0 = uniform forecast\): 8 points, whole split: Baseline \u22120\.173 \[.*\]; SFT 0\.360 \[0\.280, 0\.440\]$/,
    );
    await p.$eval('#stage-table', (t) => t.scrollIntoView());
    await screenshot(p, 'stage-table-skill');
    expect(d.problems).toEqual([]);
  });

  it('GRPO: the stated forecast is the headline', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-grpo')]);
    expect(await cellAttr(d.page, 'grpo', 'td[data-col="stated"]', 'data-headline')).toBe('true');
    expect(await cellAttr(d.page, 'grpo', 'td[data-col="letters"]', 'data-headline')).toBeNull();
    expect(await cellText(d.page, 'grpo', 'td[data-col="parseFailures"]')).toBe('0 (0.0 %)');
    expect(d.problems).toEqual([]);
  });

  it('a run logged before skill existed: — in the new columns, and a Brier under the target is missing, not passed', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')]);
    const p = d.page;
    expect(await gateStatuses(p, 'sft')).toEqual(['pass', 'missing', 'pass', 'pass']);
    expect(await cellText(p, 'sft', 'td[data-gate="brier"]')).toBe('0.120 skill not reported');
    expect(await cellAttr(p, 'sft', 'td.verdict', 'data-status')).toBe('missing');
    for (const col of ['skill', 'letters', 'stated', 'parseFailures'])
      expect(await cellText(p, 'sft', `td[data-col="${col}"]`)).toBe('—');
    expect(await cellText(p, 'sft', 'td[data-gate="match"]')).toBe('86.7 %');
    expect(await points(p, 'skill')).toBe(0);
    expect(await p.isVisible('#chart-skill-empty')).toBe(true);
    expect(d.problems).toEqual([]);
  });

  it('a Brier under the target without skill fails with the reason "no skill"', async () => {
    const chance = path.join(fx.runs, 'dashboard-no-skill');
    // Eight candidates per level: the uniform forecast scores 7/64 ≈ 0.109, under the 0.15 target already.
    const [all, ...depths] = stageEvals('sft', 2.1, 0.12, STAGE_COUNTS.sft, { forecast: true });
    writeRun(chance, {
      record: runRecord('dashboard-no-skill', 'eval'),
      metrics: [{ ...all!, brierSkill: -0.1, ci: { ...all!.ci!, brierSkill: [-0.2, 0.0] } }, ...depths],
    });
    const d = await openRuns(fx.h, [chance]);
    const p = d.page;
    expect(await gateStatuses(p, 'sft')).toEqual(['pass', 'fail', 'pass', 'pass']);
    expect(await attr(p, '#stage-table td[data-gate="brier"]', 'data-reason')).toBe('no skill');
    expect(await cellText(p, 'sft', 'td[data-gate="brier"]')).toBe('0.120 [0.105, 0.135] no skill');
    expect(await attr(p, '#stage-table td[data-gate="brier"]', 'aria-label')).toBe(
      'Brier 0.120, 95 % interval [0.105, 0.135], target < 0.15, skill > 0: fail, no skill',
    );
    expect(await cellText(p, 'sft', 'td[data-col="skill"]')).toBe('\u22120.100 [\u22120.200, 0.000]');
    expect(await cellAttr(p, 'sft', 'td.verdict', 'data-status')).toBe('fail');
    expect(d.problems).toEqual([]);
  });
});

describe('comparison', () => {
  it('baseline / SFT / GRPO from two runs in one table and overlaid curves', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-sft'), dir('dashboard-grpo')]);
    expect(await d.page.textContent('#dash-title')).toBe('Compare 2 runs');
    expect(await points(d.page, 'loss')).toBe(200);
    expect(
      await d.page.$$eval('#stage-table tbody tr', (rs) => rs.map((r) => r.querySelector('th')!.textContent)),
    ).toEqual(['dashboard-sft · Baseline', 'dashboard-sft · SFT', 'dashboard-grpo · GRPO']);
    await screenshot(d.page, 'compare');
    expect(d.problems).toEqual([]);
  });

  it('match kinds across runs: the exact share shifts from row to row, and a stage where exact matches dominate is flagged', async () => {
    const overfit = path.join(fx.runs, 'dashboard-overfit');
    // 115 of 150 levels exact, 2 paraphrased: what a model reproducing texts it has seen looks like.
    writeRun(overfit, {
      record: runRecord('dashboard-overfit', 'eval'),
      metrics: stageEvals(
        'sft',
        1.4,
        0.1,
        [
          [45, 1, 0, 4],
          [40, 1, 0, 9],
          [30, 0, 0, 20],
        ],
        { forecast: true },
      ),
    });
    const loaded = await loadRuns([dir('dashboard-sft'), overfit]);
    const d = await openDashboard(fx.h, { state: stateOf(loaded, 'compare'), runs: loaded });
    const p = d.page;
    expect(await points(p, 'kinds')).toBe(3);
    expect(await attr(p, '#chart-kinds', 'data-datasets')).toBe('4');
    expect(await attr(p, '#chart-kinds', 'aria-label')).toBe(
      'Match kinds across runs and stages (whole split): 3 points, exact matches dominate in dashboard-overfit · SFT',
    );
    const rows = await p.$$eval('#kinds-table tbody tr', (trs) =>
      trs.map((tr) =>
        Array.from(tr.children)
          .map((c) => (c as HTMLElement).innerText.trim())
          .concat((tr as HTMLElement).dataset.dominance ?? ''),
      ),
    );
    expect(rows).toEqual([
      [
        'dashboard-sft · Baseline',
        '30 %',
        '15 %',
        '11 %',
        '43 %',
        '150',
        '—',
        '30 % exact, 47 % of hits paraphrased',
        'clear',
      ],
      [
        'dashboard-sft · SFT',
        '53 %',
        '21 %',
        '12 %',
        '13 %',
        '150',
        '+23.3 pts',
        '53 % exact, 38 % of hits paraphrased',
        'clear',
      ],
      [
        'dashboard-overfit · SFT',
        '77 %',
        '1 %',
        '0 %',
        '22 %',
        '150',
        '+23.3 pts',
        'exact matches dominate: 77 % exact, 2 % of hits paraphrased — possible memorisation (overfitting)',
        'flagged',
      ],
    ]);
    expect(await attr(p, '#kinds-flag', 'data-flagged')).toBe('1');
    expect(await p.textContent('#kinds-flag')).toMatch(
      /^ Exact matches dominate in dashboard-overfit · SFT: a possible sign of overfitting/,
    );
    await p.$eval('#card-kinds', (e) => e.scrollIntoView());
    await screenshot(p, 'compare-kinds');
    expect(d.problems).toEqual([]);
  });

  it('an evaluation run in a comparison adds no empty training series', async () => {
    const datasets = async (runs: string[]): Promise<string[]> => {
      const loaded = await loadRuns(runs.map(dir));
      const d = await openDashboard(fx.h, { state: stateOf(loaded, 'compare'), runs: loaded });
      const counts = await Promise.all(['loss', 'lr'].map((c) => attr(d.page, `#chart-${c}`, 'data-datasets')));
      expect(d.problems).toEqual([]);
      return counts.map(String);
    };
    expect(await datasets(['dashboard-sft', 'dashboard-eval'])).toEqual(await datasets(['dashboard-sft']));
  });
});

describe('forecast tree viewer', () => {
  const visible = async (p: Page): Promise<number> => Number(await attr(p, '#tree-view', 'data-visible-nodes'));

  it('opens the first tree with the actual path expanded; expands and collapses by click and keyboard', async () => {
    const d = await openRuns(fx.h, [dir('dashboard-eval')]);
    const p = d.page;
    await p.waitForFunction(() => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '53');
    expect(await attr(p, '#tree-select', 'data-options')).toBe('3');
    // Seed + 4 at depth 1 + 3 under the actual depth-1 node + 3 under the actual depth-2 node.
    expect(await visible(p)).toBe(11);
    expect(await p.$$eval('#tree-view [data-actual="true"]', (els) => els.length)).toBe(4);
    expect(await p.$$eval('#tree-view .badge', (els) => els.length)).toBeGreaterThan(0);
    expect(await points(p, 'reliability')).toBeGreaterThan(0);
    // Node 14 is the second depth-1 node (1 + 13 nodes before it in pre-order): collapsed.
    const second = '#tree-node-14';
    expect(await attr(p, second, 'aria-expanded')).toBe('false');
    await p.click(second);
    expect(await visible(p)).toBe(14);
    expect(await attr(p, second, 'aria-expanded')).toBe('true');
    await p.click(second);
    expect(await visible(p)).toBe(11);
    // Keyboard: focus the tree, move to the next row, expand it with ArrowRight, collapse with ArrowLeft.
    await p.focus('#tree-view');
    await p.keyboard.press('Home');
    await p.keyboard.press('ArrowLeft');
    expect(await visible(p)).toBe(1);
    // Re-expanding the seed brings back what was open beneath it, as VS Code's trees do.
    await p.keyboard.press('ArrowRight');
    expect(await visible(p)).toBe(11);
    await p.keyboard.press('ArrowDown');
    expect(await attr(p, '#tree-view', 'aria-activedescendant')).toBe('tree-node-1');
    expect(await attr(p, '#tree-node-1', 'class')).toContain('active');
    await p.keyboard.press('ArrowLeft');
    expect(await visible(p)).toBe(5);
    await screenshot(p, 'tree');
    // Search by seed event narrows the tree list.
    await p.fill('#tree-search input', 'port');
    await p.waitForFunction(() => document.querySelector('#tree-select')?.getAttribute('data-options') === '1');
    // Persisted view state: the expanded set and the search survive a reload.
    const saved = await p.evaluate(() => (window as unknown as { __saved: unknown }).__saved);
    expect(saved).toMatchObject({ treeSearch: 'port', tree: { runId: 'dashboard-eval', index: 0 } });
    const again = await openRuns(fx.h, [dir('dashboard-eval')], { saved });
    await again.page.waitForFunction(
      () => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '53',
    );
    expect(await visible(again.page)).toBe(5);
    expect(await again.page.getAttribute('#tree-select', 'data-options')).toBe('1');
    expect(d.problems).toEqual([]);
  });

  it('a tree asked for by the host (CodeLens) opens and scrolls into view', async () => {
    const loaded = await loadRuns([dir('dashboard-eval')]);
    const state = { ...stateOf(loaded), focusTree: { runId: 'dashboard-eval', index: 2 } };
    const d = await openDashboard(fx.h, { state, runs: loaded, width: 1000 });
    await d.page.waitForFunction(() =>
      document.querySelector('#tree-view')?.getAttribute('aria-label')?.includes('Major port strike'),
    );
    expect(d.posted).toContainEqual({ type: 'requestTree', ref: { runId: 'dashboard-eval', index: 2 } });
    // Scrolled as far as the page allows: the tree section's heading is in the viewport.
    const { top, scrollY } = await d.page.$eval('#section-trees', (e) => ({
      top: e.getBoundingClientRect().top,
      scrollY: window.scrollY,
    }));
    expect(scrollY).toBeGreaterThan(0);
    expect(top).toBeGreaterThanOrEqual(0);
    expect(top).toBeLessThan(900 - 200);
    expect(await d.page.evaluate(() => document.activeElement?.id)).toBe('tree-view');
  });

  it('a 5,000-node tree expanded whole keeps only the rows in view in the DOM', async () => {
    const big = path.join(fx.runs, 'dashboard-big-tree');
    writeRun(big, {
      record: runRecord('dashboard-big-tree', 'eval'),
      metrics: [],
      trees: [forecastTree('Global chip shortage', '2021-03-01', { branching: [10, 10, 10, 4], withMatch: true })],
    });
    const d = await openRuns(fx.h, [big]);
    const p = d.page;
    await p.waitForFunction(() => document.querySelector('#tree-view')?.getAttribute('data-total-nodes') === '5111');
    const ms = await p.evaluate(async () => {
      const t0 = performance.now();
      (document.querySelector('#tree-expand-all') as HTMLElement).click();
      await new Promise((r) => requestAnimationFrame(() => r(null)));
      return performance.now() - t0;
    });
    expect(await visible(p)).toBe(5111);
    const rendered = Number(await attr(p, '#tree-view', 'data-rendered-nodes'));
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(120);
    // Scroll through: frames stay cheap and the DOM stays small.
    const scroll = await p.evaluate(async () => {
      const v = document.querySelector('#tree-view') as HTMLElement;
      const times: number[] = [];
      const script: number[] = [];
      for (let i = 1; i <= 30; i++) {
        const t0 = performance.now();
        v.scrollTop = (v.scrollHeight * i) / 30;
        await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(null))));
        times.push(performance.now() - t0);
        script.push(Number(v.dataset.renderMs));
      }
      times.sort((a, b) => a - b);
      script.sort((a, b) => a - b);
      return {
        max: times.at(-1)!,
        median: times[15]!,
        scriptMedian: script[15]!,
        rows: v.querySelectorAll('.tree-node').length,
      };
    });
    expect(scroll.rows).toBeLessThan(120);
    await screenshot(p, 'tree-5000');
    console.log(
      `5,111-node tree: expand all + first frame ${ms.toFixed(0)} ms; scroll: render script median ${scroll.scriptMedian.toFixed(1)} ms, two frames median ${scroll.median.toFixed(0)} ms, worst ${scroll.max.toFixed(0)} ms; ${scroll.rows} rows in the DOM`,
    );
    expect(d.problems).toEqual([]);
  });
});
