// Chart.js wrappers. Each chart card owns one canvas with a stable id (`chart-<name>`), says how
// many points it draws in `data-points`, and shows an empty-state line instead of a blank canvas.
// Colours come from the theme (./chartTheme.ts: `--vscode-charts-*`, made opaque and
// ≥ 3:1 on the card) and are re-read when the theme changes; the canvas lists the colours its marks
// use in `data-colors`, so render tests can check them. Every card has a "Table" toggle that shows
// the chart's numbers as a table (./chartTable.ts) in place of the canvas.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type TooltipItem,
} from 'chart.js';
import { chartTable, type TableSeries } from './chartTable';
import type { ChartTheme } from './chartTheme';
import { h } from './dom';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  Filler,
  Legend,
  LinearScale,
  LogarithmicScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Tooltip,
);

export type Theme = ChartTheme;

/** Colour with alpha, for any CSS colour the theme gives (hex or rgb). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(color.trim());
  if (hex) {
    let v = hex[1]!;
    if (v.length === 3) v = [...v].map((c) => c + c).join('');
    const r = parseInt(v.slice(0, 2), 16);
    const g = parseInt(v.slice(2, 4), 16);
    const b = parseInt(v.slice(4, 6), 16);
    return `rgba(${r}, ${g}, ${b}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(color.trim());
  if (rgb) return `rgba(${rgb[1]}, ${rgb[2]}, ${rgb[3]}, ${alpha})`;
  return color;
}

export type AnyDataset = ChartDataset<'line' | 'bar' | 'scatter', (number | null | { x: number; y: number | null })[]>;

export interface ChartSpec {
  type: 'line' | 'bar' | 'scatter';
  labels?: string[];
  datasets: AnyDataset[];
  /** Points counted in data-points (primary series; smoothed overlays and gate lines excluded). */
  points: number;
  xTitle?: string;
  yTitle?: string;
  stacked?: boolean;
  xLinear?: boolean;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xMax?: number;
  legend?: boolean;
  /** A short text equivalent for screen readers, e.g. the latest value. */
  summary?: string;
  /** A second tooltip line for a point, e.g. its 95 % interval (the data table shows it too). */
  tooltipAfterLabel?: (datasetIndex: number, index: number) => string | undefined;
  /** Header of the data table's first column when `xTitle` does not say it (e.g. "Depth"). */
  tableX?: string;
}

/** The colours a chart's marks are painted with: lines by their stroke, bars by their fill. */
export function markColors(spec: ChartSpec): string[] {
  const out = new Set<string>();
  for (const d of spec.datasets) {
    const ds = d as { type?: string; borderColor?: unknown; backgroundColor?: unknown; fill?: unknown };
    const colour = (ds.type ?? spec.type) === 'bar' ? ds.backgroundColor : ds.borderColor;
    if (typeof colour === 'string' && colour !== 'transparent') out.add(colour);
  }
  return [...out];
}

/** A titled card holding one chart or its empty state, and the chart's data table behind a toggle. */
export class ChartCard {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly emptyEl: HTMLElement;
  private readonly box: HTMLElement;
  private readonly tableBox: HTMLElement;
  private readonly toggle: HTMLElement;
  private chart: Chart | null = null;
  private kind: string | null = null;
  private spec: ChartSpec | null = null;
  private showTable = false;

  constructor(
    private readonly name: string,
    private readonly title: string,
    private readonly emptyText: string,
    wide = false,
    private readonly onToggle?: (name: string, table: boolean) => void,
  ) {
    this.canvas = h('canvas', { id: `chart-${name}`, role: 'img', 'aria-label': title, 'data-points': 0 });
    this.box = h('div', { class: 'canvas-box' }, this.canvas);
    this.emptyEl = h('p', { class: 'empty', id: `chart-${name}-empty` }, emptyText);
    // A scrolling region the keyboard can reach (it may hold thousands of steps).
    this.tableBox = h('div', {
      class: 'chart-table-box',
      id: `chart-${name}-table-box`,
      role: 'region',
      tabindex: 0,
      'aria-label': `${title}: data table`,
    });
    this.toggle = h(
      'vscode-button',
      {
        class: 'chart-table-toggle',
        id: `chart-${name}-table-toggle`,
        secondary: true,
        icon: 'table',
        'aria-pressed': 'false',
        'aria-controls': this.tableBox.id,
        title: `Show ${title} as a table`,
      },
      'Table',
    );
    this.toggle.addEventListener('click', () => this.setTable(!this.showTable));
    const head = h('div', { class: 'card-head' }, h('h3', {}, title), this.toggle);
    this.el = h(
      'section',
      { class: `card${wide ? ' wide' : ''}`, id: `card-${name}`, 'aria-label': title },
      head,
      this.box,
      this.tableBox,
      this.emptyEl,
    );
    this.box.hidden = true;
    this.tableBox.hidden = true;
  }

