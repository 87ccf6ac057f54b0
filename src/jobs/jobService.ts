// The job service: one object the extension, the sidebar and the CLI share. It creates run
// records, hands them to a backend, keeps one watch per active run, reattaches to runs still
// marked active after a reload, and tells listeners when anything changed.
import type { Backend, RunKind, RunRecord } from '../contracts/run';
import type { MetricEvent } from '../contracts/metrics';
import type { RunStore } from '../runs/runStore';
import { isTerminal } from './stateMachine';
import { decideReattach } from './reattach';
import { isRunJobAlive } from './backends/local';
import type { JobBackend, Watch } from './backend';
import { JobError } from './errors';

export interface RunChange {
  runId: string;
  events?: readonly MetricEvent[];
}

export interface LaunchRequest {
  kind: RunKind;
  backend: Backend;
  config: Record<string, unknown>;
}

export class JobService {
  private readonly watches = new Map<string, Watch>();
  private readonly listeners = new Set<(change: RunChange) => void>();
  private readonly backends = new Map<Backend, JobBackend>();

  constructor(readonly store: RunStore) {}

  /** Backends are added after construction because they report changes back through `notify`. */
  addBackend(backend: JobBackend): void {
    this.backends.set(backend.name, backend);
  }

  backend(name: Backend): JobBackend {
    const backend = this.backends.get(name);
    if (!backend) throw new JobError(`The ${name} backend is not available here`, 'unknown');
    return backend;
  }

  onDidChange(listener: (change: RunChange) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  notify(runId: string, events?: readonly MetricEvent[]): void {
    for (const listener of [...this.listeners]) listener({ runId, ...(events ? { events } : {}) });
  }

  /** Create the run record, start it, keep following it. Throws JobError (the record stays, as failed). */
  async launch(request: LaunchRequest): Promise<RunRecord> {
    const backend = this.backend(request.backend);
    const run = this.store.create({ kind: request.kind, backend: request.backend, config: request.config });
    this.notify(run.id);
    const watch = await backend.start(run);
    this.keep(run.id, watch);
    return this.store.read(run.id) ?? run;
  }

  /** Resolves with the final record once the run ends (follows it if nobody does yet). */
  async wait(runId: string): Promise<RunRecord | undefined> {
    const run = this.store.read(runId);
    if (!run || isTerminal(run.state)) return run;
    let watch = this.watches.get(runId);
    if (!watch) {
      watch = this.backend(run.backend).attach(run);
      this.keep(runId, watch);
    }
    return (await watch.done) ?? this.store.read(runId);
  }

  async cancel(runId: string): Promise<RunRecord | undefined> {
    const run = this.store.read(runId);
    if (!run) throw new JobError(`No run ${runId}`, 'not-found');
    if (isTerminal(run.state)) return run;
    const final = await this.backend(run.backend).cancel(run);
    this.notify(runId);
    return final;
  }

  /** On activation: follow every run still marked active, settle the ones that died unseen. One bad run is reported and skipped. */
  reattachAll(): RunRecord[] {
    const attached: RunRecord[] = [];
    for (const run of this.store.list()) {
      if (isTerminal(run.state) || this.watches.has(run.id) || !this.backends.has(run.backend)) continue;
      try {
        if (this.reattach(run)) attached.push(run);
      } catch (err) {
        this.store.report({
          id: run.id,
          reason: `could not reattach: ${err instanceof Error ? err.message : String(err)}`,
        });
      }
    }
    return attached;
  }

  private reattach(run: RunRecord): boolean {
    const pidAlive = run.local?.pid !== undefined ? isRunJobAlive(run) : undefined;
    const decision = decideReattach(run, { pidAlive, now: new Date() });
    if (decision.action === 'follow') {
      this.keep(run.id, this.backend(run.backend).attach(run));
      return true;
    }
    if (decision.action === 'fail') {
      const last = this.store.lastLogLines(run.id, 10);
      this.store.setState(run.id, 'failed', {
        error: `${decision.reason}${last.length ? `\nLast log lines:\n${last.join('\n')}` : ''}`,
      });
      this.notify(run.id);
    }
    return false;
  }

  activeRuns(): RunRecord[] {
    return this.store.list().filter((r) => !isTerminal(r.state));
  }

  private keep(runId: string, watch: Watch): void {
    this.watches.get(runId)?.dispose();
    this.watches.set(runId, watch);
    void watch.done.then(() => {
      if (this.watches.get(runId) === watch) this.watches.delete(runId);
      this.notify(runId);
    });
  }

  /** Stop following (runs keep going; a later window reattaches). */
  dispose(): void {
    for (const watch of this.watches.values()) watch.dispose();
    this.watches.clear();
    this.listeners.clear();
  }
}
