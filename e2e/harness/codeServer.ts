// Runs code-server — a real VS Code workbench served over HTTP — with throwaway user-data and
// extension folders, the built VSIX installed and workspace trust off. The server runs in its own
// process group so that stopping it also stops the VS Code server and extension host it forks,
// and a process-exit hook kills whatever is still running when the test process dies early.
import { spawn, execFile } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { codeServerEntry, node24, outputDir, vsixPath } from './paths.ts';

const run = promisify(execFile);

/** User settings for a quiet, deterministic workbench. */
const userSettings = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'editor.minimap.enabled': false,
  'window.restoreWindows': 'none',
  // The walkthrough would open over the editor on the first activation; only its own scenario wants it.
  'psychohistory.showWalkthrough': false,
};

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  // The group may outlive its leader, so this does not check whether `child` itself has exited.
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Kills processes still working inside `root`: jobs that the extension starts detached (local
 * training runs get their own process group so they survive an editor reload) are found by the
 * temporary folder on their command line.
 */
async function killStragglers(root: string): Promise<void> {
  if (process.platform !== 'linux') return;
  for (const pid of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(root)) continue;
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Exited meanwhile.
    }
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolvePort(address.port);
        else reject(new Error('no port'));
      });
    });
  });
}

/**
 * code-server's argv serving `folder` on `bindAddr`, after `common` (config, user data and extension
 * folders): no auth, telemetry, update check, workspace trust prompt or welcome page.
 */
export function serveArgs(common: string[], bindAddr: string, folder: string): string[] {
  return [
    codeServerEntry,
    ...common,
    '--auth',
    'none',
    '--bind-addr',
    bindAddr,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    folder,
  ];
}

export interface CodeServerOptions {
  /** Names the log file and the temporary folder. */
  name: string;
  /** Folder copied as the workspace; the copy is what VS Code opens. */
  workspaceSource: string;
  /** Extra user settings merged over the defaults. */
  settings?: Record<string, unknown>;
  /**
   * Symlinks placed beside the workspace copy, name → target, so that relative paths in the
   * workspace settings (e.g. "../training") resolve as they do in the repository.
   */
  siblings?: Record<string, string>;
  /** Install the VSIX (default true). */
  installVsix?: boolean;
  /** Extra environment for code-server, which its extension host inherits (e.g. MODAL_SERVER_URL). */
  env?: Record<string, string>;
}

export interface CodeServer {
  url: string;
  workspace: string;
  /** The workbench URL with the workspace folder open. */
  folderUrl: string;
  logFile: string;
  stop(): Promise<void>;
}

async function waitForHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = String(err);
    }
    // Poll interval, not a synchronization sleep: the loop ends on the server's own answer.
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`code-server at ${url} not healthy after ${timeoutMs} ms: ${lastError}`);
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  for (const needed of [node24, codeServerEntry]) {
    if (!existsSync(needed)) throw new Error(`${needed} is missing: run e2e/setup.sh (or scripts/setup.sh) first`);
  }
  const root = await mkdtemp(join(tmpdir(), `ph-e2e-${options.name}-`));
  const userData = join(root, 'user-data');
  const extensions = join(root, 'extensions');
  const workspace = join(root, 'workspace');
  await mkdir(join(userData, 'User'), { recursive: true });
  await mkdir(extensions, { recursive: true });
  await writeFile(
    join(userData, 'User/settings.json'),
    JSON.stringify({ ...userSettings, ...options.settings }, null, 2),
  );
  await cp(options.workspaceSource, workspace, { recursive: true });
  for (const [name, target] of Object.entries(options.siblings ?? {})) await symlink(target, join(root, name));
  await mkdir(join(outputDir, 'logs'), { recursive: true });
  const logFile = join(outputDir, 'logs', `${options.name}.code-server.log`);

  // Its own config file, so code-server neither reads nor writes ~/.config/code-server.
  const config = join(root, 'config.yaml');
  await writeFile(config, 'auth: none\ncert: false\n');
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  if (options.installVsix !== false) {
    if (!existsSync(vsixPath))
      throw new Error(`${vsixPath} is missing: run \`npm run package\` at the repository root first`);
    await run(node24, [codeServerEntry, ...common, '--install-extension', vsixPath], { timeout: 120_000 });
  }

  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(logFile);
  const child = spawn(node24, serveArgs(common, `127.0.0.1:${port}`, workspace), {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env, PASSWORD: undefined },
  });
  live.add(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const stop = async (): Promise<void> => {
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    // Children that outlived the leader (extension host, file watcher) share its group.
    killGroup(child, 'SIGKILL');
    await killStragglers(root);
    live.delete(child);
    log.end();
    // PSYCHOHISTORY_E2E_KEEP=1 keeps the workspace copy and user data for a post-mortem.
    if (process.env.PSYCHOHISTORY_E2E_KEEP === '1') process.stderr.write(`kept ${root}\n`);
    else await rm(root, { recursive: true, force: true, maxRetries: 3 });
  };

  try {
    await waitForHealthy(url, child, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  const folderUrl = `${url}/?folder=${encodeURIComponent(workspace)}`;
  return { url, workspace, folderUrl, logFile, stop };
}
