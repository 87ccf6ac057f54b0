// The forecast tree viewer: d3-hierarchy lays out the expanded part (src/dashboard/tree.ts); only
// the rows inside the scrolled viewport (plus a margin) exist in the DOM, so a 5,000-node tree
// expanded whole costs a few dozen elements. Keyboard: the tree keeps DOM focus and points at the
// active row with aria-activedescendant (rows come and go as you scroll). Keys as in VS Code's trees:
// arrows, Home/End, Enter/Space toggle, `*` expands the node's siblings.
import {
  firstAtOrBelow,
  layoutVisible,
  type IndexedTree,
  type LaidOutNode,
  type TreeLayout,
} from '../../src/dashboard/tree';
import { h, oncePerFrame } from '../shared/dom';

const ROW = 28;
const COLUMN = 320;
const MARGIN = 200;
const SVG_NS = 'http://www.w3.org/2000/svg';

export interface TreeViewEvents {
  onExpandedChange(expanded: number[]): void;
  onActiveChange(id: number): void;
}

export class TreeViewer {
  private tree: IndexedTree | null = null;
  private expanded = new Set<number>();
  private hits = new Set<number>();
  private layout: TreeLayout | null = null;
  private active = 0;
  private readonly sizer: HTMLElement;
  private readonly edges: SVGSVGElement;
  private readonly rows = new Map<number, HTMLElement>();
  /** Paints the rows in view, once per frame however many scrolls and resizes ask. */
  private readonly schedule = oncePerFrame(() => this.render());

  constructor(
    readonly container: HTMLElement,
    private readonly events: TreeViewEvents,
  ) {
    container.setAttribute('role', 'tree');
    container.tabIndex = 0;
    this.sizer = h('div', { id: 'tree-sizer' });
    this.edges = document.createElementNS(SVG_NS, 'svg');
    this.edges.id = 'tree-edges';
    this.edges.setAttribute('aria-hidden', 'true');
    this.sizer.append(this.edges);
    container.append(this.sizer);
    container.addEventListener('scroll', () => this.schedule());
    container.addEventListener('keydown', (e) => this.onKey(e));
    container.addEventListener('click', (e) => {
      const row = (e.target as HTMLElement).closest<HTMLElement>('.tree-node');
      if (!row) return;
      const id = Number(row.dataset.nodeId);
      this.setActive(id);
      if ((e.target as HTMLElement).closest('.twisty') || this.tree?.children[id]?.length) this.toggle(id);
    });
    new ResizeObserver(() => this.schedule()).observe(container);
  }

  setTree(tree: IndexedTree, expanded: Set<number>, label: string): void {
    this.tree = tree;
    this.expanded = expanded;
    this.hits.clear();
    this.active = 0;
    this.container.setAttribute('aria-label', label);
    this.container.dataset.totalNodes = String(tree.size);
    this.container.scrollTop = 0;
    this.relayout();
  }

  clear(label: string): void {
    this.tree = null;
    this.layout = null;
    for (const r of this.rows.values()) r.remove();
    this.rows.clear();
    this.edges.replaceChildren();
    this.sizer.style.height = '0px';
    this.container.setAttribute('aria-label', label);
    this.container.dataset.totalNodes = '0';
    this.container.dataset.visibleNodes = '0';
    this.container.dataset.renderedNodes = '0';
  }

  get expandedIds(): number[] {
    return [...this.expanded];
  }

  toggle(id: number): void {
    if (!this.tree?.children[id]?.length) return;
    if (this.expanded.has(id)) this.expanded.delete(id);
    else this.expanded.add(id);
    this.changed();
  }

  setExpanded(ids: Set<number>): void {
    this.expanded = ids;
    if (!this.layoutHas(this.active)) this.active = 0;
    this.changed();
  }

  /** Highlights the hits and expands their ancestors so each is visible; activates the first. */
  showHits(ids: number[]): void {
    const t = this.tree;
    if (!t) return;
    this.hits = new Set(ids);
    for (const id of ids) for (let p = t.parent[id] ?? -1; p >= 0; p = t.parent[p] ?? -1) this.expanded.add(p);
    this.changed();
    if (ids.length) this.setActive(ids[0]!);
  }

