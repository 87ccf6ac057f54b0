// The virtualised case table: a fixed row height, a spacer as tall as all rows, and only the rows in
// (and just around) the viewport in the DOM. Rows come from the host by range and are cached by view
// index for the current `generation`; a reset drops the cache. Keyboard: arrows, PageUp/PageDown,
// Home/End move the selection, Enter goes to the form, F8 / Shift+F8 jump between problems.
import type { CaseRow, SortKey, TableQuery } from '../../src/caseTable/protocol';
import { MAX_ROWS_PER_REQUEST } from '../../src/caseTable/protocol';
import { h, oncePerFrame } from '../shared/dom';

export const ROW_HEIGHT = 24;
const OVERSCAN = 20;
const CACHE_LIMIT = 4000;

interface Column {
  key: SortKey | null;
  label: string;
  cls: string;
}

/** Review status badges (contract 1's `review`): a word with a mark, never colour alone. */
const REVIEW_MARK: Record<NonNullable<CaseRow['review']>, string> = {
  verified: '✓ verified',
  rejected: '✕ rejected',
  draft: '◌ draft',
};

const COLUMNS: Column[] = [
  { key: 'line', label: 'Line', cls: 'c-line' },
  { key: null, label: 'Id', cls: 'c-id' },
  { key: 'seed', label: 'Seed event', cls: 'c-seed' },
  { key: 'date', label: 'Date', cls: 'c-date' },
  { key: 'split', label: 'Split', cls: 'c-split' },
  { key: 'levels', label: 'Depths', cls: 'c-levels' },
  { key: 'candidates', label: 'Candidates', cls: 'c-cands' },
  { key: 'errors', label: 'Problems', cls: 'c-problems' },
];

export interface TableCallbacks {
  requestRows(generation: number, start: number, end: number): void;
  select(index: number, line: number): void;
  sort(key: SortKey): void;
  openInText(line: number): void;
  nextProblem(fromIndex: number, backwards: boolean): void;
  focusForm(): void;
  scrolled(scrollTop: number): void;
}

export class VirtualTable {
  readonly element: HTMLElement;
  private readonly viewport: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly body: HTMLElement;
  private readonly headers = new Map<SortKey, HTMLElement>();
  private cache = new Map<number, CaseRow>();
  private readonly pending = new Set<string>();
  private readonly rendered = new Map<number, { row: CaseRow | undefined; el: HTMLElement; selected: boolean }>();
  private generation = 0;
  private size = 0;
  /** Paints the rows in view, once per frame however many scrolls and resizes ask. */
  private readonly schedule = oncePerFrame(() => this.render());
  selectedLine: number | null = null;
  selectedIndex = -1;
  /** A keyboard move waiting for its row to arrive (index), or -1. */
  private waitingFor = -1;

  /** True while the keyboard has moved to a row the host has not sent yet: the selection is ours. */
  get moving(): boolean {
    return this.waitingFor >= 0 && this.waitingFor === this.selectedIndex && this.selectedLine === null;
  }

  constructor(private readonly cb: TableCallbacks) {
    const headRow = h('div', { role: 'row', class: 'row head', 'aria-rowindex': 1 });
    for (const col of COLUMNS) {
      const cell = h('div', { role: 'columnheader', class: `cell ${col.cls}` });
      if (col.key) {
        const key = col.key;
        const b = h(
          'button',
          { class: 'sort', id: `sort-${key}`, type: 'button', title: `Sort by ${col.label.toLowerCase()}` },
          col.label,
        );
        b.addEventListener('click', () => this.cb.sort(key));
        cell.append(b);
        cell.setAttribute('aria-sort', 'none');
        this.headers.set(key, cell);
      } else cell.append(col.label);
      headRow.append(cell);
    }
    this.spacer = h('div', { class: 'spacer' });
    this.body = h('div', { role: 'rowgroup', class: 'rows' });
    this.viewport = h('div', { class: 'viewport', id: 'case-table-viewport' }, this.spacer, this.body);
    this.element = h(
      'div',
      {
        id: 'case-table',
        role: 'grid',
        'aria-label': 'Cases',
        'aria-colcount': COLUMNS.length,
        'aria-rowcount': 1,
        tabindex: 0,
        class: 'table',
      },
      h('div', { role: 'rowgroup', class: 'headgroup' }, headRow),
      this.viewport,
    );
    this.viewport.addEventListener('scroll', () => {
      this.schedule();
      this.cb.scrolled(this.viewport.scrollTop);
    });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    this.body.addEventListener('click', (e) => this.onClick(e));
    new ResizeObserver(() => this.schedule()).observe(this.viewport);
  }

