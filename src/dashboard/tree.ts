// Forecast trees (contract 4) → what the tree viewer needs. A tree is flattened once into arrays
// indexed by node id (0 = the seed, then pre-order), so expanding, searching and laying out 5,000
// nodes touches plain arrays; the layout itself is d3-hierarchy's tidy tree over the visible
// (expanded) part only. Also: the reliability diagram, which needs per-prediction probabilities
// that only the trees carry, and the seed key that links a case line to its tree.
import { hierarchy, tree as tidyTree } from 'd3-hierarchy';
import type { ForecastNode, ForecastTree, MatchKind } from '../contracts/tree';
import type { ReliabilityBin, TreeSummary } from './protocol';

export interface IndexedTree {
  seedEvent: string;
  seedDate: string;
  model: string;
  size: number;
  event: string[];
  /** Probability of each node; the seed has 1. */
  probability: number[];
  depth: number[];
  parent: number[];
  children: number[][];
  /** The node is marked actual (what really happened); the seed counts as actual. */
  actual: boolean[];
  /** On the actual path: the node and every ancestor are actual. */
  onActualPath: boolean[];
  match: (MatchKind | null)[];
  matchScore: (number | null)[];
  matchActual: (string | null)[];
}

export function indexTree(t: ForecastTree): IndexedTree {
  const out: IndexedTree = {
    seedEvent: t.seed.event,
    seedDate: t.seed.date,
    model: t.model,
    size: 0,
    event: [],
    probability: [],
    depth: [],
    parent: [],
    children: [],
    actual: [],
    onActualPath: [],
    match: [],
    matchScore: [],
    matchActual: [],
  };
  const add = (event: string, p: number, depth: number, parent: number, n: ForecastNode | null): number => {
    const id = out.size++;
    out.event.push(event);
    out.probability.push(p);
    out.depth.push(depth);
    out.parent.push(parent);
    out.children.push([]);
    const actual = n === null ? true : n.actual === true;
    out.actual.push(actual);
    out.onActualPath.push(actual && (parent < 0 || out.onActualPath[parent] === true));
    out.match.push(n?.match?.kind ?? null);
    out.matchScore.push(n?.match?.score ?? null);
    out.matchActual.push(n?.match?.actual ?? null);
    if (parent >= 0) out.children[parent]!.push(id);
    return id;
  };
  // Iterative pre-order: a deep generated tree must not overflow the stack.
  const root = add(t.seed.event, 1, 0, -1, null);
  const stack: [ForecastNode, number][] = [];
  for (let i = t.children.length - 1; i >= 0; i--) stack.push([t.children[i]!, root]);
  while (stack.length) {
    const [n, parent] = stack.pop()!;
    const id = add(n.event, n.probability, n.depth, parent, n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push([n.children[i]!, id]);
  }
  return out;
}

export function countNodes(t: ForecastTree): number {
  let count = 0;
  const stack: ForecastNode[] = [...t.children];
  while (stack.length) {
    const n = stack.pop()!;
    count++;
    for (const c of n.children) stack.push(c);
  }
  return count;
}

export function summarizeTree(t: ForecastTree, index: number): TreeSummary {
  return { index, seedEvent: t.seed.event, seedDate: t.seed.date, model: t.model, nodeCount: countNodes(t) };
}

/** What opens expanded: the seed and every node on the actual path. */
export function defaultExpanded(t: IndexedTree): Set<number> {
  const s = new Set<number>([0]);
  for (let i = 0; i < t.size; i++) if (t.onActualPath[i] && t.children[i]!.length) s.add(i);
  return s;
}

export function expandAll(t: IndexedTree): Set<number> {
  const s = new Set<number>();
  for (let i = 0; i < t.size; i++) if (t.children[i]!.length) s.add(i);
  return s;
}

/** Ancestors of a node (seed first), to expand so it becomes visible. */
export function ancestors(t: IndexedTree, id: number): number[] {
  const out: number[] = [];
  for (let p = t.parent[id] ?? -1; p >= 0; p = t.parent[p] ?? -1) out.push(p);
  return out.reverse();
}

/** Nodes whose event contains the query (case-insensitive), in pre-order. */
export function searchNodes(t: IndexedTree, query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: number[] = [];
  for (let i = 0; i < t.size; i++) if (t.event[i]!.toLowerCase().includes(q)) hits.push(i);
  return hits;
}

export interface LaidOutNode {
  id: number;
  /** Horizontal position (by depth), px. */
  x: number;
  /** Vertical position, px, ≥ 0. */
  y: number;
  parent: number;
  hasChildren: boolean;
  expanded: boolean;
}

export interface TreeLayout {
  /** Visible nodes sorted by y (for virtualised rendering and keyboard order). */
  nodes: LaidOutNode[];
  width: number;
  height: number;
  /** id → position in `nodes`, for visible nodes. */
  indexOf: Map<number, number>;
  /** Visible ids in tree (pre-)order: the order of keyboard navigation, as in any tree view. */
  order: number[];
}

/** d3-hierarchy's tidy tree over the expanded part, drawn left to right. */
export function layoutVisible(
  t: IndexedTree,
  expanded: ReadonlySet<number>,
  rowHeight: number,
  columnWidth: number,
): TreeLayout {
  const root = hierarchy<number>(0, (id) => (expanded.has(id) ? t.children[id] : undefined));
  tidyTree<number>().nodeSize([rowHeight, columnWidth])(root);
  const nodes: LaidOutNode[] = [];
  let minY = Infinity;
  let maxY = -Infinity;
  let maxX = 0;
  root.each((n) => {
    // d3's x runs across siblings; we draw depth left to right, so swap the axes.
    const y = n.x ?? 0;
    const x = n.y ?? 0;
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
    maxX = Math.max(maxX, x);
    nodes.push({
      id: n.data,
      x,
      y,
      parent: n.parent ? n.parent.data : -1,
      hasChildren: t.children[n.data]!.length > 0,
      expanded: expanded.has(n.data),
    });
  });
  const order: number[] = [];
  root.eachBefore((n) => {
    order.push(n.data);
  });
  for (const n of nodes) n.y -= minY;
  nodes.sort((a, b) => a.y - b.y);
  const indexOf = new Map<number, number>();
  nodes.forEach((n, i) => indexOf.set(n.id, i));
  return { nodes, width: maxX + columnWidth, height: maxY - minY + rowHeight, indexOf, order };
}

/** First index in `nodes` (sorted by y) with y ≥ top. */
export function firstAtOrBelow(nodes: readonly LaidOutNode[], top: number): number {
  let lo = 0;
  let hi = nodes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (nodes[mid]!.y < top) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Reliability diagram from trees: every node whose siblings include a node marked actual is one
 * prediction (its probability) with outcome 1 if it is the actual one, else 0. 10 equal-width bins,
 * as the ECE in GUIDE.md.
 */
export function reliabilityBins(trees: readonly ForecastTree[], bins = 10): ReliabilityBin[] {
  const count = new Array<number>(bins).fill(0);
  const sumP = new Array<number>(bins).fill(0);
  const hits = new Array<number>(bins).fill(0);
  const visitLevel = (level: readonly ForecastNode[]): void => {
    if (level.some((n) => n.actual === true)) {
      for (const n of level) {
        const b = Math.min(bins - 1, Math.floor(n.probability * bins));
        count[b]!++;
        sumP[b]! += n.probability;
        if (n.actual === true) hits[b]!++;
      }
    }
  };
  for (const t of trees) {
    const stack: (readonly ForecastNode[])[] = [t.children];
    while (stack.length) {
      const level = stack.pop()!;
      visitLevel(level);
      for (const n of level) if (n.children.length) stack.push(n.children);
    }
  }
  return count.map((c, i) => ({
    lo: i / bins,
    hi: (i + 1) / bins,
    count: c,
    meanPredicted: c ? sumP[i]! / c : null,
    observed: c ? hits[i]! / c : null,
  }));
}
