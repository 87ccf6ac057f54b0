// Setup the jobs and runs tests share: the Modal stand-in started for a file (or a describe), a JobService
// whose Modal backend talks to it with test-speed timings, a one-case dataset, and the CLI run in-process.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ModalBackend, createModalClient } from '../../../src/jobs/backends/modal';
import type { ModalBackendOptions } from '../../../src/jobs/backends/modal';
import { JobService } from '../../../src/jobs/jobService';
import type { RunStore } from '../../../src/runs/runStore';
import type { RunKind, RunRecord } from '../../../src/contracts/run';
import { runCliCaptured } from '../../shared/runCli';
import type { CliResult } from '../../shared/runCli';
import { FakeModalServer } from '../../modalServer/server';
import { tempDir } from './builders';
import { aCase, aLevel } from '../cases/builders';

export interface StandInOptions {
  /** Functions of the psychohistory app to deploy once the server is up. */
  deploy: readonly string[];
  /** Put the stand-in's token in MODAL_TOKEN_ID/SECRET (the CLI reads them); otherwise clear them. */
  tokenInEnv?: boolean;
  /** More environment for these tests: a value sets the variable, undefined clears it. */
  env?: Record<string, string | undefined>;
}

/**
 * Starts a FakeModalServer before the enclosing tests (MODAL_SERVER_URL points the SDK at it) and stops it after,
 * restoring the environment as it was when this was called. The server object exists at once, so tests and
 * later hooks can use it directly.
 */
export function useModalStandIn(options: StandInOptions): FakeModalServer {
  const server = new FakeModalServer();
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    process.env['MODAL_SERVER_URL'] = await server.start();
    setEnv({
      MODAL_TOKEN_ID: options.tokenInEnv ? server.credentials.tokenId : undefined,
      MODAL_TOKEN_SECRET: options.tokenInEnv ? server.credentials.tokenSecret : undefined,
      ...options.env,
    });
    for (const fn of options.deploy) server.deploy('psychohistory', fn);
  });
  afterAll(async () => {
    await server.stop();
    process.env = savedEnv;
  });
  return server;
}

function setEnv(vars: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

type Timings = Pick<ModalBackendOptions, 'eventPollMs' | 'logGraceMs' | 'backfillRetryMs' | 'backfillIdleMs'>;

export interface ModalServiceOptions extends Timings {
  credentials: { tokenId: string; tokenSecret: string };
  /** The backend's follow-failure warnings (the shell's FollowWarnings). */
  warn?: (runId: string, message: string) => void;
}

/** A JobService with a Modal backend on the stand-in, polling fast; `logs` collects what the backend logs. */
export function modalService(store: RunStore, options: ModalServiceOptions): { jobs: JobService; logs: string[] } {
  const { credentials, warn, ...timings } = options;
  const jobs = new JobService(store);
  const logs: string[] = [];
  jobs.addBackend(
    new ModalBackend({
      store,
      client: () => createModalClient(credentials),
      resultPollMs: 500,
      eventPollMs: 2000,
      logGraceMs: 300,
      passivePollMs: 100,
      retryBaseMs: 50,
      ...timings,
      hooks: { changed: (id, ev) => jobs.notify(id, ev), log: (m) => logs.push(m), ...(warn ? { warn } : {}) },
    }),
  );
  return { jobs, logs };
}

/** A dataset file of one minimal case, in a fresh temp folder. */
export function oneCaseDataset(): string {
  const file = path.join(tempDir(), 'train.cases.jsonl');
  fs.writeFileSync(file, '{"id":"c1","seed":{"event":"e","date":"2024-01-01"},"levels":[]}\n');
  return file;
}

/** A Modal run of `kind` on a fresh one-case dataset; `config` adds to the dataset. */
export function launchOnModal(
  jobs: JobService,
  kind: RunKind,
  config: Record<string, unknown> = {},
): Promise<RunRecord> {
  return jobs.launch({ kind, backend: 'modal', config: { dataset: oneCaseDataset(), ...config } });
}

/** The Modal function call a run was spawned as ('' while it has none). */
export function callIdOf(store: RunStore, runId: string): string {
  return store.read(runId)?.modal?.functionCallId ?? '';
}

/** One valid two-candidate case, as a line: what the launch tests train on. */
export const GOOD_CASE = JSON.stringify(aCase({ id: 'c1', levels: [aLevel(1, ['Stock drops', 'IPO delayed'])] }));

/** A fresh workspace folder holding cases/train.jsonl (GOOD_CASE); the caller adds its training/ folder. */
export function caseWorkspace(prefix: string): string {
  const root = tempDir(prefix);
  fs.mkdirSync(path.join(root, 'cases'));
  fs.writeFileSync(path.join(root, 'cases', 'train.jsonl'), `${GOOD_CASE}\n`);
  return root;
}

/** The argv of a launch on caseWorkspace's dataset; the caller appends its options. */
export function launchArgs(kind: string, backend: 'local' | 'modal'): string[] {
  return ['launch', kind, '--backend', backend, '--dataset', 'cases/train.jsonl'];
}

/** Runs the `psychohistory` CLI in-process in `cwd`, reading files relative to it; returns its exit code and output. */
export function runCliIn(cwd: string, ...argv: string[]): Promise<CliResult> {
  return runCliCaptured(argv, { readFile: async (p) => fs.readFileSync(path.resolve(cwd, p), 'utf8'), cwd });
}
