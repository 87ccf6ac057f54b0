// Modal backend, on the `modal` JS SDK (0.11.x). Launch = look up the deployed function of the
// `psychohistory` app by name and spawn it with the run's config; the FunctionCall id goes into
// run.json so any window (or the CLI) can reattach later. Two loops follow a run:
//   - events: the run's partition of the `psychohistory-events` Queue, appended to metrics.jsonl.
//     The queue is only a live window (5,000 items a partition, cleared when full, gone a day after
//     the last put): each item names the record lines it carries, and whatever it misses is read
//     from the record on the Volume through the app's read_run function (modalEvents.ts), so every
//     event is written once, across restarts and reloads;
//   - result: FunctionCall.get with a bounded wait, repeated until the function returns or fails.
//     The recorded end is the job's own: the returned dict's `state` ("failed" with `error`,
//     "cancelled"), a Modal timeout, or a call terminated elsewhere (dashboard, another window, the
//     CLI), told apart from a crash by the call's info. The end is written only after the last
//     events are on disk, so a reader that sees a terminal state sees every event;
//   - logs: FunctionCall.logs.stream() appended to logs.txt; a cursor file (last timestamp and the
//     lines seen at it) keeps a restarted stream, or a reattach after reload, from repeating lines.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FunctionCall, Function_, ModalClient, Queue } from 'modal';
import type { RunKind, RunRecord } from '../../contracts/run';
import type { MetricEvent } from '../../contracts/metrics';
import type { RunStore } from '../../runs/runStore';
import { writeFileAtomic } from '../../runs/runStore';
import { parseMetricEvent } from '../../runs/metricsFile';
import { isTerminal, elapsedSeconds } from '../stateMachine';
import { costOf } from '../cost';
import { JobError, classifyModalError, messageOf } from '../errors';
import type { BackendHooks, JobBackend, Watch } from '../backend';
import { sleep } from '../backend';
import { FollowLease } from '../lease';
import { EventCopier, queueBatchOf, recordPageOf } from './modalEvents';
import type { RecordPage } from './modalEvents';
import { loadModalSdk } from './modalSdk';

export const MODAL_APP = 'psychohistory';
export const MODAL_EVENTS_QUEUE = 'psychohistory-events';
/** The app's function that serves a run's record from a byte offset (training/modal_app.py read_run). */
export const MODAL_READ_RUN = 'read_run';
export const MODAL_FUNCTIONS: Record<RunKind, string> = {
  sft: 'sft',
  grpo: 'grpo',
  eval: 'evaluate',
  generate: 'generate',
};
/** What the deployed functions run on when a run names no GPU (training/modal_app.py GPU). */
export const MODAL_DEFAULT_GPU = 'A100-80GB';

/** The GPU a run asks for: the one spawned with (`withOptions`) and the one priced. */
export function gpuOf(run: Pick<RunRecord, 'config'>): string {
  const gpu = run.config['gpu'];
  return typeof gpu === 'string' && gpu.trim() ? gpu.trim() : MODAL_DEFAULT_GPU;
}

/** How a Modal run ended, as the job itself says. */
export type ModalOutcome =
  { state: 'succeeded' } | { state: 'failed'; error: string } | { state: 'cancelled'; error?: string };

/**
 * The outcome a function's returned dict states: `{"state": "failed", "error": …}` (an unknown config
 * key, a missing volume) is a failure even though the call returned; anything without a state is
 * the old success summary.
 */
export function outcomeOfResult(result: unknown): ModalOutcome {
  if (!result || typeof result !== 'object' || Array.isArray(result)) return { state: 'succeeded' };
  const { state, error } = result as Record<string, unknown>;
  const reason = typeof error === 'string' && error.trim() ? error : undefined;
  if (state === 'failed')
    return { state: 'failed', error: reason ?? 'The Modal function reported failure without a reason.' };
  if (state === 'cancelled') return { state: 'cancelled', ...(reason ? { error: reason } : {}) };
  return { state: 'succeeded' };
}

export interface ModalCredentials {
  tokenId: string;
  tokenSecret: string;
}

