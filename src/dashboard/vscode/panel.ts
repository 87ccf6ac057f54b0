// One dashboard panel: a single run, or several compared. The HTML is written once; on `ready` the
// panel reads the runs from disk and posts the full state, then tails each run's metrics.jsonl
// (fs watcher for promptness, a slow poll as backstop since watchers miss some network/remote
// file systems) and posts only the new points.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { JOB_COMMANDS } from '../../jobs/commands';
import { createAppPanel } from '../../shell/appPanel';
import type { Ctx } from '../../shell/context';
import { acceptInbound } from '../../shell/inbound';
import { renderDashboardHtml } from '../html';
import {
  emptyColumns,
  type DashboardState,
  type HostToWebview,
  type RunAppend,
  type TreeRef,
  type WebviewToHost,
} from '../protocol';
import { WebviewToHostSchema } from '../inbound';
import { fileSize, forecastSnapshot, loadRun, readRecord, readTrees, type LoadedRun } from '../runSnapshot';
import type { ForecastTree } from '../../contracts/tree';
import { RUN_FILES } from '../../runs/runStore';
import { digestEvents, runDuration } from '../series';

const POLL_MS = 2000;

export interface PanelTarget {
  dirs: string[];
  mode: 'run' | 'compare' | 'empty' | 'forecast';
  emptyMessage?: string;
  /** Mode 'forecast': the trees the forecast service answered (read on every state). */
  forecasts?: () => readonly ForecastTree[];
}

