import { describe, expect, it } from 'vitest';
import { ForecastTreeSchema } from '../../../src/contracts/tree';
import {
  ancestors,
  countNodes,
  defaultExpanded,
  expandAll,
  firstAtOrBelow,
  indexTree,
  layoutVisible,
  reliabilityBins,
  searchNodes,
  summarizeTree,
} from '../../../src/dashboard/tree';
import { buildSeedIndex, findTreeForLine, parseCaseSeed } from '../../../src/dashboard/caseLink';
import { forecastTree } from './builders';

describe('forecast tree transforms', () => {
  const t = forecastTree('Tech layoffs', '2023-01-15', { branching: [3, 2, 2], withMatch: true });

  it('the builder writes valid contract-4 trees', () => {
    expect(ForecastTreeSchema.safeParse(t).success).toBe(true);
  });

  it('indexes nodes in pre-order with the seed as node 0 and marks the actual path', () => {
    const ix = indexTree(t);
    expect(ix.size).toBe(1 + 3 + 6 + 12);
    expect(countNodes(t)).toBe(21);
    expect(ix.event[0]).toBe('Tech layoffs');
    expect(ix.children[0]).toEqual([1, 8, 15]);
    expect(ix.parent[2]).toBe(1);
    const path = [...Array(ix.size).keys()].filter((i) => ix.onActualPath[i]);
    expect(path.map((i) => ix.depth[i])).toEqual([0, 1, 2, 3]);
    expect(ix.match[path[1]!]).not.toBeNull();
    expect(summarizeTree(t, 4)).toMatchObject({ index: 4, seedEvent: 'Tech layoffs', nodeCount: 21 });
  });

  it('lays out only expanded nodes, sorted by y, one row apart', () => {
    const ix = indexTree(t);
    const collapsed = layoutVisible(ix, new Set([0]), 28, 260);
    expect(collapsed.nodes.map((n) => n.id).sort((a, b) => a - b)).toEqual([0, 1, 8, 15]);
    const open = defaultExpanded(ix);
    expect([...open].sort((a, b) => a - b)).toEqual([0, 1, 2]);
    const l = layoutVisible(ix, open, 28, 260);
    expect(l.nodes).toHaveLength(1 + 3 + 2 + 2);
    const all = layoutVisible(ix, expandAll(ix), 28, 260);
    expect(all.nodes).toHaveLength(22);
    const ys = all.nodes.map((n) => n.y);
    expect(ys).toEqual([...ys].sort((a, b) => a - b));
    expect(Math.min(...ys)).toBe(0);
    const leaves = all.nodes
      .filter((n) => !n.hasChildren)
      .map((n) => n.y)
      .sort((a, b) => a - b);
    for (let i = 1; i < leaves.length; i++) expect(leaves[i]! - leaves[i - 1]!).toBeGreaterThanOrEqual(28);
    expect(all.nodes.find((n) => n.id === 2)!.x).toBe(2 * 260);
    expect(all.order).toEqual([...Array(22).keys()]);
    expect(firstAtOrBelow(all.nodes, all.nodes[5]!.y)).toBeLessThanOrEqual(5);
  });

  it('lays out a 5,000-node tree fully expanded', () => {
    const big = indexTree(forecastTree('Big', '2024-01-01', { branching: [10, 10, 10, 4] }));
    expect(big.size).toBe(5111);
    const l = layoutVisible(big, expandAll(big), 28, 260);
    expect(l.nodes).toHaveLength(5111);
    expect(l.height).toBeGreaterThanOrEqual(4000 * 28);
  });

  it('finds nodes by text and the ancestors that reveal them', () => {
    const ix = indexTree(t);
    const hits = searchNodes(ix, 'OUTCOME 2.1 event');
    expect(hits.map((i) => ix.event[i])).toEqual(['Outcome 2.1 event at depth 2']);
    expect(ancestors(ix, hits[0]!)).toEqual([0, 8]);
    expect(searchNodes(ix, '  ')).toEqual([]);
  });

  it('bins sibling predictions for the reliability diagram', () => {
    const bins = reliabilityBins([t]);
    expect(bins).toHaveLength(10);
    // Levels with an actual node: depth 1 (3 nodes) + the actual node's children at 2 and 3 (2 + 2).
    expect(bins.reduce((a, b) => a + b.count, 0)).toBe(7);
    const hits = bins.reduce((a, b) => a + (b.observed ?? 0) * b.count, 0);
    expect(hits).toBeCloseTo(3);
    for (const b of bins) if (b.count) expect(b.meanPredicted!).toBeGreaterThanOrEqual(b.lo);
  });
});

describe('case line → forecast tree', () => {
  it('parses a case line seed with JSON.parse and ignores everything else', () => {
    expect(parseCaseSeed('{"id":"x","seed":{"event":"Tech layoffs","date":"2023-01-15"},"levels":[]}')).toEqual({
      event: 'Tech layoffs',
      date: '2023-01-15',
    });
    expect(parseCaseSeed('{"seed":{"event":"","date":"2023-01-15"}}')).toBeNull();
    expect(parseCaseSeed('{"seed":"Tech layoffs"}')).toBeNull();
    expect(parseCaseSeed('{"seed":{"event":"x"')).toBeNull();
    expect(parseCaseSeed('// comment')).toBeNull();
  });

  it('matches on normalised event + date, newest run winning', () => {
    const older = {
      runId: 'eval-1',
      createdAt: '2026-01-01T00:00:00Z',
      trees: [{ seed: { event: 'Tech layoffs', date: '2023-01-15' } }],
    };
    const newer = {
      runId: 'eval-2',
      createdAt: '2026-02-01T00:00:00Z',
      trees: [
        { seed: { event: 'Other', date: '2023-01-01' } },
        { seed: { event: 'Tech  Layoffs ', date: '2023-01-15' } },
      ],
    };
    const index = buildSeedIndex([newer, older]);
    expect(findTreeForLine(index, '{"seed":{"event":"tech layoffs","date":"2023-01-15"},"levels":[]}')).toEqual({
      runId: 'eval-2',
      index: 1,
    });
    expect(findTreeForLine(index, '{"seed":{"event":"Tech layoffs","date":"2023-01-16"}}')).toBeNull();
    // The one normalisation (schemas/normalization.json): "U.S." and "US" are the same seed.
    const us = buildSeedIndex([
      {
        runId: 'eval-3',
        createdAt: '2026-03-01T00:00:00Z',
        trees: [{ seed: { event: 'U.S. sanctions on Café-chain', date: '2023-02-01' } }],
      },
    ]);
    expect(findTreeForLine(us, '{"seed":{"event":"us sanctions on café chain","date":"2023-02-01"}}')).toEqual({
      runId: 'eval-3',
      index: 0,
    });
  });
});