  /** Indices the viewport shows now (without overscan). */
  visibleRange(): { start: number; end: number } {
    const height = this.viewport.clientHeight || window.innerHeight;
    const start = Math.floor(this.viewport.scrollTop / ROW_HEIGHT);
    return { start, end: start + Math.ceil(height / ROW_HEIGHT) + 1 };
  }

  /** A new view (first load, re-query, lines inserted/removed): drop every cached row. */
  reset(generation: number, size: number, query: TableQuery): void {
    this.generation = generation;
    this.size = size;
    if (this.waitingFor >= size) this.waitingFor = -1; // that row no longer exists: stop waiting
    this.cache = new Map();
    this.pending.clear();
    this.spacer.style.height = `${size * ROW_HEIGHT}px`;
    this.element.setAttribute('aria-rowcount', String(size + 1));
    for (const [key, cell] of this.headers) {
      cell.setAttribute('aria-sort', query.sort === key ? (query.descending ? 'descending' : 'ascending') : 'none');
      cell.classList.toggle('sorted', query.sort === key);
      cell.classList.toggle('descending', query.sort === key && query.descending);
    }
    this.schedule();
  }

  setScrollTop(top: number): void {
    this.viewport.scrollTop = top;
  }

  addRows(generation: number, start: number, rows: CaseRow[]): void {
    if (generation !== this.generation) return;
    this.pending.delete(`${start}`);
    rows.forEach((r, k) => this.cache.set(start + k, r));
    this.schedule();
  }

  changeRows(generation: number, rows: { index: number; row: CaseRow }[]): void {
    if (generation !== this.generation) return;
    for (const { index, row } of rows) this.cache.set(index, row);
    this.schedule();
  }

  select(index: number, line: number | null): void {
    this.selectedIndex = index;
    this.selectedLine = line;
    if (index >= 0) this.scrollIntoView(index);
    this.schedule();
  }

  /** The row cached at `index`, if the host sent it. */
  rowAt(index: number): CaseRow | undefined {
    return this.cache.get(index);
  }

  focus(): void {
    this.element.focus();
  }

  private scrollIntoView(index: number): void {
    const top = index * ROW_HEIGHT;
    const height = this.viewport.clientHeight;
    if (top < this.viewport.scrollTop) this.viewport.scrollTop = top;
    else if (top + ROW_HEIGHT > this.viewport.scrollTop + height) this.viewport.scrollTop = top + ROW_HEIGHT - height;
  }

  /** Paints the visible rows now (tests and the first paint call it directly). */
  render(): void {
    const { start: vStart, end: vEnd } = this.visibleRange();
    const start = Math.max(0, vStart - OVERSCAN);
    const end = Math.min(this.size, vEnd + OVERSCAN);
    this.request(start, end);
    for (const [index, r] of this.rendered) {
      if (index < start || index >= end) {
        r.el.remove();
        this.rendered.delete(index);
      }
    }
    for (let i = start; i < end; i++) {
      const row = this.cache.get(i);
      const selected = row !== undefined && row.line === this.selectedLine;
      const current = this.rendered.get(i);
      if (current && current.row === row && current.selected === selected) continue;
      const el = this.rowElement(i, row, selected);
      if (current) current.el.replaceWith(el);
      else this.body.append(el);
      this.rendered.set(i, { row, el, selected });
      if (selected) {
        this.selectedIndex = i;
        this.element.setAttribute('aria-activedescendant', el.id);
      }
    }
    this.evict(start, end);
  }

  /** Asks the host for the missing rows of [start, end) in one request. */
  private request(start: number, end: number): void {
    let first = -1;
    let last = -1;
    for (let i = start; i < end; i++) {
      if (!this.cache.has(i)) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first < 0) return;
    const to = Math.min(last + 1, first + MAX_ROWS_PER_REQUEST);
    const key = `${first}`;
    if (this.pending.has(key)) return;
    this.pending.add(key);
    this.cb.requestRows(this.generation, first, to);
  }

  private evict(start: number, end: number): void {
    if (this.cache.size <= CACHE_LIMIT) return;
    for (const index of this.cache.keys())
      if (index < start - CACHE_LIMIT / 4 || index >= end + CACHE_LIMIT / 4) this.cache.delete(index);
  }