  /** `*`, as in VS Code's trees and the ARIA tree pattern: expands every sibling of the node (and the node). */
  expandSiblings(id: number): void {
    const t = this.tree;
    if (!t) return;
    const parent = t.parent[id] ?? -1;
    const siblings = parent >= 0 ? t.children[parent]! : [id];
    let any = false;
    for (const s of siblings) {
      if (t.children[s]?.length && !this.expanded.has(s)) {
        this.expanded.add(s);
        any = true;
      }
    }
    if (any) this.changed();
  }

  private changed(): void {
    this.relayout();
    this.events.onExpandedChange(this.expandedIds);
  }

  private layoutHas(id: number): boolean {
    return this.layout?.indexOf.has(id) ?? false;
  }

  private relayout(): void {
    if (!this.tree) return;
    this.layout = layoutVisible(this.tree, this.expanded, ROW, COLUMN);
    this.sizer.style.height = `${this.layout.height}px`;
    this.sizer.style.width = `${this.layout.width + 80}px`;
    this.edges.setAttribute('width', String(this.layout.width + 80));
    this.container.dataset.visibleNodes = String(this.layout.nodes.length);
    // Rows keep their ids but may move: redraw every row in view.
    for (const r of this.rows.values()) r.remove();
    this.rows.clear();
    this.render();
  }

  private render(): void {
    const t = this.tree;
    const layout = this.layout;
    if (!t || !layout) return;
    const started = performance.now();
    const top = this.container.scrollTop - MARGIN;
    const bottom = this.container.scrollTop + (this.container.clientHeight || 520) + MARGIN;
    const from = firstAtOrBelow(layout.nodes, top);
    const keep = new Set<number>();
    const paths: string[] = [];
    const actualPaths: string[] = [];
    for (let i = from; i < layout.nodes.length && layout.nodes[i]!.y <= bottom; i++) {
      const n = layout.nodes[i]!;
      keep.add(n.id);
      if (!this.rows.has(n.id)) {
        const row = this.row(t, n);
        this.rows.set(n.id, row);
        this.sizer.append(row);
      }
      if (n.parent >= 0) {
        const p = layout.nodes[layout.indexOf.get(n.parent)!]!;
        const d = edgePath(p, n, top);
        (t.onActualPath[n.id] ? actualPaths : paths).push(`${d}|${edgeWidth(t.probability[n.id]!)}`);
      }
    }
    for (const [id, row] of this.rows) {
      if (!keep.has(id)) {
        row.remove();
        this.rows.delete(id);
      }
    }
    // Edges into rows in view (their parents may sit above the viewport).
    const frag = document.createDocumentFragment();
    for (const [list, cls] of [
      [paths, ''],
      [actualPaths, 'actual'],
    ] as const) {
      for (const item of list) {
        const [d, w] = item.split('|');
        const el = document.createElementNS(SVG_NS, 'path');
        el.setAttribute('d', d!);
        el.setAttribute('stroke-width', w!);
        if (cls) el.setAttribute('class', cls);
        frag.append(el);
      }
    }
    // The edge layer covers only the rendered window (a 100,000-px-tall SVG is costly to paint).
    this.edges.setAttribute('height', String(Math.max(0, bottom - top)));
    this.edges.style.transform = `translateY(${top}px)`;
    this.edges.replaceChildren(frag);
    this.container.dataset.renderedNodes = String(this.rows.size);
    this.container.setAttribute('aria-activedescendant', `tree-node-${this.active}`);
    for (const [id, row] of this.rows) row.classList.toggle('active', id === this.active);
    // Script time of this render, for the render test's report (frames also pay layout and paint).
    this.container.dataset.renderMs = (performance.now() - started).toFixed(2);
  }

