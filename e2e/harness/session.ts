// One end-to-end session: code-server on a fresh copy of the example workspace with the VSIX
// installed, and headless Debian Chromium showing its workbench. `useSession` wires it into
// node:test so that `after` stops both even when a test (or the start itself) fails, and
// `scenario` keeps a screenshot of every scenario, passed or failed, as <name>.png.
import { after, before, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { chromiumArgs } from './chromium.ts';
import { startCodeServer } from './codeServer.ts';
import type { CodeServer, CodeServerOptions } from './codeServer.ts';
import { chromiumPath, examplesDir, trainingDir } from './paths.ts';
import { Workbench } from './workbench.ts';

export interface Session {
  server: CodeServer;
  browser: Browser;
  page: Page;
  vscode: Workbench;
  close(): Promise<void>;
}

export async function startSession(options: Partial<CodeServerOptions> & { name: string }): Promise<Session> {
  // The example workspace's settings name "../training": the copy gets the same sibling.
  const server = await startCodeServer({
    workspaceSource: examplesDir,
    siblings: { training: trainingDir },
    ...options,
  });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: chromiumArgs,
      headless: true,
      timeout: 60_000,
    });
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(server.folderUrl);
    const vscode = new Workbench(page);
    await vscode.ready();
    const opened = browser;
    return {
      server,
      browser: opened,
      page,
      vscode,
      async close() {
        await opened.close().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (err) {
    await browser?.close().catch(() => undefined);
    await server.stop();
    throw err;
  }
}

/**
 * A stand-in server, then one session whose options may name it, for the enclosing `describe`; after
 * the tests the session closes, then the stand-in stops. The getters throw if a start failed.
 */
export function useSessionWith<T extends { stop(): Promise<void> }>(
  startStandIn: () => Promise<T>,
  options: (standIn: T) => Partial<CodeServerOptions> & { name: string },
  startTimeoutMs = 240_000,
): { session: () => Session; standIn: () => T } {
  let standIn: T | undefined;
  let session: Session | undefined;
  before(
    async () => {
      standIn = await startStandIn();
      session = await startSession(options(standIn));
    },
    { timeout: startTimeoutMs },
  );
  after(
    async () => {
      await session?.close();
      await standIn?.stop();
    },
    { timeout: 60_000 },
  );
  return {
    session: () => {
      if (!session) throw new Error('the VS Code session did not start');
      return session;
    },
    standIn: () => {
      if (!standIn) throw new Error('the stand-in did not start');
      return standIn;
    },
  };
}

/** Starts one session for the enclosing `describe`; the getter throws if the start failed. */
export function useSession(options: Partial<CodeServerOptions> & { name: string }): () => Session {
  return useSessionWith(
    async () => ({ stop: async () => undefined }),
    () => options,
  ).session;
}

/** A test that screenshots the workbench into <outputDir>/<name>.png however it ends. */
export function scenario(
  name: string,
  get: () => Session,
  body: (s: Session) => Promise<void>,
  timeoutMs = 300_000,
): void {
  it(name, { timeout: timeoutMs }, async () => {
    const s = get();
    try {
      await body(s);
    } finally {
      await s.vscode.screenshot(name).catch(() => undefined);
    }
  });
}
