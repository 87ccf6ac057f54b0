// A chart's numbers as a table: the text alternative every chart in a webview offers (WCAG 1.1.1).
// The rows are the chart's own data — categories (depths, stages) or x values (steps, predicted
// probabilities) down, one column per series — with each point's note (an interval) beside its
// value. `chartTableRows` is pure; `chartTable` builds the <table>.

/** A point as Chart.js holds it: a value on a category axis, or an {x, y} pair on a linear one. */
export type ChartPoint = number | null | { x: number; y: number | null };

export interface TableSeries {
  label: string;
  data: readonly ChartPoint[];
  /** A second text for the point at index k (e.g. "95 % interval [0.10, 0.14]"). */
  note?: (k: number) => string | undefined;
}

export interface ChartTableInput {
  caption: string;
  /** Header of the first column: the x axis title, or what the categories are. */
  xTitle: string;
  /** Category labels; absent for charts with a linear x axis. */
  labels?: readonly string[];
  series: readonly TableSeries[];
}

export interface ChartTableRows {
  head: string[];
  rows: string[][];
}

/** A number as a table shows it: integers whole, others to four significant digits. */
export function formatPoint(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(4)));
}

const yOf = (p: ChartPoint): number | null => (p === null ? null : typeof p === 'number' ? p : p.y);

export function chartTableRows(input: ChartTableInput): ChartTableRows {
  const head = [input.xTitle, ...input.series.map((s) => s.label)];
  const cell = (s: TableSeries, k: number, y: number | null): string => {
    if (y === null) return '—';
    const note = s.note?.(k);
    return note ? `${formatPoint(y)} (${note})` : formatPoint(y);
  };
  if (input.labels) {
    const rows = input.labels.map((label, k) => [
      label,
      ...input.series.map((s) => cell(s, k, yOf(s.data[k] ?? null))),
    ]);
    return { head, rows };
  }
  // Linear x: one row per x value any series has; a series with several points at one x (a
  // decimated min/max envelope) lists them all.
  const xs = new Set<number>();
  const byX = input.series.map((s) => {
    const m = new Map<number, string[]>();
    s.data.forEach((p, k) => {
      if (p === null || typeof p === 'number') return;
      xs.add(p.x);
      m.set(p.x, [...(m.get(p.x) ?? []), cell(s, k, p.y)]);
    });
    return m;
  });
  const rows = [...xs]
    .sort((a, b) => a - b)
    .map((x) => [formatPoint(x), ...byX.map((m) => (m.get(x) ?? ['—']).join(' / '))]);
  return { head, rows };
}

/** The table element: a caption, column headers, each row headed by its category or x value. */
export function chartTable(input: ChartTableInput, id: string): HTMLTableElement {
  const { head, rows } = chartTableRows(input);
  const table = document.createElement('table');
  table.id = id;
  table.className = 'chart-table';
  const caption = table.createCaption();
  caption.textContent = input.caption;
  const hr = table.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    hr.append(th);
  }
  const body = table.createTBody();
  for (const r of rows) {
    const tr = body.insertRow();
    r.forEach((text, i) => {
      const c = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) (c as HTMLTableCellElement).scope = 'row';
      else c.className = 'num';
      c.textContent = text;
      tr.append(c);
    });
  }
  return table;
}
