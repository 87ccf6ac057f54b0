// The dashboard feature's VS Code shell: commands (open one run, compare runs, show a forecast
// tree), one panel per set of runs, and the CodeLens that links a case line to its forecast tree.
// Everything it shows comes from the pure readers in src/dashboard.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommandTable, type Ctx } from '../../shell/context';
import type { TreeRef } from '../protocol';
import { ForecastTreeSchema, type ForecastTree } from '../../contracts/tree';
import { SERVICE_FORECASTS_ID } from '../runSnapshot';
import { DASHBOARD_COMMANDS } from '../commands';
import { listRuns, RUNS_DIR, type RunListing } from '../../runs/runStore';
import { CaseTreeLens } from './caseTreeLens';
import { DashboardPanel, type PanelTarget } from './panel';

export function registerDashboard(ctx: Ctx): vscode.Disposable[] {
  const dashboards = new Dashboards(ctx);
  const lens = new CaseTreeLens(ctx, workspaceRoots);
  return [
    dashboards,
    lens,
    vscode.languages.registerCodeLensProvider({ language: 'psychohistory-cases' }, lens),
    ...registerCommandTable(ctx, {
      [DASHBOARD_COMMANDS.openDashboard]: (arg?: unknown) => dashboards.open(arg),
      [DASHBOARD_COMMANDS.compareRuns]: (...args: unknown[]) => dashboards.compare(args),
      [DASHBOARD_COMMANDS.showForecastTree]: (runId?: unknown, index?: unknown) => dashboards.showTree(runId, index),
      [DASHBOARD_COMMANDS.showServiceForecast]: (tree?: unknown) => dashboards.showForecast(tree),
    }),
  ];
}

function workspaceRoots(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

async function allRuns(): Promise<RunListing[]> {
  return (await Promise.all(workspaceRoots().map((r) => listRuns(r)))).flat();
}

class Dashboards implements vscode.Disposable {
  private readonly panels = new Map<string, DashboardPanel>();

  constructor(private readonly ctx: Ctx) {}

  /** Accepts a run id, a run directory (Uri or path, or a file inside it), a Runs-view item, or nothing (quick pick). */
  async open(arg?: unknown, focus: TreeRef | null = null): Promise<void> {
    const dir = arg === undefined || arg === null ? await this.pickOne() : await resolveRunDir(arg);
    if (dir === undefined) return;
    if (dir === null) {
      const runs = await allRuns();
      if (runs.length === 0) {
        this.show(
          {
            dirs: [],
            mode: 'empty',
            emptyMessage: workspaceRoots().length
              ? 'No runs yet — Launch SFT to start one; its curves appear here live.'
              : 'Open a workspace folder first: runs live in .psychohistory/runs.',
          },
          null,
        );
        return;
      }
      throw new Error(`No run found for ${describe(arg)}.`);
    }
    this.show({ dirs: [dir], mode: 'run' }, focus);
  }

  async compare(args: unknown[]): Promise<void> {
    // A tree view passes (clicked item, all selected items); flatten and de-duplicate.
    const flat = args
      .flatMap((a) => (Array.isArray(a) ? (a as unknown[]) : [a]))
      .filter((a) => a !== undefined && a !== null);
    let dirs = (await Promise.all(flat.map((a) => resolveRunDir(a)))).filter((d): d is string => typeof d === 'string');
    dirs = [...new Set(dirs)];
    if (dirs.length < 2) {
      const runs = await allRuns();
      if (runs.length === 0) {
        this.show(
          { dirs: [], mode: 'empty', emptyMessage: 'No runs yet — Launch SFT, then compare it with the baseline.' },
          null,
        );
        return;
      }
      const picked = await vscode.window.showQuickPick(
        runs.map(toItem).map((i) => ({ ...i, picked: dirs.includes(i.dir) })),
        {
          canPickMany: true,
          title: 'Compare runs (baseline / SFT / GRPO)',
          placeHolder: 'Pick two or more runs',
        },
      );
      if (!picked?.length) return;
      dirs = picked.map((p) => p.dir);
    }
    this.show({ dirs, mode: dirs.length === 1 ? 'run' : 'compare' }, null);
  }

  async showTree(runId: unknown, index: unknown): Promise<void> {
    if (typeof runId !== 'string' || typeof index !== 'number')
      throw new Error('Show forecast tree needs a run id and a tree index.');
    await this.open(runId, { runId, index });
  }

  /** The service's trees of this session, oldest first (a tree's index stays its ref). */
  private readonly forecasts: ForecastTree[] = [];

  /** Adds a tree the forecast service answered to the 'Forecasts' panel and shows it there. */
  showForecast(arg: unknown): number {
    const parsed = ForecastTreeSchema.safeParse(arg);
    if (!parsed.success)
      throw new Error(
        `Not a forecast tree: ${parsed.error.issues[0]?.path.join('/') || '(top level)'}: ${parsed.error.issues[0]?.message ?? ''}`,
      );
    const key = 'forecast';
    this.forecasts.push(parsed.data);
    const focus = { runId: SERVICE_FORECASTS_ID, index: this.forecasts.length - 1 };
    const existing = this.panels.get(key);
    if (existing) existing.reload(focus);
    else {
      const panel = new DashboardPanel(
        this.ctx,
        key,
        { dirs: [], mode: 'forecast', forecasts: () => this.forecasts },
        focus,
        (p) => {
          if (this.panels.get(p.key) === p) this.panels.delete(p.key);
        },
      );
      this.panels.set(key, panel);
    }
    return focus.index;
  }

  private async pickOne(): Promise<string | null | undefined> {
    const runs = await allRuns();
    if (runs.length === 0) return null;
    if (runs.length === 1) return runs[0]!.dir;
    const picked = await vscode.window.showQuickPick(runs.map(toItem), {
      title: 'Open Dashboard',
      placeHolder: 'Pick a run',
    });
    return picked?.dir;
  }

  private show(target: PanelTarget, focus: TreeRef | null): void {
    const key = target.mode === 'empty' ? 'empty' : [...target.dirs].sort().join('\n');
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal(focus);
      return;
    }
    if (target.mode !== 'empty') this.panels.get('empty')?.dispose();
    const panel = new DashboardPanel(this.ctx, key, target, focus, (p) => {
      if (this.panels.get(p.key) === p) this.panels.delete(p.key);
    });
    this.panels.set(key, panel);
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
  }
}

