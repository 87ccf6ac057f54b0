// The Predictions view's model: forecasts from GET /v1/forecasts → rows, and for Record Outcome the
// level to resolve next and its candidates. Pure (the tree provider in vscode/ only draws rows).
// Which nodes a deeper level offers follows the service's rule (servestore.resolved_levels): the
// children of the node the outcome one level up matched, else of the most likely node there. Here
// "matched" is the shared normalisation's equality only; the service also counts a semantic match,
// so a paraphrased outcome may make it score a different branch than the one offered — the free-text
// entry always remains, and the service decides what the outcome resolves.
import type { ForecastListItem } from '../contracts/service';
import type { ForecastNode } from '../contracts/tree';
import { normalizeUnicode } from '../cases/normalize';

export function treeDepth(nodes: readonly ForecastNode[]): number {
  let d = 0;
  let level = nodes;
  while (level.length) {
    d++;
    level = level.flatMap((n) => n.children);
  }
  return d;
}

/** The shallowest level of the forecast without an outcome, or undefined when all are recorded. */
export function nextOpenDepth(item: ForecastListItem): number | undefined {
  const done = new Set(item.outcomes.map((o) => o.depth));
  const deepest = treeDepth(item.tree.children);
  for (let d = 1; d <= deepest; d++) if (!done.has(d)) return d;
  return undefined;
}

/** The nodes of level `depth` on the path the recorded outcomes (else the most likely nodes) take. */
export function levelCandidates(item: ForecastListItem, depth: number): ForecastNode[] {
  const recorded = new Map(item.outcomes.map((o) => [o.depth, normalizeUnicode(o.event)]));
  let nodes: readonly ForecastNode[] = item.tree.children;
  for (let d = 1; d < depth && nodes.length; d++) {
    const outcome = recorded.get(d);
    const hit = outcome === undefined ? undefined : nodes.find((n) => normalizeUnicode(n.event) === outcome);
    const next = hit ?? nodes.reduce((a, b) => (b.probability > a.probability ? b : a));
    nodes = next.children;
  }
  return [...nodes].sort((a, b) => b.probability - a.probability);
}

export interface PredictionRow {
  id: string;
  label: string;
  description: string;
  tooltip: string;
  /** Level Record Outcome resolves next. */
  nextDepth: number | undefined;
}

export function predictionRow(item: ForecastListItem): PredictionRow {
  const deepest = treeDepth(item.tree.children);
  const next = nextOpenDepth(item);
  const resolved = item.outcomes.length;
  const top = item.tree.children.length
    ? item.tree.children.reduce((a, b) => (b.probability > a.probability ? b : a))
    : undefined;
  return {
    id: item.id,
    label: item.request.seed.event,
    description: `${item.request.seed.date} · ${resolved}/${deepest} resolved`,
    tooltip: [
      `${item.request.seed.event} (${item.request.seed.date})`,
      `Model: ${item.model}`,
      `Forecast ${item.createdAt}, id ${item.id}`,
      top ? `Most likely next: ${top.event} (${Math.round(top.probability * 100)} %)` : 'The tree is empty.',
      ...item.outcomes.map((o) => `Depth ${o.depth} happened: ${o.event}`),
      next ? `Awaiting the outcome of depth ${next}.` : 'Every level resolved.',
    ].join('\n'),
    nextDepth: next,
  };
}