/**
 * From SecretStorage when set; otherwise the SDK reads MODAL_TOKEN_ID/SECRET or ~/.modal.toml.
 * `environment` (the psychohistory.modalEnvironment setting) is Modal's environment name for every
 * lookup; empty leaves the profile's (or MODAL_ENVIRONMENT's) default.
 */
export async function createModalClient(credentials?: ModalCredentials, environment?: string): Promise<ModalClient> {
  const env = environment?.trim();
  const { ModalClient } = await loadModalSdk();
  return new ModalClient({
    ...(credentials ? { tokenId: credentials.tokenId, tokenSecret: credentials.tokenSecret } : {}),
    ...(env ? { environment: env } : {}),
  });
}

export type TokenCheck = { ok: true; note?: string } | { ok: false; kind: 'auth' | 'unreachable'; message: string };

/**
 * Is this token good? One cheap authenticated call (looking up the app's SFT function): an auth
 * error refuses the token; "not found" means the token works and the app is not deployed yet;
 * anything else (no network) leaves it undecided.
 */
export async function checkModalToken(client: ModalClient, appName = MODAL_APP): Promise<TokenCheck> {
  try {
    await client.functions.fromName(appName, MODAL_FUNCTIONS.sft);
    return { ok: true };
  } catch (err) {
    const jobError = classifyModalError(err, 'lookup', appName);
    if (jobError.kind === 'auth')
      return { ok: false, kind: 'auth', message: `Modal rejected this token: ${messageOf(err)}` };
    if (jobError.kind === 'app-not-deployed') return { ok: true, note: `the app "${appName}" is not deployed yet` };
    return { ok: false, kind: 'unreachable', message: `Could not reach Modal to check the token: ${messageOf(err)}` };
  }
}

export interface ModalBackendOptions {
  store: RunStore;
  hooks: BackendHooks;
  /** Built lazily so a missing token surfaces on launch, as a JobError with the "Set Modal Token" action. */
  client: () => ModalClient | Promise<ModalClient>;
  appName?: string;
  queueName?: string;
  /** Bound on one FunctionCall.get wait; the loop repeats it. */
  resultPollMs?: number;
  /** How long one pass over the events queue waits for new items before it starts over. */
  eventPollMs?: number;
  /** A follower lease not renewed for this long is taken over (default 30 s). */
  leaseStaleMs?: number;
  /** How often a follower without the lease looks at run.json (default 1 s). */
  passivePollMs?: number;
  /** How long the log stream may still deliver after the result is in. */
  logGraceMs?: number;
  /** First retry delay after a dropped event stream (doubles up to 30 s). */
  retryBaseMs?: number;
  /** How soon after the last read of the record a gap in the queue may read it again (default 10 s). */
  backfillRetryMs?: number;
  /** A queue quiet this long while the run goes on: read the record anyway (default 5 min). */
  backfillIdleMs?: number;
}

/** One identity per event, so an event seen twice (a restarted stream) is written once. */
export function eventKey(event: MetricEvent): string {
  const entries = Object.entries(event).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify(entries);
}

export class ModalBackend implements JobBackend {
  readonly name = 'modal' as const;
  private clientPromise: Promise<ModalClient> | undefined;
  private readRunFn: Promise<Function_> | undefined;
  /** Runs we asked Modal to cancel: their "terminated" result means cancelled, not failed. */
  private readonly cancelling = new Set<string>();

  constructor(private readonly options: ModalBackendOptions) {}

  private get appName(): string {
    return this.options.appName ?? MODAL_APP;
  }

  private async client(): Promise<ModalClient> {
    this.clientPromise ??= Promise.resolve().then(() => this.options.client());
    try {
      return await this.clientPromise;
    } catch (err) {
      this.clientPromise = undefined;
      throw classifyModalError(err, 'lookup', this.appName);
    }
  }

  /** Forget the client (e.g. after the token changed). */
  resetClient(): void {
    this.clientPromise = undefined;
    this.readRunFn = undefined;
  }

