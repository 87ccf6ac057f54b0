// The case table webview in headless Chromium, for the render script (caseTable.render.ts) and the
// vitest render tests: the built bundle under the CSP page the extension serves, in one of the
// render themes, with the real TableController over an in-memory document (with undo) as its host,
// bridged the way VS Code bridges a webview: postMessage both ways.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildWebview } from '../../../scripts/webviewBuild.mjs';
import { chromium } from 'playwright-core';
import { chromiumArgs } from '../../../e2e/harness/chromium';
import type { Browser, Page } from 'playwright-core';
import { TableController } from '../../../src/caseTable/controller';
import type { UiPort } from '../../../src/caseTable/controller';
import { caseTablePage } from '../../../src/caseTable/html';
import type { HostToWebview } from '../../../src/caseTable/protocol';
import { MemoryDocument } from '../../unit/caseTable/memoryDocument';
import { themePage, type ThemeName } from '../themes';

const root = resolve(__dirname, '../../..');
const bundle = resolve(root, 'dist/webview/caseTable.js');
const NONCE = 'rendertestnonce0123456789abcdefgh';

// Every render test's headless Chromium (the dashboard and monitoring harnesses launch it from here too).
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: chromiumArgs });
}

/** The bundle as scripts/build.mjs builds it (scripts/webviewBuild.mjs). */
export async function buildCaseTableBundle(): Promise<void> {
  await buildWebview('caseTable');
}

export interface CaseTableSession {
  page: Page;
  doc: MemoryDocument;
  /** Page errors, console errors and warnings seen so far. */
  errors: string[];
  /** Lines the host was asked to open in the text editor. */
  openedInText: number[];
  firstPaintMs: number;
  /** Resolves once every message the host has posted so far reached the page. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

export interface CaseTableOptions {
  theme?: ThemeName;
  viewport?: { width: number; height: number };
  /** Delay before each host message reaches the page: a busy extension host, for races. */
  hostDelayMs?: number;
}

export async function openCaseTable(
  browser: Browser,
  text: string,
  o: CaseTableOptions = {},
): Promise<CaseTableSession> {
  const server = createServer((req, res) => {
    if (req.url === '/caseTable.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' });
      res.end(readFileSync(bundle));
      return;
    }
    const { port } = server.address() as AddressInfo;
    const html = caseTablePage({
      cspSource: `http://127.0.0.1:${port}`,
      scriptUri: `http://127.0.0.1:${port}/caseTable.js`,
      nonce: NONCE,
      title: 'Case table',
    });
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(themePage(html, NONCE, o.theme ?? 'dark'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;

  const page = await browser.newPage({ viewport: o.viewport ?? { width: 1400, height: 800 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });

  const doc = new MemoryDocument(text);
  const openedInText: number[] = [];
  let chain = Promise.resolve();
  const ui: UiPort = {
    post: (m: HostToWebview) => {
      chain = chain
        .then(() => (o.hostDelayMs ? new Promise((r) => setTimeout(r, o.hostDelayMs)) : undefined))
        .then(() =>
          page.evaluate(
            (msg) => (globalThis as unknown as { postMessage(m: unknown, o: string): void }).postMessage(msg, '*'),
            m,
          ),
        )
        .catch(() => {});
    },
    notify: () => {},
    log: () => {},
    openInText: async (line: number) => {
      openedInText.push(line);
    },
  };
  const controller = new TableController(doc, ui);
  doc.onChange = (changes) => controller.documentChanged(changes);
  await page.exposeFunction('__caseTableToHost', (m: unknown) => controller.receive(m));
  // A string, not a function: tsx would wrap a function with helpers the page does not have.
  await page.addInitScript(`
    let state;
    window.acquireVsCodeApi = () => ({
      postMessage: (m) => window.__caseTableToHost(m),
      getState: () => state,
      setState: (s) => { state = s; },
    });`);
  const started = Date.now();
  await page.goto(`http://127.0.0.1:${port}/`);
  await page
    .locator('[data-line="0"]')
    .waitFor({ timeout: 15_000 })
    .catch((err: unknown) => {
      throw new Error(`no first paint: ${String(err)}\n${errors.join('\n')}`);
    });
  const firstPaintMs = Date.now() - started;
  return {
    page,
    doc,
    errors,
    openedInText,
    firstPaintMs,
    settled: () => chain,
    close: async () => {
      controller.dispose();
      await page.close();
      server.close();
    },
  };
}