  /** Shows the data table in place of the chart (true) or the chart again. */
  setTable(on: boolean): void {
    this.showTable = on;
    this.toggle.setAttribute('aria-pressed', String(on));
    // Pressed looks pressed: the primary button colours while the table shows.
    this.toggle.toggleAttribute('secondary', !on);
    this.toggle.setAttribute('title', on ? `Show ${this.title} as a chart` : `Show ${this.title} as a table`);
    this.onToggle?.(this.name, on);
    this.layout();
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
    this.kind = null;
  }

  private layout(): void {
    const spec = this.spec;
    const empty = spec === null || spec.points === 0;
    this.box.hidden = empty || this.showTable;
    this.tableBox.hidden = empty || !this.showTable;
    this.toggle.hidden = empty;
    if (!this.tableBox.hidden && spec)
      this.tableBox.replaceChildren(
        chartTable(
          {
            caption: this.title,
            xTitle: spec.tableX ?? spec.xTitle ?? 'Label',
            labels: spec.labels,
            series: tableSeries(spec),
          },
          `chart-${this.name}-table`,
        ),
      );
    else this.tableBox.replaceChildren();
  }

  /** Draws `spec`, or the empty state when it is null or has no points; updates in place when it can. */
  render(spec: ChartSpec | null, theme: Theme, emptyText?: string): void {
    const empty = spec === null || spec.points === 0;
    this.spec = spec;
    this.emptyEl.hidden = !empty;
    this.emptyEl.textContent = emptyText ?? this.emptyText;
    this.canvas.dataset.points = String(empty ? 0 : spec.points);
    this.canvas.dataset.datasets = String(empty ? 0 : spec.datasets.length);
    this.canvas.dataset.colors = empty ? '' : markColors(spec).join('; ');
    // Screen readers get the chart's title and what it holds, not just "image"; the numbers are one
    // button away, the card's Table toggle just before the canvas.
    this.canvas.setAttribute(
      'aria-label',
      empty
        ? `${this.title}: no data`
        : `${this.title}: ${spec.points} points${spec.summary ? `, ${spec.summary}` : ''}`,
    );
    this.layout();
    if (empty) {
      this.chart?.destroy();
      this.chart = null;
      this.kind = null;
      return;
    }
    const kind = `${spec.type}|${spec.stacked ? 's' : ''}|${spec.xLinear ? 'x' : ''}`;
    if (this.chart && this.kind === kind) {
      // Data-only update: no re-creation, no animation, so appends stay cheap.
      this.chart.data.labels = spec.labels ?? [];
      this.chart.data.datasets = spec.datasets as ChartConfiguration['data']['datasets'];
      this.chart.options = options(spec, theme) ?? {};
      this.chart.update('none');
      return;
    }
    this.chart?.destroy();
    this.kind = kind;
    this.chart = new Chart(this.canvas, {
      type: spec.type,
      data: { labels: spec.labels ?? [], datasets: spec.datasets as ChartConfiguration['data']['datasets'] },
      options: options(spec, theme),
    } as ChartConfiguration);
  }
}

/** The spec's series as the table lists them, each point with its tooltip note. */
function tableSeries(spec: ChartSpec): TableSeries[] {
  return spec.datasets.map((d, di) => ({
    label: String(d.label ?? `Series ${di + 1}`),
    data: d.data as TableSeries['data'],
    note: spec.tooltipAfterLabel ? (k: number) => spec.tooltipAfterLabel!(di, k) : undefined,
  }));
}

function options(spec: ChartSpec, theme: Theme): ChartConfiguration['options'] {
  const axis = (
    title: string | undefined,
    stacked: boolean,
    linear: boolean,
    min?: number,
    max?: number,
  ): Record<string, unknown> => ({
    // A category axis must not get `type: undefined`: Chart.js would drop the labels.
    ...(linear ? { type: 'linear' } : {}),
    stacked,
    min,
    max,
    title: { display: Boolean(title), text: title ?? '', color: theme.muted },
    ticks: { color: theme.muted, maxRotation: 0, autoSkip: true },
    grid: { color: withAlpha(theme.grid, 0.5) },
    border: { color: theme.grid },
  });
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    normalized: true,
    parsing: spec.type === 'bar' ? undefined : false,
    interaction: { mode: 'nearest', intersect: false },
    font: { family: theme.font },
    color: theme.fg,
    plugins: {
      legend: { display: spec.legend ?? spec.datasets.length > 1, labels: { color: theme.fg, boxWidth: 12 } },
      tooltip: {
        enabled: true,
        callbacks: spec.tooltipAfterLabel
          ? {
              afterLabel: (item: TooltipItem<'bar'>) =>
                spec.tooltipAfterLabel!(item.datasetIndex, item.dataIndex) ?? '',
            }
          : {},
      },
    },
    scales: {
      x: axis(spec.xTitle, Boolean(spec.stacked), Boolean(spec.xLinear), spec.xMin, spec.xMax),
      y: axis(spec.yTitle, Boolean(spec.stacked), true, spec.yMin, spec.yMax),
    },
  } as ChartConfiguration['options'];
}
