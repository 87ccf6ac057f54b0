// The project's Modal stand-in (test/modalServer: a gRPC server speaking Modal's API to the real `modal`
// JS SDK) for a session: started in a child process with tsx, since Node 24's type stripping cannot load
// the stand-in's TypeScript, and scripted over IPC. `env` is what code-server passes on to the extension
// host so that its Modal client talks to the stand-in (MODAL_SERVER_URL and a token the stand-in accepts).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { StandInCall, StandInReady, StandInReply, StandInRequest } from '../../test/modalServer/childProtocol.ts';
import { outputDir, repoRoot } from './paths.ts';

export type { StandInCall };

/** Requests without their id, as callers write them. */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;
type Request = WithoutId<StandInRequest>;

export interface ModalStandIn {
  /** Environment for code-server (and so the extension host). */
  env: Record<string, string>;
  /** Every function call so far, oldest first. */
  calls(): Promise<StandInCall[]>;
  /** The function of this run puts events: appended to its record and put on the live queue, as jobs.run does. */
  emit(runId: string, events: unknown[]): Promise<void>;
  /** The function returns `result`. */
  complete(callId: string, result: unknown): Promise<void>;
  /** The function prints a line. */
  log(callId: string, data: string): Promise<void>;
  /** Waits for a call that `accept` takes (polling the stand-in), or throws after `timeoutMs`. */
  waitForCall(accept: (call: StandInCall) => boolean, what: string, timeoutMs?: number): Promise<StandInCall>;
  stop(): Promise<void>;
}

export async function startModalStandIn(name: string): Promise<ModalStandIn> {
  await mkdir(join(outputDir, 'logs'), { recursive: true });
  const log = createWriteStream(join(outputDir, 'logs', `${name}.modal-stand-in.log`));
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/modalServer/child.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  child.on('exit', (code) => {
    for (const p of pending.values()) p.reject(new Error(`the Modal stand-in exited (${code})`));
    pending.clear();
  });

  const ready = await new Promise<StandInReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Modal stand-in did not start within 60 s')), 60_000);
    child.once('exit', (code) =>
      reject(new Error(`the Modal stand-in exited (${code}) before it was ready; see its log in test-output/e2e/logs`)),
    );
    child.on('message', (message: StandInReady | StandInReply) => {
      if ('type' in message) {
        clearTimeout(timer);
        resolve(message);
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) waiter?.resolve(message.value);
      else waiter?.reject(new Error(`Modal stand-in: ${message.error}`));
    });
  }).catch(async (err: unknown) => {
    child.kill('SIGKILL');
    await exited;
    log.end();
    throw err;
  });

  const ask = (request: Request): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...request, id } as StandInRequest);
    });

  const calls = async () => (await ask({ op: 'calls' })) as StandInCall[];
  return {
    env: { MODAL_SERVER_URL: ready.url, MODAL_TOKEN_ID: ready.tokenId, MODAL_TOKEN_SECRET: ready.tokenSecret },
    calls,
    emit: async (runId, events) => void (await ask({ op: 'emit', runId, events })),
    complete: async (callId, result) => void (await ask({ op: 'complete', callId, result })),
    log: async (callId, data) => void (await ask({ op: 'log', callId, data })),
    async waitForCall(accept, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = (await calls()).find(accept);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`the Modal stand-in never received ${what} within ${timeoutMs} ms`);
        // Poll interval of a condition wait, bounded by the deadline.
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
    },
  };
}