  private rowElement(index: number, row: CaseRow | undefined, selected: boolean): HTMLElement {
    const attrs: Record<string, string | number | boolean> = {
      role: 'row',
      class: `row${selected ? ' selected' : ''}${row ? ` kind-${row.kind}` : ' loading'}`,
      'aria-rowindex': index + 2,
      'aria-selected': selected ? 'true' : 'false',
      'data-index': index,
    };
    if (row) {
      attrs.id = `case-row-${row.line}`;
      attrs['data-line'] = row.line;
    }
    const el = h('div', attrs);
    el.style.transform = `translateY(${index * ROW_HEIGHT}px)`;
    if (!row) {
      el.append(h('div', { role: 'gridcell', class: 'cell c-line' }, '…'));
      return el;
    }
    const cell = (cls: string, text: string, title?: string): HTMLElement =>
      h('div', { role: 'gridcell', class: `cell ${cls}`, title: title ?? text }, text);
    el.append(cell('c-line', String(row.line + 1)));
    if (row.kind === 'raw' || row.kind === 'blank') {
      // Tab reaches the link of the selected row only, so the table stays one Tab stop among the rest.
      const open = h(
        'button',
        {
          type: 'button',
          class: 'link',
          id: `open-text-row-${row.line}`,
          'data-open-line': row.line,
          tabindex: selected ? 0 : -1,
        },
        `Open in text editor at line ${row.line + 1}`,
      );
      const raw = h(
        'div',
        { role: 'gridcell', class: 'cell c-raw', title: row.raw ?? '' },
        open,
        row.kind === 'blank' ? ' blank line' : ` ${row.raw ?? ''}`,
      );
      el.append(raw, h('div', { role: 'gridcell', class: 'cell c-problems' }, this.badges(row)));
      return el;
    }
    el.append(
      cell('c-id', row.id ?? ''),
      cell('c-seed', row.seed),
      cell('c-date', row.date),
      cell('c-split', row.split ?? ''),
      cell('c-levels', row.levels ? String(row.levels) : ''),
      cell('c-cands', row.candidates.join(' · ')),
      h('div', { role: 'gridcell', class: 'cell c-problems' }, this.badges(row)),
    );
    return el;
  }

  private badges(row: CaseRow): HTMLElement {
    const wrap = h('span', { class: 'badges' });
    if (row.errors)
      wrap.append(
        h(
          'span',
          { class: 'badge error', 'aria-label': `${row.errors} errors`, title: `${row.errors} errors` },
          `✕ ${row.errors}`,
        ),
      );
    if (row.warnings)
      wrap.append(
        h(
          'span',
          { class: 'badge warning', 'aria-label': `${row.warnings} warnings`, title: `${row.warnings} warnings` },
          `⚠ ${row.warnings}`,
        ),
      );
    if (row.review)
      wrap.append(
        h(
          'span',
          {
            class: `badge review ${row.review}`,
            'aria-label': `review: ${row.review}`,
            title: `review: ${row.review}`,
          },
          REVIEW_MARK[row.review],
        ),
      );
    return wrap;
  }

  private onClick(e: MouseEvent): void {
    const target = e.target as HTMLElement;
    const open = target.closest<HTMLElement>('[data-open-line]');
    if (open) {
      this.cb.openInText(Number(open.dataset.openLine));
      return;
    }
    const rowEl = target.closest<HTMLElement>('[data-line]');
    if (!rowEl) return;
    this.cb.select(Number(rowEl.dataset.index), Number(rowEl.dataset.line));
    this.element.focus();
  }

  private moveTo(index: number): void {
    if (this.size === 0) return;
    const i = Math.max(0, Math.min(this.size - 1, index));
    this.scrollIntoView(i);
    const row = this.cache.get(i);
    if (row) this.cb.select(i, row.line);
    else {
      // Not loaded yet: select as soon as the row arrives.
      this.selectedIndex = i;
      this.selectedLine = null;
      this.waitingFor = i;
      const wait = (): void => {
        if (this.selectedIndex !== i || this.waitingFor !== i) return;
        const r = this.cache.get(i);
        if (r) {
          this.waitingFor = -1;
          this.cb.select(i, r.line);
        } else setTimeout(wait, 30);
      };
      setTimeout(wait, 30);
    }
  }

  private onKey(e: KeyboardEvent): void {
    if (e.target !== this.element) return;
    const page = Math.max(1, Math.floor(this.viewport.clientHeight / ROW_HEIGHT) - 1);
    const at = this.selectedIndex;
    switch (e.key) {
      case 'ArrowDown':
        this.moveTo(at + 1);
        break;
      case 'ArrowUp':
        this.moveTo(at < 0 ? 0 : at - 1);
        break;
      case 'PageDown':
        this.moveTo(at + page);
        break;
      case 'PageUp':
        this.moveTo(at - page);
        break;
      case 'Home':
        this.moveTo(0);
        break;
      case 'End':
        this.moveTo(this.size - 1);
        break;
      case 'Enter':
        this.cb.focusForm();
        break;
      case 'F8':
        this.cb.nextProblem(at, e.shiftKey);
        break;
      default:
        return;
    }
    e.preventDefault();
  }
}
