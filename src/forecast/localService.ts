// The forecast service on this machine: `python -m psychohistory serve` as a child process (the same
// interpreter and training folder local jobs use), on a free loopback port, with a token made for
// this start only (never written anywhere: the child gets it in PSYCHOHISTORY_TOKENS). Ready when it
// has printed its address and GET /healthz answers; stopped with SIGTERM, then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunStore } from '../runs/runStore';
import { adapterChoices } from '../jobs/launchConfig';
import { ForecastClient } from './client';

export interface ModelChoice {
  label: string;
  detail: string;
  baseModel: string;
  /** Adapter folder; '' = the base model alone. */
  adapter: string;
}

/** Finished local SFT/GRPO runs whose adapter is on disk (each with the base it was trained on), then the bare base. */
export function localModelChoices(store: RunStore, defaultBase: string): ModelChoice[] {
  const out: ModelChoice[] = [];
  for (const a of adapterChoices(store, 'local')) {
    const adapter = path.isAbsolute(a.path) ? a.path : path.resolve(path.dirname(path.dirname(store.root)), a.path);
    if (!fs.existsSync(path.join(adapter, 'adapter_config.json'))) continue;
    const base = store.read(a.runId)?.config['base_model'];
    const baseModel = typeof base === 'string' && base ? base : defaultBase;
    out.push({
      label: a.runId,
      detail: `${a.kind.toUpperCase()} adapter on ${baseModel} · ${adapter}`,
      baseModel,
      adapter,
    });
  }
  out.push({
    label: defaultBase,
    detail: 'the base model alone (psychohistory.service.baseModel, else psychohistory.baseModel)',
    baseModel: defaultBase,
    adapter: '',
  });
  return out;
}

export function serveArgs(o: { baseModel: string; adapter: string; db: string; extra: readonly string[] }): string[] {
  return [
    '-m',
    'psychohistory',
    'serve',
    '--host=127.0.0.1',
    '--port=0',
    `--base_model=${o.baseModel}`,
    ...(o.adapter ? [`--adapter=${o.adapter}`] : []),
    `--db=${o.db}`,
    ...o.extra,
  ];
}

/** The service's start line: `serving <versions> on http://host:port`. */
export function parseServing(line: string): { url: string; models: string[] } | undefined {
  const m = /serving (.*) on (http:\/\/\S+)/.exec(line);
  return m ? { url: m[2]!, models: m[1]!.split(', ') } : undefined;
}

export interface StartOptions {
  python: string;
  cwd: string;
  args: string[];
  env?: Record<string, string>;
  /** Each chunk of the child's stdout and stderr as it arrives. */
  output: (text: string) => void;
  /** Give up after this long (loading a real base on a CPU takes a while). */
  readyTimeoutMs: number;
  /** The service ended after it was ready without being stopped (a crash, a kill): exit code or signal. */
  onUnexpectedExit?: (how: string) => void;
}

export interface Running {
  url: string;
  token: string;
  models: string[];
  pid: number;
}

export class LocalService {
  private child: ChildProcess | undefined;
  private info: Running | undefined;

  get running(): Running | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.info : undefined;
  }

  /** Starts the service and resolves once it answers /healthz; rejects with the output's tail if it exits or times out. */
  start(o: StartOptions): Promise<Running> {
    if (this.child) throw new Error('The local forecast service is already running; stop it first.');
    const token = randomBytes(24).toString('hex');
    const child = spawn(o.python, o.args, {
      cwd: o.cwd,
      env: {
        ...process.env,
        ...o.env,
        PSYCHOHISTORY_TOKENS: token,
        PYTHONUNBUFFERED: '1',
        TOKENIZERS_PARALLELISM: 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let tail = '';
    let buffered = '';
    return new Promise<Running>((resolve, reject) => {
      let settled = false;
      const fail = (why: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.stop();
        reject(new Error(`${why}${tail.trim() ? `\n${tail.trim().split('\n').slice(-8).join('\n')}` : ''}`));
      };
      const timer = setTimeout(
        () => fail(`The local forecast service did not answer within ${Math.round(o.readyTimeoutMs / 1000)} s.`),
        o.readyTimeoutMs,
      );
      const onData = (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        o.output(text);
        tail = (tail + text).slice(-4000);
        if (settled) return;
        buffered = (buffered + text).slice(-8000); // the start line is short; model-loading chatter is not kept
        const serving = buffered
          .split('\n')
          .map(parseServing)
          .find((s) => s !== undefined);
        if (!serving) return;
        buffered = '';
        const client = new ForecastClient({ url: serving.url, token, timeoutMs: 10_000, local: true });
        void client.health().then(
          (h) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            this.info = { url: serving.url, token, models: h.models, pid: child.pid ?? -1 };
            resolve(this.info);
          },
          (err: unknown) =>
            fail(
              `The local forecast service printed its address but /healthz failed: ${err instanceof Error ? err.message : String(err)}`,
            ),
        );
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      child.on('error', (err) =>
        fail(
          `Could not start ${o.python}: ${err.message}. Set psychohistory.python to a Python with the training package installed.`,
        ),
      );
      child.on('exit', (code, signal) => {
        const how = signal ?? `code ${code}`;
        // Still ours: nobody called stop(), so it ended on its own.
        const unexpected = this.child === child;
        if (unexpected) {
          this.child = undefined;
          this.info = undefined;
        }
        if (settled && unexpected) o.onUnexpectedExit?.(how);
        fail(`The local forecast service exited (${how}) before it was ready.`);
      });
    });
  }

  /** SIGTERM now, SIGKILL after `graceMs` if it is still there. */
  stop(graceMs = 5000): void {
    const child = this.child;
    this.child = undefined;
    this.info = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const kill = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, graceMs);
    kill.unref();
    child.once('exit', () => clearTimeout(kill));
  }
}