export class DashboardPanel implements vscode.Disposable {
  readonly panel: vscode.WebviewPanel;
  private runs: LoadedRun[] = [];
  private readonly watchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private focus: TreeRef | null;
  private ticking = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    readonly key: string,
    private target: PanelTarget,
    focus: TreeRef | null,
    private readonly onDisposed: (p: DashboardPanel) => void,
  ) {
    this.focus = focus;
    const { panel, page } = createAppPanel(
      ctx.extension.extensionUri,
      'psychohistory.dashboard',
      titleFor(target),
      'dashboard',
    );
    this.panel = panel;
    const webview = panel.webview;
    webview.html = renderDashboardHtml({ ...page, title: titleFor(target) });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => {
        const msg = acceptInbound(WebviewToHostSchema, raw, 'dashboard', (line) => ctx.log.warn(line));
        if (msg) void this.handle(msg).catch((err: unknown) => ctx.log.error(`dashboard: ${String(err)}`));
      }),
      this.panel.onDidDispose(() => this.dispose()),
    );
  }

  /** Shows another target in this panel (same key: same runs) or focuses a tree. */
  reveal(focus: TreeRef | null): void {
    this.panel.reveal();
    if (focus) {
      this.focus = focus;
      this.post({ type: 'focusTree', ref: focus });
    }
  }

  /** Posts the state afresh (the data changed, e.g. a new forecast), focusing `focus`. */
  reload(focus: TreeRef | null): void {
    this.panel.reveal();
    this.focus = focus;
    void this.sendState().catch((err: unknown) => this.ctx.log.error(`dashboard: ${String(err)}`));
  }

  private post(msg: HostToWebview): void {
    if (!this.disposed) void this.panel.webview.postMessage(msg);
  }

  private async handle(msg: WebviewToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        await this.sendState();
        break;
      case 'requestTree':
        await this.sendTree(msg.ref);
        break;
      case 'command':
        if (msg.command === 'refresh') await this.sendState();
        else if (msg.command === 'openRunFolder') {
          const run = this.runs.find((r) => r.snapshot.id === msg.runId) ?? this.runs[0];
          if (run)
            await vscode.commands.executeCommand(
              'revealInExplorer',
              vscode.Uri.file(path.join(run.dir, RUN_FILES.record)),
            );
        } else if (msg.command === 'openModalDashboard') {
          // The jobs command knows the run store and the URL form (src/jobs/modalDashboard.ts).
          const run = this.runs.find((r) => r.snapshot.id === msg.runId) ?? this.runs[0];
          if (run) await vscode.commands.executeCommand(JOB_COMMANDS.openInModalDashboard, { runId: run.snapshot.id });
        } else if (msg.command === 'launchSft') await launchSft();
        break;
    }
  }

  /** (Re)reads every run from disk and posts the full state; tails restart from there. */
  private async sendState(): Promise<void> {
    this.stopWatching();
    const forecasts = this.target.forecasts;
    if (this.target.mode === 'forecast' && forecasts) {
      this.post({
        type: 'state',
        state: { mode: 'forecast', runs: [forecastSnapshot(forecasts())], emptyMessage: null, focusTree: this.focus },
      });
      this.focus = null;
      return;
    }
    this.runs = await Promise.all(this.target.dirs.map((d) => loadRun(d)));
    const state: DashboardState = {
      mode: this.target.mode,
      runs: this.runs.map((r) => r.snapshot),
      emptyMessage: this.target.emptyMessage ?? null,
      focusTree: this.focus,
    };
    this.post({ type: 'state', state });
    // Focus a requested tree once; afterwards the webview's own saved state remembers it.
    this.focus = null;
    this.startWatching();
  }

  private async sendTree(ref: TreeRef): Promise<void> {
    const forecasts = this.target.forecasts;
    if (this.target.mode === 'forecast' && forecasts) {
      const tree = forecasts()[ref.index] ?? null;
      this.post({ type: 'tree', ref, tree, error: tree ? null : `No forecast #${ref.index + 1} in this panel.` });
      return;
    }
    const run = this.runs.find((r) => r.snapshot.id === ref.runId);
    if (!run) {
      this.post({ type: 'tree', ref, tree: null, error: `Run ${ref.runId} is not in this dashboard.` });
      return;
    }
    if (ref.index >= run.trees.length) run.trees = (await readTrees(run.dir)).trees;
    const tree = run.trees[ref.index] ?? null;
    this.post({
      type: 'tree',
      ref,
      tree,
      error: tree ? null : `trees.jsonl of ${ref.runId} has no tree #${ref.index + 1}.`,
    });
  }

  private startWatching(): void {
    for (const run of this.runs) {
      try {
        const w = fs.watch(run.dir, () => this.tick());
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // Directory gone or not watchable: the poll below still notices growth.
      }
    }
    this.timer = setInterval(() => this.tick(), POLL_MS);
  }

  private stopWatching(): void {
    for (const w of this.watchers.splice(0)) w.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Reads what each run appended since the last read and posts it (nothing when nothing changed). */
  private tick(): void {
    if (this.ticking || this.disposed) return;
    this.ticking = true;
    void Promise.all(this.runs.map((r) => this.tickRun(r)))
      .catch((err: unknown) => this.ctx.log.error(`dashboard tail: ${String(err)}`))
      .finally(() => (this.ticking = false));
  }

  private async tickRun(run: LoadedRun): Promise<void> {
    const { events, reset } = await run.tail.read();
    // metrics.jsonl rewritten from scratch, or new forecast trees (an eval run writes them at the
    // end): appends cannot express that, so resend the state — data only, the HTML stays.
    if (reset || (await fileSize(path.join(run.dir, RUN_FILES.trees))) !== run.treesBytes) {
      await this.sendState();
      return;
    }
    const { record } = await readRecord(run.dir);
    const stateChanged = record !== null && record.state !== run.snapshot.state;
    const notices = run.tail.newNotices();
    if (!events.length && !stateChanged && !notices.length) return;
    const digest = digestEvents(events);
    if (record) run.record = record;
    const snap = run.snapshot;
    snap.state = record?.state ?? digest.lastState ?? snap.state;
    const cost = record?.cost ?? digest.cost;
    if (cost) snap.cost = cost;
    const append: RunAppend = {
      runId: snap.id,
      train: events.length ? digest.train : emptyColumns(),
      evals: digest.evals,
      notices,
      state: snap.state,
      cost: snap.cost,
      // null = unchanged; without run.json's startedAt the first snapshot's duration stands.
      durationSeconds: run.record?.startedAt
        ? runDuration(run.record, { firstTime: null, lastTime: digest.lastTime }, new Date())
        : null,
    };
    this.post({ type: 'append', append });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.stopWatching();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.panel.dispose();
    this.onDisposed(this);
  }
}

function titleFor(t: PanelTarget): string {
  if (t.mode === 'empty') return 'PsychoHistory Dashboard';
  if (t.mode === 'compare') return `Compare ${t.dirs.length} runs`;
  if (t.mode === 'forecast') return 'Forecasts';
  return `Run ${path.basename(t.dirs[0] ?? '')}`;
}

/** The empty state's "Launch SFT": the jobs feature's command, by its id in the command table. */
async function launchSft(): Promise<void> {
  await vscode.commands.executeCommand(JOB_COMMANDS.launchSft);
}