  /** What the function receives: the config plus the dataset's text (the file is not on Modal). */
  payloadOf(run: RunRecord): Record<string, unknown> {
    const payload: Record<string, unknown> = { ...run.config, run_id: run.id };
    const dataset = run.config['dataset'];
    if (typeof dataset === 'string' && payload['dataset_text'] === undefined) {
      try {
        payload['dataset_text'] = fs.readFileSync(dataset, 'utf8');
      } catch (err) {
        throw new JobError(`Cannot read the dataset ${dataset}: ${messageOf(err)}`, 'invalid-dataset');
      }
    }
    return payload;
  }

  async start(run: RunRecord): Promise<Watch> {
    const { store, hooks } = this.options;
    if (run.kind === 'collect')
      throw new JobError('collect runs (the data agents) run in the editor or the CLI, not on Modal', 'unknown');
    const functionName = MODAL_FUNCTIONS[run.kind];
    try {
      const client = await this.client();
      let fn;
      try {
        fn = await client.functions.fromName(this.appName, functionName);
      } catch (err) {
        throw classifyModalError(err, 'lookup', this.appName);
      }
      // Cancelled while the launch was on its way (the sidebar offers Cancel on a queued run): spawn nothing.
      const before = store.read(run.id);
      if (!before || isTerminal(before.state)) return { done: Promise.resolve(before), dispose: () => undefined };
      let call: FunctionCall;
      try {
        // Per-call options bind a variant of the function (FunctionBindParams); the GPU of the
        // deployment is only the default.
        const bound = await fn.withOptions({ gpu: gpuOf(run) }).instance();
        call = await bound.spawn([this.payloadOf(run)]);
      } catch (err) {
        throw classifyModalError(err, 'spawn', this.appName);
      }
      // Through the state machine: a run cancelled during the spawn stays cancelled.
      const started = store.update(run.id, (current) => ({
        modal: { appName: this.appName, functionName, functionCallId: call.functionCallId },
        ...(current.state === 'queued' ? { state: 'running' as const, startedAt: new Date().toISOString() } : {}),
      }));
      store.appendLog(
        run.id,
        `Spawned ${this.appName}.${functionName} on Modal (${gpuOf(run)}): ${call.functionCallId}`,
      );
      hooks.changed(run.id);
      if (started && isTerminal(started.state)) {
        // It ended (was cancelled) while the spawn was on its way: stop the call just made.
        try {
          await call.cancel({ terminateContainers: true });
        } catch (err) {
          throw classifyModalError(err, 'cancel', this.appName);
        }
        store.appendLog(run.id, `The run was cancelled during its launch: cancelled ${call.functionCallId}.`);
        hooks.changed(run.id);
        return { done: Promise.resolve(started), dispose: () => undefined };
      }
      return this.follow(started ?? run, call);
    } catch (err) {
      const jobError = err instanceof JobError ? err : classifyModalError(err, 'spawn', this.appName);
      store.appendLog(run.id, `Launch failed: ${jobError.message}`);
      store.setState(run.id, 'failed', { error: jobError.message });
      hooks.changed(run.id);
      throw jobError;
    }
  }

  attach(run: RunRecord): Watch {
    return this.follow(run, undefined);
  }

  /**
   * Follow a run. Only the holder of the run's follower lease copies events and logs (another window
   * or the CLI may follow the same run); the others watch run.json and take over if the holder goes.
   */
  private follow(run: RunRecord, knownCall: FunctionCall | undefined): Watch {
    const { store } = this.options;
    const signal = { stopped: false };
    const lease = new FollowLease(path.join(store.runDir(run.id), '.follower.lock'), this.options.leaseStaleMs);
    const done = (async () => {
      while (!signal.stopped) {
        const current = store.read(run.id);
        if (!current || isTerminal(current.state)) break;
        if (lease.tryAcquire()) {
          const renew = setInterval(() => lease.renew(), 5_000);
          renew.unref?.();
          try {
            const outcome = this.followResult(run, knownCall, signal);
            const resultDone = outcome.then(() => undefined);
            const events = this.followEvents(run, signal, resultDone);
            const logs = this.followLogs(run, knownCall, signal, resultDone);
            const ended = await outcome;
            // Every event first, then the end: whoever sees the terminal state sees all events.
            await events;
            if (ended && !signal.stopped) this.finish(run.id, ended.outcome, ended.result);
            await logs;
          } finally {
            clearInterval(renew);
            lease.release();
          }
          break;
        }
        await sleep(this.options.passivePollMs ?? 1_000);
      }
      return signal.stopped ? undefined : store.read(run.id);
    })();
    return {
      done,
      dispose: () => {
        // The loops check `stopped` before every write, so the lease can go at once.
        signal.stopped = true;
        lease.release();
      },
    };
  }

