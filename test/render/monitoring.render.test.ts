/// <reference lib="dom" />
// The built Monitoring webview in headless Chromium, served with the host's real HTML (CSP, nonce)
// and a fake `acquireVsCodeApi` that plays the host: Brier and skill over time per model version, the
// A/B comparison, a table of every chart's values, the error state with its way out, theme colours
// only, and axe-core finding nothing. Also the dashboard's tree viewer in mode 'forecast' (a tree
// the service answered). Screenshots in test-output/render/.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrackModel } from '../../src/contracts/service';
import { renderMonitoringHtml } from '../../src/forecast/monitoring/html';
import type { HostToWebview, MonitoringState, WebviewToHost } from '../../src/forecast/monitoring/protocol';
import { makeNonce } from '../../src/shell/webviewPage';
import { forecastSnapshot, SERVICE_FORECASTS_ID, type LoadedRun } from '../../src/dashboard/runSnapshot';
import { forecastTree } from '../unit/dashboard/builders';
import { buildWebview } from '../../scripts/webviewBuild.mjs';
import { expectNoAxeViolations } from './axe';
import { launchBrowser } from './caseTable/session';
import { openDashboard, startHarness, type Harness } from './harness';
import { THEME_NAMES, themePage, type ThemeName } from './themes';

const OUT = path.resolve('test-output/render');
const BUNDLE = path.resolve('dist/webview/monitoring.js');

let browser: Browser;
let server: Server;
let origin = '';
const pages = new Map<string, string>();
let dash: Harness;

beforeAll(async () => {
  await buildWebview('monitoring');
  mkdirSync(OUT, { recursive: true });
  const codicons = path.resolve(
    existsSync('dist/codicons/codicon.css') ? 'dist/codicons' : 'node_modules/@vscode/codicons/dist',
  );
  server = createServer((req, res) => {
    const p = new URL(req.url ?? '/', 'http://x').pathname;
    if (p === '/favicon.ico') return void res.writeHead(204).end();
    const page = pages.get(p);
    if (page) return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    const file = p === '/monitoring.js' ? BUNDLE : p.startsWith('/codicons/') ? path.join(codicons, p.slice(10)) : null;
    if (!file || !existsSync(file)) return void res.writeHead(404).end();
    res
      .writeHead(200, {
        'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'font/ttf',
      })
      .end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  dash = await startHarness();
});

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  await dash?.close();
});

const model = (
  name: string,
  forecasts: number,
  points: [string, number, number, number][],
  perplexity: number | null = 4.2,
): TrackModel => {
  const last = points.at(-1);
  return {
    model: name,
    forecasts,
    resolved: last?.[1] ?? 0,
    brier: last?.[2] ?? null,
    brierSkill: last?.[3] ?? null,
    ece: last ? 0.08 : null,
    perplexity: last ? perplexity : null,
    matchRate: last ? 0.5 : null,
    series: points.map(([date, resolved, brier, brierSkill]) => ({
      date,
      resolved,
      brier,
      brierSkill,
      ece: 0.08,
      perplexity,
    })),
  };
};

const AB: MonitoringState = {
  url: 'http://127.0.0.1:8000',
  error: null,
  arms: { a: 'smollm2-135m+final@1a2b3c4d', b: 'smollm2-135m', bShare: 0.5 },
  models: [
    model('smollm2-135m+final@1a2b3c4d', 12, [
      ['2026-11-28', 3, 0.21, 0.05],
      ['2026-11-30', 9, 0.16, 0.22],
      ['2026-12-01', 14, 0.14, 0.31],
    ]),
    model('smollm2-135m', 10, [
      ['2026-11-29', 2, 0.26, -0.04],
      ['2026-12-01', 11, 0.23, 0.02],
    ]),
  ],
  fetchedAt: '2026-12-02T03:00:00.000Z',
};

interface Opened {
  page: Page;
  posted: WebviewToHost[];
  problems: string[];
  send(msg: HostToWebview): Promise<void>;
}

async function open(state: MonitoringState, theme: ThemeName = 'dark'): Promise<Opened> {
  const nonce = makeNonce();
  const html = renderMonitoringHtml({
    cspSource: origin,
    nonce,
    scriptUri: `${origin}/monitoring.js`,
    codiconCssUri: `${origin}/codicons/codicon.css`,
  });
  const fake = `<script nonce="${nonce}">window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__toHost(m), getState: () => undefined, setState: () => undefined });</script>`;
  const themed = themePage(html, nonce, theme);
  const doc = themed.replace(/<body[^>]*>/, (body) => `${body}${fake}`);
  const route = `/m-${pages.size + 1}.html`;
  pages.set(route, doc);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const posted: WebviewToHost[] = [];
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const send = async (msg: HostToWebview): Promise<void> => page.evaluate((m) => window.postMessage(m, '*'), msg);
  await page.exposeFunction('__toHost', async (msg: WebviewToHost) => {
    posted.push(msg);
    if (msg.type === 'ready' || msg.type === 'refresh') await send({ type: 'state', state });
  });
  await page.addInitScript(() =>
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    ),
  );
  await page.goto(`${origin}${route}`);
  await page.waitForSelector('#monitoring-root[aria-busy="false"]');
  return { page, posted, problems, send };
}

const tableRows = (p: Page, id: string): Promise<string[][]> =>
  p.$$eval(`#${id} tbody tr`, (trs) =>
    trs.map((tr) => Array.from(tr.children, (c) => (c as HTMLElement).innerText.trim())),
  );

const painted = (p: Page, sel: string): Promise<number> =>
  p.$eval(sel, (c) => {
    const canvas = c as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
    return n;
  });