interface RunItem extends vscode.QuickPickItem {
  dir: string;
}

function toItem(r: RunListing): RunItem {
  const rec = r.record;
  return {
    label: r.id,
    description: rec ? `${rec.kind} · ${rec.state}` : 'no run.json',
    detail: rec
      ? `${rec.backend} · created ${rec.createdAt}${rec.cost ? ` · $${rec.cost.usd.toFixed(2)}` : ''}`
      : undefined,
    dir: r.dir,
  };
}

function describe(arg: unknown): string {
  if (typeof arg === 'string') return `"${arg}"`;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  return 'the given item';
}

/** A run directory for whatever the caller passed, null when it names no run. */
export async function resolveRunDir(arg: unknown): Promise<string | null> {
  if (arg instanceof vscode.Uri) return dirOfPath(arg.fsPath);
  if (typeof arg === 'string') {
    if (path.isAbsolute(arg)) return dirOfPath(arg);
    for (const root of workspaceRoots()) {
      const dir = path.join(root, RUNS_DIR, arg);
      if (isDir(dir)) return dir;
    }
    // A run id that is not a folder name: look at run.json ids.
    return (await allRuns()).find((r) => r.id === arg)?.dir ?? null;
  }
  if (typeof arg === 'object' && arg !== null) {
    const o = arg as Record<string, unknown>;
    for (const k of ['dir', 'runDir', 'resourceUri', 'uri']) {
      const v = o[k];
      if (v instanceof vscode.Uri || typeof v === 'string') {
        const d = await resolveRunDir(v);
        if (d) return d;
      }
    }
    for (const k of ['runId', 'id']) if (typeof o[k] === 'string') return resolveRunDir(o[k]);
    if (typeof o.run === 'object' && o.run !== null) return resolveRunDir(o.run);
  }
  return null;
}

function dirOfPath(p: string): string | null {
  if (isDir(p)) return p;
  const parent = path.dirname(p);
  return fs.existsSync(p) && isDir(parent) ? parent : null;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