  private async callOf(run: RunRecord): Promise<FunctionCall> {
    const id = run.modal?.functionCallId;
    if (!id) throw new JobError(`Run ${run.id} has no Modal function call id`, 'not-found');
    const client = await this.client();
    return client.functionCalls.fromId(id);
  }

  /**
   * Wait for the function's result in bounded slices; transient errors back off and retry. Resolves
   * with how the call ended, or undefined when the record already says (or the watch stopped).
   */
  private async followResult(
    run: RunRecord,
    knownCall: FunctionCall | undefined,
    signal: { stopped: boolean },
  ): Promise<{ outcome: ModalOutcome; result?: unknown } | undefined> {
    const { hooks, store } = this.options;
    const { TimeoutError } = await loadModalSdk();
    let call = knownCall;
    let delay = this.options.retryBaseMs ?? 1000;
    while (!signal.stopped) {
      const current = store.read(run.id);
      if (!current || isTerminal(current.state)) return undefined;
      try {
        call ??= await this.callOf(run);
        const result: unknown = await call.get({ timeoutMs: this.options.resultPollMs ?? 30_000 });
        if (signal.stopped) return undefined;
        return { outcome: outcomeOfResult(result), result };
      } catch (err) {
        if (signal.stopped) return undefined;
        if (err instanceof TimeoutError) continue;
        const name = err instanceof Error ? err.name : '';
        if (name === 'FunctionTimeoutError')
          return {
            outcome: { state: 'failed', error: `Timed out on Modal (the function's timeout): ${messageOf(err)}` },
          };
        if (name === 'RemoteError' || name === 'InternalFailure') {
          if (this.cancelling.has(run.id)) return undefined;
          if (await this.wasCancelled(run, messageOf(err))) return { outcome: { state: 'cancelled' } };
          return { outcome: { state: 'failed', error: messageOf(err) } };
        }
        const jobError = classifyModalError(err, 'follow', this.appName);
        hooks.log(`Run ${run.id}: waiting for the Modal result failed (${jobError.message}); retrying`);
        hooks.warn?.(
          run.id,
          `Following run ${run.id} on Modal: waiting for its result failed (${jobError.message}); retrying.`,
        );
        if (jobError.kind === 'not-found')
          return {
            outcome: { state: 'failed', error: `Modal no longer knows this function call: ${jobError.message}` },
          };
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
    return undefined;
  }

  /**
   * A call that ended without a result: was it cancelled (Modal's dashboard, another window, the CLI,
   * `modal app stop`) rather than failed? The SDK reports both as RemoteError, so ask the call's info;
   * if that is not available, go by the message.
   */
  private async wasCancelled(run: RunRecord, message: string): Promise<boolean> {
    const functionCallId = run.modal?.functionCallId ?? '';
    try {
      const { cpClient } = await this.client();
      const from = await cpClient.functionCallFromId({ functionCallId });
      const { info } = await cpClient.functionCallGetInfo({
        functionCallId,
        functionId: from.metadata?.functionId ?? '',
      });
      if (info) return (info.cancelledInputs?.total ?? 0) > 0;
    } catch (err) {
      this.options.hooks.log(`Run ${run.id}: could not read the call's info (${messageOf(err)})`);
    }
    return /\b(cancel|terminat)/i.test(message);
  }

  /** Has the run's call ended already (a result or an error is waiting)? Undecided (no answer) counts as no. */
  private async hasEnded(run: RunRecord): Promise<boolean> {
    const { TimeoutError } = await loadModalSdk();
    try {
      await (await this.callOf(run)).get({ timeoutMs: 0 });
      return true;
    } catch (err) {
      if (err instanceof TimeoutError) return false;
      const name = err instanceof Error ? err.name : '';
      return name === 'RemoteError' || name === 'InternalFailure' || name === 'FunctionTimeoutError';
    }
  }

  private finish(runId: string, outcome: ModalOutcome, result?: unknown): void {
    const { store, hooks } = this.options;
    const current = store.read(runId);
    if (!current || isTerminal(current.state)) return;
    if (result !== undefined && result !== null) store.appendLog(runId, `Result: ${JSON.stringify(result)}`);
    if (outcome.state === 'failed') store.appendLog(runId, `Failed: ${outcome.error}`);
    if (outcome.state === 'cancelled')
      store.appendLog(
        runId,
        `Cancelled on Modal${outcome.error ? `: ${outcome.error}` : ' (from the Modal dashboard, another window or the CLI)'}.`,
      );
    const error = outcome.state === 'succeeded' ? undefined : outcome.error;
    store.setState(runId, outcome.state, {
      ...(error ? { error } : {}),
      cost: current.cost ?? costOfResult(result) ?? this.estimatedCost(current),
    });
    hooks.changed(runId);
  }

  private estimatedCost(run: RunRecord): RunRecord['cost'] {
    const gpu = gpuOf(run);
    const seconds = Math.round(elapsedSeconds({ ...run, endedAt: new Date().toISOString() }));
    return { gpu, seconds, usd: costOf(gpu, seconds) };
  }

  /**
   * Copy the run's events into metrics.jsonl, each once. Live from the queue partition (a dropped
   * stream is restarted from its first item; what is on disk is skipped); from the record, through
   * read_run, wherever the queue has a gap (a full, cleared or expired partition), when the queue has
   * been quiet for a while, and at the end — so the copy is whole whatever reached the queue.
   */
  private async followEvents(run: RunRecord, signal: { stopped: boolean }, resultDone: Promise<void>): Promise<void> {
    const { store, hooks } = this.options;
    const copier = new EventCopier(
      path.join(store.runDir(run.id), '.modal-events-cursor.json'),
      store.readEvents(run.id).items.length,
      (events) => {
        if (signal.stopped) throw new Error('stopped');
        this.applyMany(run.id, events);
        hooks.changed(run.id, events);
      },
    );
    let legacySeen: Set<string> | undefined; // bare events from an app deployed before batches
    let finished = false;
    void resultDone.then(() => {
      finished = true;
    });
    let delay = this.options.retryBaseMs ?? 1000;
    let lastBackfill = -Infinity;
    const followedSince = Date.now(); // a quiet queue reads the record only after backfillIdleMs; a gap or the end at once
    let recordReadable = true;
    /** Read the record from the copier's offset until it has nothing more (or `untilNoGap` and the gap is filled). */
    const backfill = async (untilNoGap: boolean): Promise<boolean> => {
      if (!recordReadable) return true;
      lastBackfill = Date.now();
      try {
        while (!signal.stopped) {
          const from = copier.offset;
          const page = await this.readRecord(run.id, from);
          if (signal.stopped) return true;
          if (!copier.fill(page, from)) continue; // the queue moved on meanwhile: read again from there
          if (page.lines.length === 0 || page.done || (untilNoGap && !copier.hasGap)) return true;
        }
        return true;
      } catch (err) {
        if (signal.stopped) return true;
        if (classifyModalError(err, 'lookup', this.appName).kind === 'not-found' || /not found/i.test(messageOf(err))) {
          recordReadable = false;
          hooks.log(
            `Run ${run.id}: ${this.appName}.${MODAL_READ_RUN} is not deployed (redeploy the app); events the live queue missed cannot be recovered`,
          );
          return true;
        }
        hooks.log(`Run ${run.id}: reading the run's record failed (${messageOf(err)}); trying again later`);
        return false;
      }
    };
    let queue: Queue | undefined;
    const drain = async (pollMs: number, untilResult: boolean): Promise<void> => {
      queue ??= await (
        await this.client()
      ).queues.fromName(this.options.queueName ?? MODAL_EVENTS_QUEUE, { createIfMissing: true });
      for await (const item of queue.iterate({ partition: run.id, itemPollTimeoutMs: pollMs })) {
        if (signal.stopped) return;
        const batch = queueBatchOf(item);
        if (batch) {
          copier.offer(batch);
          if (copier.hasGap && Date.now() - lastBackfill >= (this.options.backfillRetryMs ?? 10_000))
            await backfill(true);
        } else {
          const event = parseMetricEvent(item);
          if (!event) continue;
          legacySeen ??= new Set(store.readEvents(run.id).items.map(eventKey));
          const key = eventKey(event);
          if (legacySeen.has(key)) continue;
          legacySeen.add(key);
          this.applyMany(run.id, [event]);
          hooks.changed(run.id, [event]);
        }
        delay = this.options.retryBaseMs ?? 1000;
        if (untilResult && finished) return;
      }
      // A quiet queue: the partition may be full, cleared or expired while the run goes on.
      if (
        untilResult &&
        !finished &&
        Date.now() - Math.max(lastBackfill, followedSince) >= (this.options.backfillIdleMs ?? 300_000)
      )
        await backfill(false);
    };
    while (!signal.stopped && !finished) {
      try {
        await Promise.race([drain(this.options.eventPollMs ?? 25_000, true), resultDone]);
      } catch (err) {
        if (signal.stopped) return;
        hooks.log(`Run ${run.id}: event stream dropped (${messageOf(err)}); resuming in ${delay} ms`);
        hooks.warn?.(
          run.id,
          `Following run ${run.id} on Modal: the event stream failed (${messageOf(err)}); retrying, live metrics may lag.`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
    if (signal.stopped) return;
    // Final pass: whatever the function put just before returning, then the record to its end.
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await drain(0, false);
        break;
      } catch (err) {
        hooks.log(`Run ${run.id}: final event read failed (${messageOf(err)})`);
        await sleep(delay);
      }
    }
    // The record is read unless the live copy already ends with the run's terminal status (saves a call).
    for (let attempt = 0; attempt < 3 && !copier.complete && !(await backfill(false)); attempt++) await sleep(delay);
  }

  /** One page of the run's record on the Volume, from byte `offset` (the app's read_run function). */
  private async readRecord(runId: string, offset: number): Promise<RecordPage> {
    this.readRunFn ??= this.client().then((client) => client.functions.fromName(this.appName, MODAL_READ_RUN));
    let fn;
    try {
      fn = await this.readRunFn;
    } catch (err) {
      this.readRunFn = undefined;
      throw err;
    }
    return recordPageOf(await fn.remote([{ run_id: runId, offset }]), offset);
  }

  /** Write events in order, folding status and cost events into run.json; plain events in one append. */
  private applyMany(runId: string, events: readonly MetricEvent[]): void {
    let plain: MetricEvent[] = [];
    for (const event of events) {
      if (event.type === 'status' || event.type === 'cost') {
        this.options.store.appendEvents(runId, plain);
        plain = [];
        this.apply(runId, event);
      } else plain.push(event);
    }
    this.options.store.appendEvents(runId, plain);
  }

  /** Copy the call's log stream into logs.txt, once per line even across restarts and reloads. */
  private async followLogs(
    run: RunRecord,
    knownCall: FunctionCall | undefined,
    signal: { stopped: boolean },
    resultDone: Promise<void>,
  ): Promise<void> {
    const { store, hooks } = this.options;
    const cursorFile = path.join(store.runDir(run.id), '.modal-logs-cursor.json');
    let cursor = readCursor(cursorFile);
    let finished = false;
    // Once the result is in, give the stream a moment to deliver the last lines, then stop.
    const grace = resultDone.then(async () => {
      finished = true;
      await sleep(this.options.logGraceMs ?? 500);
      return 'grace' as const;
    });
    let delay = this.options.retryBaseMs ?? 1000;
    while (!signal.stopped) {
      try {
        const call = knownCall ?? (await this.callOf(run));
        const iterator = call.logs.stream()[Symbol.asyncIterator]();
        for (;;) {
          const next = await Promise.race([iterator.next(), grace]);
          if (next === 'grace' || next.done || signal.stopped) {
            void iterator.return?.(undefined)?.catch(() => undefined);
            return;
          }
          const entry = next.value;
          const time = entry.timestamp.getTime();
          if (time < cursor.time || (time === cursor.time && cursor.seen.includes(entry.message))) continue;
          cursor =
            time > cursor.time ? { time, seen: [entry.message] } : { time, seen: [...cursor.seen, entry.message] };
          store.appendLog(run.id, entry.message);
          writeCursor(cursorFile, cursor);
          hooks.changed(run.id);
          delay = this.options.retryBaseMs ?? 1000;
        }
      } catch (err) {
        if (signal.stopped || finished) return;
        hooks.log(`Run ${run.id}: log stream interrupted (${messageOf(err)}); resuming in ${delay} ms`);
        hooks.warn?.(
          run.id,
          `Following run ${run.id} on Modal: the log stream failed (${messageOf(err)}); retrying, logs may lag.`,
        );
        await sleep(delay);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Write one event and fold status/cost events into run.json. */
  private apply(runId: string, event: MetricEvent): void {
    const { store } = this.options;
    store.appendEvents(runId, [event]);
    if (event.type === 'status') {
      // The function's own "succeeded" is trusted only once its result is in; running/failed/cancelled now.
      if (event.state !== 'succeeded')
        store.setState(runId, event.state, event.message && event.state === 'failed' ? { error: event.message } : {});
      if (event.message) store.appendLog(runId, `[${event.state}] ${event.message}`);
    } else if (event.type === 'cost') {
      store.update(runId, () => ({ cost: { gpu: event.gpu, seconds: event.seconds, usd: event.usd } }));
    }
  }

  async cancel(run: RunRecord): Promise<RunRecord | undefined> {
    const { store, hooks } = this.options;
    if (isTerminal(run.state)) return run;
    if (run.modal?.functionCallId && (await this.hasEnded(run))) {
      // It ended while nobody followed it (a closed window, the CLI): cancelling it would change nothing on
      // Modal, so record its own end (result, events, cost) instead of "cancelled".
      const final = await this.attach(run).done;
      hooks.changed(run.id);
      return final;
    }
    this.cancelling.add(run.id);
    if (run.modal?.functionCallId) {
      try {
        const call = await this.callOf(run);
        await call.cancel({ terminateContainers: true });
      } catch (err) {
        this.cancelling.delete(run.id);
        throw classifyModalError(err, 'cancel', this.appName);
      }
    }
    store.appendLog(run.id, 'Cancelled from the editor.');
    const final = store.setState(run.id, 'cancelled', { cost: run.cost ?? this.estimatedCost(run) });
    hooks.changed(run.id);
    return final;
  }
}

/** The cost a returned summary states (`seconds`, `cost: {gpu, usd}`), when no cost event came. */
function costOfResult(result: unknown): RunRecord['cost'] | undefined {
  if (!result || typeof result !== 'object') return undefined;
  const { seconds, cost } = result as { seconds?: unknown; cost?: { gpu?: unknown; usd?: unknown } };
  if (typeof seconds !== 'number' || !cost || typeof cost.gpu !== 'string' || typeof cost.usd !== 'number')
    return undefined;
  return { gpu: cost.gpu, seconds, usd: cost.usd };
}

interface LogCursor {
  time: number;
  seen: string[];
}

function readCursor(file: string): LogCursor {
  try {
    const value = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LogCursor>;
    return {
      time: typeof value.time === 'number' ? value.time : 0,
      seen: Array.isArray(value.seen) ? value.seen.filter((s): s is string => typeof s === 'string') : [],
    };
  } catch {
    return { time: 0, seen: [] };
  }
}

function writeCursor(file: string, cursor: LogCursor): void {
  try {
    writeFileAtomic(file, JSON.stringify(cursor));
  } catch {
    // The run folder may be gone (deleted by the user); the cursor is only an optimisation.
  }
}