  private row(t: IndexedTree, n: LaidOutNode): HTMLElement {
    const id = n.id;
    const p = t.probability[id]!;
    const match = t.match[id];
    const isSeed = id === 0;
    const twisty = h('span', {
      class: `twisty codicon ${n.hasChildren ? (n.expanded ? 'codicon-chevron-down' : 'codicon-chevron-right') : ''}`,
      'aria-hidden': 'true',
    });
    const bar = h('span', { class: 'prob-bar', 'aria-hidden': 'true' });
    bar.style.width = `${Math.max(2, Math.round(p * 40))}px`;
    bar.style.opacity = String(0.35 + 0.65 * p);
    // The row is named by its visible text (event, probability, match badge: WCAG 2.5.3), then what
    // only colour and icons show, in words for screen readers.
    const spoken = [
      isSeed ? 'seed event' : 'probability',
      t.actual[id] && !isSeed ? 'actual outcome' : '',
      match ? 'match kind' : '',
    ]
      .filter(Boolean)
      .join(', ');
    const row = h(
      'div',
      {
        class: `tree-node${t.onActualPath[id] ? ' actual' : ''}${this.hits.has(id) ? ' hit' : ''}`,
        id: `tree-node-${id}`,
        role: 'treeitem',
        'aria-level': t.depth[id]! + 1,
        'aria-expanded': n.hasChildren ? String(n.expanded) : null,
        'data-node-id': id,
        'data-actual': t.onActualPath[id] ? 'true' : null,
        title: t.matchActual[id] ? `${t.event[id]} — compared with: ${t.matchActual[id]}` : t.event[id],
      },
      twisty,
      isSeed ? h('span', { class: 'codicon codicon-record', 'aria-hidden': 'true' }) : bar,
      t.actual[id] && !isSeed ? h('span', { class: 'codicon codicon-pass-filled', 'aria-hidden': 'true' }) : null,
      h('span', { class: 'event' }, t.event[id]!),
      isSeed ? h('span', { class: 'prob' }, t.seedDate) : h('span', { class: 'prob' }, `${(p * 100).toFixed(1)} %`),
      match ? h('span', { class: `badge badge-${match}` }, match) : null,
      h('span', { class: 'sr-only' }, ` (${spoken})`),
    );
    row.style.transform = `translate(${n.x}px, ${n.y}px)`;
    return row;
  }

  setActive(id: number): void {
    this.active = id;
    this.events.onActiveChange(id);
    const layout = this.layout;
    if (layout) {
      const i = layout.indexOf.get(id);
      if (i !== undefined) {
        const n = layout.nodes[i]!;
        const c = this.container;
        if (n.y < c.scrollTop) c.scrollTop = n.y;
        else if (n.y + ROW > c.scrollTop + c.clientHeight) c.scrollTop = n.y + ROW - c.clientHeight;
        if (n.x < c.scrollLeft) c.scrollLeft = Math.max(0, n.x - 20);
        else if (n.x + COLUMN > c.scrollLeft + c.clientWidth) c.scrollLeft = n.x + COLUMN - c.clientWidth;
      }
    }
    this.render();
  }

  private onKey(e: KeyboardEvent): void {
    const t = this.tree;
    const layout = this.layout;
    if (!t || !layout) return;
    const order = layout.order;
    const i = Math.max(0, order.indexOf(this.active));
    const move = (j: number): void => this.setActive(order[Math.max(0, Math.min(order.length - 1, j))]!);
    switch (e.key) {
      case 'ArrowDown':
        move(i + 1);
        break;
      case 'ArrowUp':
        move(i - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(order.length - 1);
        break;
      case 'ArrowRight':
        if (t.children[this.active]!.length && !this.expanded.has(this.active)) this.toggle(this.active);
        else if (this.expanded.has(this.active)) this.setActive(t.children[this.active]![0]!);
        break;
      case 'ArrowLeft':
        if (this.expanded.has(this.active) && t.children[this.active]!.length) this.toggle(this.active);
        else if (t.parent[this.active]! >= 0) this.setActive(t.parent[this.active]!);
        break;
      case 'Enter':
      case ' ':
        this.toggle(this.active);
        break;
      case '*':
        this.expandSiblings(this.active);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}

/** A curve from the parent's row to the child's, in the edge layer's coordinates (offset `top`). */
function edgePath(p: LaidOutNode, n: LaidOutNode, top: number): string {
  const x0 = p.x + 284;
  const y0 = p.y + 12 - top;
  const x1 = n.x;
  const y1 = n.y + 12 - top;
  const mx = (x0 + x1) / 2;
  return `M${x0},${y0}C${mx},${y0} ${mx},${y1} ${x1},${y1}`;
}

/** Probability shown by edge width as well as by the bar. */
function edgeWidth(p: number): string {
  return (1 + 5 * p).toFixed(2);
}
