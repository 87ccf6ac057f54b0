// `npm start`: serves the packaged extension in a real VS Code (code-server) on the example
// workspace and prints the URL; stays in the foreground until Ctrl-C, then stops code-server.
// Unlike the tests, it opens examples/ itself (edits persist) and keeps user data between starts
// under .psychohistory-tmp/code-server, so settings and open editors survive a restart.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { freeLoopbackPort, serveArgs } from './harness/codeServer.ts';
import { codeServerEntry, examplesDir, node24, repoRoot, vsixPath } from './harness/paths.ts';

const state = join(repoRoot, '.psychohistory-tmp/code-server');
const userData = join(state, 'user-data');
const extensions = join(state, 'extensions');
mkdirSync(join(userData, 'User'), { recursive: true });
mkdirSync(extensions, { recursive: true });
const settings = join(userData, 'User/settings.json');
if (!existsSync(settings)) {
  writeFileSync(
    settings,
    JSON.stringify(
      {
        'security.workspace.trust.enabled': false,
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
      },
      null,
      2,
    ),
  );
}
const config = join(state, 'config.yaml');
writeFileSync(config, 'auth: none\ncert: false\n');
const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];

execFileSync(node24, [codeServerEntry, ...common, '--force', '--install-extension', vsixPath], { stdio: 'inherit' });

const port = process.env.PORT ? Number(process.env.PORT) : await freeLoopbackPort();
const host = process.env.HOST ?? '127.0.0.1';
const child = spawn(node24, serveArgs(common, `${host}:${port}`, examplesDir), {
  stdio: ['ignore', 'pipe', 'inherit'],
  detached: true,
});
let announced = false;
child.stdout?.on('data', (chunk: Buffer) => {
  process.stdout.write(chunk);
  if (!announced && /HTTP server listening/.test(chunk.toString())) {
    announced = true;
    const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/?folder=${encodeURIComponent(examplesDir)}`;
    process.stdout.write(`\n  PsychoHistory is running in VS Code at:\n\n    ${url}\n\n  Press Ctrl-C to stop.\n\n`);
  }
});
const stop = (): void => {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
  } catch {
    // Already gone.
  }
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
child.on('exit', (code) => process.exit(code ?? 0));