describe('Monitoring panel', () => {
  it('charts Brier and skill per model version over time, with every value as a table', async () => {
    const d = await open(AB);
    const p = d.page;
    // 3 + 2 points of the adapter's and the base's series on four days, carried forward: 4 + 3 non-null
    expect(await p.getAttribute('#chart-brier-time', 'data-points')).toBe('7');
    expect(await p.getAttribute('#chart-brier-time', 'data-datasets')).toBe('2');
    expect(await p.getAttribute('#chart-skill-time', 'data-points')).toBe('7');
    expect(await p.getAttribute('#chart-ab', 'data-points')).toBe('2');
    expect(await p.getAttribute('#chart-skill-time', 'aria-label')).toBe(
      'Brier skill over time (0 = uniform forecast): 7 points, smollm2-135m+final@1a2b3c4d latest 0.310; smollm2-135m latest 0.020',
    );
    expect(await painted(p, '#chart-brier-time')).toBeGreaterThan(1000);
    expect(await painted(p, '#chart-ab')).toBeGreaterThan(1000);
    expect(await tableRows(p, 'table-brier-time')).toEqual([
      ['2026-11-28', '0.210', '—'],
      ['2026-11-29', '0.210', '0.260'],
      ['2026-11-30', '0.160', '0.260'],
      ['2026-12-01', '0.140', '0.230'],
    ]);
    expect(await tableRows(p, 'table-ab')).toEqual([
      ['smollm2-135m+final@1a2b3c4d', '0.140', '0.310', '14'],
      ['smollm2-135m', '0.230', '0.020', '11'],
    ]);
    expect(await tableRows(p, 'models-table')).toEqual([
      ['smollm2-135m+final@1a2b3c4d', '12', '14', '0.140', '0.310', '0.080', '4.20', '50 %'],
      ['smollm2-135m', '10', '11', '0.230', '0.020', '0.080', '4.20', '50 %'],
    ]);
    expect(await p.textContent('#ab-comparison')).toBe(
      'A/B: arm A smollm2-135m+final@1a2b3c4d (14 resolved), arm B smollm2-135m (11 resolved), 50 % of requests go to B: A is ahead by 0.290 skill — few resolved levels, so this can still change.',
    );
    // the series colours are the theme's chart colours
    await p.screenshot({ path: path.join(OUT, 'monitoring-dark.png'), fullPage: true });
    await p.click('#btn-refresh');
    await p.waitForFunction(() => document.querySelector('#mon-facts') !== null);
    expect(d.posted.map((m) => m.type)).toEqual(['ready', 'refresh']);
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(p, 'monitoring, dark');
  });

  it.each(THEME_NAMES)('%s theme: charts drawn, and axe finds nothing', async (theme) => {
    const d = await open(AB, theme);
    expect(await d.page.getAttribute('#chart-brier-time', 'data-points')).toBe('7');
    await d.page.screenshot({ path: path.join(OUT, `monitoring-${theme}.png`), fullPage: true });
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(d.page, `monitoring, ${theme}`);
  });

  it('unreachable service: the reason and its way out; empty charts say why', async () => {
    const d = await open({
      url: 'http://127.0.0.1:9',
      error: {
        message: 'Cannot reach the forecast service at http://127.0.0.1:9 (ECONNREFUSED).',
        action: 'startLocalService',
      },
      models: [],
      arms: null,
      fetchedAt: AB.fetchedAt,
    });
    const p = d.page;
    expect(await p.textContent('#mon-error')).toContain('ECONNREFUSED');
    expect(await p.getAttribute('#chart-brier-time', 'aria-label')).toBe(
      'Brier score over time (lower is better): no data',
    );
    expect(await p.isVisible('#chart-brier-time-empty')).toBe(true);
    expect(await p.textContent('#models-empty')).toMatch(/No forecasts yet/);
    await p.click('#action-startLocalService');
    await p.waitForFunction(() => true);
    expect(d.posted.at(-1)).toEqual({ type: 'action', action: 'startLocalService' });
    await p.screenshot({ path: path.join(OUT, 'monitoring-unreachable.png'), fullPage: true });
    expect(d.problems).toEqual([]);
    await expectNoAxeViolations(p, 'monitoring unreachable, dark');
  });
});

describe('dashboard tree viewer in forecast mode (a tree the service answered)', () => {
  it('shows the tree without the run sections', async () => {
    const tree = forecastTree('Port workers strike', '2023-03-01', { branching: [3, 2] });
    const snapshot = forecastSnapshot([tree]);
    const run = { snapshot, trees: [tree] } as unknown as LoadedRun;
    const d = await openDashboard(dash, {
      state: {
        mode: 'forecast',
        runs: [snapshot],
        emptyMessage: null,
        focusTree: { runId: SERVICE_FORECASTS_ID, index: 0 },
      },
      runs: [run],
    });
    const p = d.page;
    await p.waitForSelector('#tree-view .tree-node');
    expect(await p.textContent('#dash-title')).toBe('Forecasts from the service');
    expect(await p.$('#section-training')).toBeNull();
    expect(await p.$('#section-eval')).toBeNull();
    expect(await p.$('#btn-refresh')).toBeNull();
    expect(await p.textContent('#tree-view')).toContain('Outcome 1 event at depth 1');
    expect(d.posted).toContainEqual({ type: 'requestTree', ref: { runId: SERVICE_FORECASTS_ID, index: 0 } });
    await p.screenshot({ path: path.join(OUT, 'forecast-tree.png'), fullPage: true });
    expect(d.problems).toEqual([]);
  });
});
