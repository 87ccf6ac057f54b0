/// <reference lib="dom" />
// Render-test harness: builds the dashboard webview bundle exactly as scripts/build.mjs does
// (scripts/webviewBuild.mjs),
// serves it over local HTTP with the real host HTML (CSP and nonce included), fakes
// `acquireVsCodeApi`, and plays the host: answers `ready` and `requestTree` from run folders read
// with the same reader the extension uses. Headless Debian chromium through playwright-core, in
// one of the render themes (./themes.ts: VS Code's own variable sets).
import { createServer, type Server } from 'node:http';
import { readFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { buildWebview } from '../../scripts/webviewBuild.mjs';
import { launchBrowser } from './caseTable/session';
import { renderDashboardHtml, makeNonce } from '../../src/dashboard/html';
import type { DashboardState, HostToWebview, WebviewToHost } from '../../src/dashboard/protocol';
import { loadRun, type LoadedRun } from '../../src/dashboard/runSnapshot';
import { afterAll, beforeAll } from 'vitest';
import { writeFixtures } from './fixtures';
import { themePage, type ThemeName } from './themes';

export const OUT_DIR = path.resolve('test-output/render');
const BUNDLE = path.resolve('dist/webview/dashboard.js');

export async function buildBundle(): Promise<void> {
  await buildWebview('dashboard');
}

export type { ThemeName } from './themes';

export interface Harness {
  browser: Browser;
  origin: string;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  await buildBundle();
  mkdirSync(OUT_DIR, { recursive: true });
  const codicons = path.resolve(
    existsSync('dist/codicons/codicon.css') ? 'dist/codicons' : 'node_modules/@vscode/codicons/dist',
  );
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end();
      return;
    }
    const page = pages.get(url.pathname);
    if (page) {
      res.writeHead(200, { 'content-type': 'text/html' }).end(page);
      return;
    }
    const file = url.pathname.startsWith('/webview/')
      ? path.join(path.dirname(BUNDLE), url.pathname.slice(9))
      : url.pathname.startsWith('/codicons/')
        ? path.join(codicons, url.pathname.slice(10))
        : null;
    if (!file || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.js')
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : file.endsWith('.ttf')
          ? 'font/ttf'
          : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchBrowser();
  return {
    browser,
    origin,
    async close() {
      await browser.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const pages = new Map<string, string>();
let pageCounter = 0;

export interface FixtureHarness {
  /** The started harness (set before the first test). */
  h: Harness;
  /** The temporary folder holding the fixture runs (./fixtures.ts). */
  runs: string;
  /** A fixture run's folder. */
  dir(name: string): string;
}

/** For the enclosing file: the fixture runs in a fresh temporary folder and a started harness, closed after. */
export function useFixtureHarness(prefix: string): FixtureHarness {
  const fx = { dir: (name: string) => path.join(fx.runs, name) } as FixtureHarness;
  beforeAll(async () => {
    fx.runs = mkdtempSync(path.join(tmpdir(), prefix));
    writeFixtures(fx.runs);
    fx.h = await startHarness();
  });
  afterAll(async () => {
    await fx.h?.close();
  });
  return fx;
}

export interface DashboardPage {
  page: Page;
  /** Messages the webview posted, in order. */
  posted: WebviewToHost[];
  /** CSP violations and page errors seen so far. */
  problems: string[];
  send(msg: HostToWebview): Promise<void>;
}

export interface OpenOptions {
  state: DashboardState;
  runs: LoadedRun[];
  theme?: ThemeName;
  /** What getState() returns at load (a panel shown again). */
  saved?: unknown;
  width?: number;
}

/** Opens the dashboard as VS Code would and answers it as the host does. */
export async function openDashboard(h: Harness, o: OpenOptions): Promise<DashboardPage> {
  const nonce = makeNonce();
  const html = renderDashboardHtml({
    cspSource: h.origin,
    nonce,
    scriptUri: `${h.origin}/webview/dashboard.js`,
    codiconCssUri: `${h.origin}/codicons/codicon.css`,
    title: 'Dashboard',
  });
  const fake = `<script nonce="${nonce}">
    window.__saved = ${JSON.stringify(o.saved ?? null)};
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__toHost(m),
      getState: () => window.__saved ?? undefined,
      setState: (s) => { window.__saved = s; },
    });
  </script>`;
  const doc = themePage(html, nonce, o.theme ?? 'dark').replace(/(<body[^>]*>)/, `$1${fake}`);
  const route = `/page-${++pageCounter}.html`;
  pages.set(route, doc);
  const page = await h.browser.newPage({ viewport: { width: o.width ?? 1280, height: 900 } });
  const posted: WebviewToHost[] = [];
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  const send = async (msg: HostToWebview): Promise<void> => {
    await page.evaluate((m) => window.postMessage(m, '*'), msg);
  };
  await page.exposeFunction('__toHost', async (msg: WebviewToHost) => {
    posted.push(msg);
    if (msg.type === 'ready') await send({ type: 'state', state: o.state });
    if (msg.type === 'requestTree') {
      const run = o.runs.find((r) => r.snapshot.id === msg.ref.runId);
      const tree = run?.trees[msg.ref.index] ?? null;
      await send({ type: 'tree', ref: msg.ref, tree, error: tree ? null : 'no such tree' });
    }
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  await page.goto(`${h.origin}${route}`);
  await page.waitForSelector('#dashboard-root[aria-busy="false"]');
  return { page, posted, problems, send };
}

/** The dashboard on these run folders as the extension opens it: run mode for one, compare for several. */
export async function openRuns(h: Harness, dirs: string[], o: Partial<OpenOptions> = {}): Promise<DashboardPage> {
  const loaded = await loadRuns(dirs);
  return openDashboard(h, { state: stateOf(loaded), runs: loaded, ...o });
}

export async function loadRuns(dirs: string[]): Promise<LoadedRun[]> {
  return Promise.all(dirs.map((d) => loadRun(d)));
}

export function stateOf(
  runs: LoadedRun[],
  mode: DashboardState['mode'] = runs.length > 1 ? 'compare' : 'run',
): DashboardState {
  return { mode, runs: runs.map((r) => structuredClone(r.snapshot)), emptyMessage: null, focusTree: null };
}

export async function screenshot(p: Page, name: string): Promise<string> {
  const file = path.join(OUT_DIR, `${name}.png`);
  await p.screenshot({ path: file, fullPage: true });
  return file;
}
