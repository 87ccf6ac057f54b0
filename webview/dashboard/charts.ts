// Chart.js wrappers. Each chart card owns one canvas with a stable id (`chart-<name>`), says how
// many points it draws in `data-points`, and shows an empty-state line instead of a blank canvas.
// Colours come from the theme (`--vscode-charts-*`) and are re-read when the theme changes.
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
import { cssVar, h } from './dom';

Chart.register(BarController, BarElement, CategoryScale, Filler, Legend, LinearScale, LogarithmicScale, LineController, LineElement, PointElement, ScatterController, Tooltip);

export interface Theme {
  fg: string;
  muted: string;
  grid: string;
  palette: string[];
  green: string;
  red: string;
  font: string;
}

export function readTheme(): Theme {
  return {
    fg: cssVar('--vscode-foreground', '#cccccc'),
    muted: cssVar('--vscode-descriptionForeground', '#999999'),
    grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-widget-border', 'rgba(128,128,128,0.3)')),
    palette: [
      cssVar('--vscode-charts-blue', '#3794ff'),
      cssVar('--vscode-charts-orange', '#d18616'),
      cssVar('--vscode-charts-purple', '#b180d7'),
      cssVar('--vscode-charts-green', '#89d185'),
      cssVar('--vscode-charts-yellow', '#cca700'),
      cssVar('--vscode-charts-red', '#f14c4c'),
    ],
    green: cssVar('--vscode-charts-green', '#89d185'),
    red: cssVar('--vscode-charts-red', '#f14c4c'),
    font: cssVar('--vscode-font-family', 'sans-serif'),
  };
}

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
  /** A second tooltip line for a point, e.g. its 95 % interval. */
  tooltipAfterLabel?: (datasetIndex: number, index: number) => string | undefined;
}

/** A titled card holding one chart or its empty state. */
export class ChartCard {
  readonly el: HTMLElement;
  readonly canvas: HTMLCanvasElement;
  private readonly emptyEl: HTMLElement;
  private readonly box: HTMLElement;
  private chart: Chart | null = null;
  private kind: string | null = null;

  constructor(name: string, private readonly title: string, private readonly emptyText: string, wide = false) {
    this.canvas = h('canvas', { id: `chart-${name}`, role: 'img', 'aria-label': title, 'data-points': 0 });
    this.box = h('div', { class: 'canvas-box' }, this.canvas);
    this.emptyEl = h('p', { class: 'empty', id: `chart-${name}-empty` }, emptyText);
    this.el = h('section', { class: `card${wide ? ' wide' : ''}`, id: `card-${name}`, 'aria-label': title }, h('h3', {}, title), this.box, this.emptyEl);
    this.box.hidden = true;
  }

  destroy(): void {
    this.chart?.destroy();
    this.chart = null;
    this.kind = null;
  }

  /** Draws `spec`, or the empty state when it is null or has no points; updates in place when it can. */
  render(spec: ChartSpec | null, theme: Theme, emptyText?: string): void {
    const empty = spec === null || spec.points === 0;
    this.box.hidden = empty;
    this.emptyEl.hidden = !empty;
    this.emptyEl.textContent = emptyText ?? this.emptyText;
    this.canvas.dataset.points = String(empty ? 0 : spec.points);
    this.canvas.dataset.datasets = String(empty ? 0 : spec.datasets.length);
    // Screen readers get the chart's title and what it holds, not just "image".
    this.canvas.setAttribute('aria-label', empty ? `${this.title}: no data` : `${this.title}: ${spec.points} points${spec.summary ? `, ${spec.summary}` : ''}`);
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

function options(spec: ChartSpec, theme: Theme): ChartConfiguration['options'] {
  const axis = (title: string | undefined, stacked: boolean, linear: boolean, min?: number, max?: number): Record<string, unknown> => ({
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
      tooltip: { enabled: true, callbacks: spec.tooltipAfterLabel ? { afterLabel: (item: TooltipItem<'bar'>) => spec.tooltipAfterLabel!(item.datasetIndex, item.dataIndex) ?? '' } : {} },
    },
    scales: {
      x: axis(spec.xTitle, Boolean(spec.stacked), Boolean(spec.xLinear), spec.xMin, spec.xMax),
      y: axis(spec.yTitle, Boolean(spec.stacked), true, spec.yMin, spec.yMax),
    },
  } as ChartConfiguration['options'];
}
