// The Runs view's model: run records → rows (label, description, icon, context value). Pure, so
// the rows are unit-tested; the provider in runsView.ts only maps them onto vscode.TreeItems.
import * as path from 'node:path';
import type { RunRecord } from '../contracts/run';
import type { RunState } from '../contracts/metrics';
import { elapsedSeconds, isTerminal } from '../jobs/stateMachine';
import { formatDuration, formatUsd } from '../jobs/cost';
import { KIND_LABELS } from '../jobs/launchConfig';
import { modalDashboardUrl } from '../jobs/modalDashboard';

export interface RowIcon {
  /** A codicon id (`sync~spin` spins). */
  id: string;
  /** A theme color id. */
  color?: string;
}

export interface RunRow {
  runId: string;
  /** The run folder, so "Open Dashboard" and "Reveal in Explorer" can take the row as argument. */
  dir: string;
  label: string;
  description: string;
  tooltip: string;
  icon: RowIcon;
  /** `run.<state>`, then `.modal` when it has a Modal dashboard page, then `.active` while it can be cancelled: menus match on it. */
  contextValue: string;
  /** The call's page in Modal's dashboard (Modal runs that were spawned). */
  modalUrl?: string;
}

export const STATE_ICONS: Record<RunState, RowIcon> = {
  queued: { id: 'clock', color: 'charts.yellow' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  cancelled: { id: 'circle-slash', color: 'disabledForeground' },
};

export function runRow(run: RunRecord, runsRoot: string, now: Date = new Date()): RunRow {
  const dataset = typeof run.config['dataset'] === 'string' ? path.basename(run.config['dataset']) : undefined;
  const elapsed = formatDuration(elapsedSeconds(run, now));
  // A local run costs nothing on a GPU bill; show a cost only where there is one.
  const cost = run.cost && (run.backend === 'modal' || run.cost.usd > 0) ? formatUsd(run.cost.usd) : undefined;
  const modalUrl = modalDashboardUrl(run);
  const parts = [run.state, elapsed, cost, run.backend].filter((p): p is string => Boolean(p));
  const tooltip = [
    `${KIND_LABELS[run.kind]} run ${run.id}`,
    `State: ${run.state} · Backend: ${run.backend}`,
    `Created: ${run.createdAt}`,
    dataset ? `Dataset: ${String(run.config['dataset'])}` : undefined,
    run.cost ? `Cost: ${formatUsd(run.cost.usd)} (${run.cost.gpu}, ${formatDuration(run.cost.seconds)})` : undefined,
    run.error ? `Error: ${run.error}` : undefined,
    modalUrl ? `Modal: ${modalUrl}` : undefined,
  ]
    .filter(Boolean)
    .join('\n');
  return {
    runId: run.id,
    dir: path.join(runsRoot, run.id),
    label: `${KIND_LABELS[run.kind]}${dataset ? ` · ${dataset}` : ''}`,
    description: parts.join(' · '),
    tooltip,
    icon: STATE_ICONS[run.state],
    contextValue: `run.${run.state}${modalUrl ? '.modal' : ''}${isTerminal(run.state) ? '' : '.active'}`,
    ...(modalUrl ? { modalUrl } : {}),
  };
}

export function runRows(runs: readonly RunRecord[], runsRoot: string, now: Date = new Date()): RunRow[] {
  return runs.map((r) => runRow(r, runsRoot, now));
}

/** Status bar text while runs are active, or undefined to hide it. */
export function activeSummary(runs: readonly RunRecord[]): string | undefined {
  const active = runs.filter((r) => !isTerminal(r.state));
  if (active.length === 0) return undefined;
  if (active.length === 1) {
    const [run] = active;
    return run ? `$(sync~spin) ${KIND_LABELS[run.kind]} ${run.state}` : undefined;
  }
  return `$(sync~spin) ${active.length} runs active`;
}
