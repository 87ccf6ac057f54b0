// The project's OpenRouter stand-in (test/openrouterServer) for a session, in a child process under tsx
// (Node 24's type stripping cannot load its TypeScript). Its scripted world answers the data agents;
// the session points the extension at `baseURL` through the setting psychohistory.agents.baseUrl, and
// the key it accepts is set in the editor with Set OpenRouter Key, as a user would.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { outputDir, repoRoot } from './paths.ts';

export interface OpenRouterStandIn {
  baseURL: string;
  key: string;
  stop(): Promise<void>;
}

export async function startOpenRouterStandIn(name: string): Promise<OpenRouterStandIn> {
  await mkdir(join(outputDir, 'logs'), { recursive: true });
  const log = createWriteStream(join(outputDir, 'logs', `${name}.openrouter-stand-in.log`));
  const key = 'sk-or-e2e-key';
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/openrouterServer/child.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '', OPENROUTER_STAND_IN_KEY: key },
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const baseURL = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the OpenRouter stand-in did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the OpenRouter stand-in exited (${code}) before it was ready`)));
    child.on('message', (m: { type?: string; baseURL?: string }) => {
      if (m.type === 'ready' && m.baseURL) {
        clearTimeout(timer);
        resolve(m.baseURL);
      }
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    log.end();
    throw err;
  });
  return {
    baseURL,
    key,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      log.end();
    },
  };
}
