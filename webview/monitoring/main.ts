// The Monitoring webview: how the forecast service's model versions score as outcomes resolve
// (GET /v1/track): Brier and skill over time per model version, and the A/B comparison. Protocol:
// say `ready`, receive the state; Refresh asks again. Every chart has its numbers as a table.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { TrackModel } from '../../src/contracts/service';
import type {
  HostToWebview,
  MonitoringAction,
  MonitoringState,
  WebviewToHost,
} from '../../src/forecast/monitoring/protocol';
import { alignedSeries, compareArms, formatScore, trackDates, type TrackField } from '../../src/forecast/track';
import { ChartCard, type ChartSpec, type Theme } from '../shared/charts';
import { chartTheme } from '../shared/chartTheme';
import { onHostMessage, vsCodeApi } from '../shared/api';
import { byId, h, icon, injectStyles } from '../shared/dom';
import css from './styles.css';

const vscode = vsCodeApi<WebviewToHost>();
const post = (msg: WebviewToHost): void => vscode.postMessage(msg);
const ACTION_LABEL: Record<MonitoringAction, string> = {
  startLocalService: 'Start Local Forecast Service',
  setToken: 'Set Forecast Service Token',
  setProxyToken: 'Set Modal Proxy Auth Token',
  openSettings: 'Open Settings',
};

let state: MonitoringState | null = null;
let theme: Theme;
const cards = {
  brier: new ChartCard(
    'brier-time',
    'Brier score over time (lower is better)',
    'No resolved forecasts yet — record an outcome in the Predictions view.',
  ),
  skill: new ChartCard('skill-time', 'Brier skill over time (0 = uniform forecast)', 'No resolved forecasts yet.'),
  ab: new ChartCard('ab', 'Model versions compared (whole history)', 'No resolved forecasts yet.'),
};

injectStyles(css);
onHostMessage<HostToWebview>((msg) => {
  if (msg.type === 'state') render(msg.state);
  else byId('monitoring-root').setAttribute('aria-busy', 'true');
});
new MutationObserver(() => {
  theme = chartTheme();
  if (state) drawCharts(state);
}).observe(document.body, { attributes: true, attributeFilter: ['class'] });
post({ type: 'ready' });

function render(s: MonitoringState): void {
  state = s;
  theme = chartTheme();
  const root = byId('monitoring-root');
  root.setAttribute('aria-busy', 'false');
  const refresh = h('vscode-button', { id: 'btn-refresh', secondary: true, icon: 'refresh' }, 'Refresh');
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  const facts = s.url ? `${s.url} · fetched ${s.fetchedAt.slice(11, 19)} UTC` : 'No forecast service';
  const header = h(
    'header',
    { id: 'mon-header' },
    h('h1', {}, 'Forecast monitoring'),
    h('span', { class: 'facts', id: 'mon-facts' }, facts),
    h('span', { class: 'spacer' }),
    refresh,
  );
  const notice = s.error ? errorNotice(s.error.message, s.error.action) : null;
  const ab = compareArms(s);
  root.replaceChildren(
    header,
    h('section', { id: 'mon-status', role: 'status', 'aria-live': 'polite', 'aria-label': 'Status' }, notice),
    h(
      'p',
      { id: 'ab-comparison', class: 'note' },
      ab?.sentence ??
        (s.models.length > 1 ? 'Several model versions have forecast here; the table compares them.' : ''),
    ),
    h(
      'section',
      { id: 'section-models', 'aria-label': 'Model versions' },
      h('h2', {}, 'Model versions'),
      modelsTable(s.models),
    ),
    h(
      'section',
      { id: 'section-charts', 'aria-label': 'Charts' },
      h('h2', {}, 'Accuracy as outcomes resolve'),
      h('div', { class: 'grid' }, cards.brier.el, cards.skill.el, cards.ab.el),
    ),
  );
  drawCharts(s);
}

function errorNotice(message: string, action: MonitoringAction | null): HTMLElement {
  const button = action ? h('vscode-button', { id: `action-${action}` }, ACTION_LABEL[action]) : null;
  button?.addEventListener('click', () => post({ type: 'action', action: action! }));
  return h('div', { class: 'notice', id: 'mon-error' }, icon('error'), h('span', {}, message), button);
}

function modelsTable(models: readonly TrackModel[]): HTMLElement {
  if (!models.length)
    return h('p', { class: 'empty', id: 'models-empty' }, 'No forecasts yet — run "Forecast Seed Event…".');
  const head = [
    'Model version',
    'Forecasts',
    'Resolved levels',
    'Brier',
    'Skill',
    'ECE',
    'Live perplexity',
    'Match rate',
  ];
  const rows = models.map((m) =>
    h(
      'tr',
      { 'data-model': m.model },
      h('th', { scope: 'row' }, m.model),
      ...[
        String(m.forecasts),
        String(m.resolved),
        formatScore(m.brier),
        formatScore(m.brierSkill),
        formatScore(m.ece),
        formatScore(m.perplexity, 2),
        m.matchRate === null ? '—' : `${Math.round(m.matchRate * 100)} %`,
      ].map((v) => h('td', { class: 'num' }, v)),
    ),
  );
  return h(
    'div',
    { class: 'table-box', role: 'region', 'aria-label': 'Model versions table', tabindex: 0 },
    h(
      'table',
      { id: 'models-table' },
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows),
    ),
  );
}

/** A table of a chart's numbers (rows: x values, columns: series), placed under the chart. */
function valuesTable(
  id: string,
  caption: string,
  xTitle: string,
  xs: readonly string[],
  series: { label: string; values: readonly (number | null)[]; digits?: number }[],
): HTMLElement {
  return h(
    'div',
    { class: 'table-box', role: 'region', 'aria-label': `${caption} (values)`, tabindex: 0 },
    h(
      'table',
      { id },
      h('caption', {}, `${caption}: the values`),
      h(
        'thead',
        {},
        h('tr', {}, h('th', { scope: 'col' }, xTitle), ...series.map((s) => h('th', { scope: 'col' }, s.label))),
      ),
      h(
        'tbody',
        {},
        ...xs.map((x, i) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, x),
            ...series.map((s) => h('td', { class: 'num' }, formatScore(s.values[i] ?? null, s.digits))),
          ),
        ),
      ),
    ),
  );
}

function drawCharts(s: MonitoringState): void {
  const dates = trackDates(s.models);
  const resolved = s.models.filter((m) => m.resolved > 0);
  const color = (i: number): string => theme.palette[i % theme.palette.length]!;
  const overTime = (card: ChartCard, field: TrackField, yTitle: string, tableId: string): void => {
    const series = resolved.map((m) => ({ label: m.model, values: alignedSeries(m, dates, field) }));
    const spec: ChartSpec = {
      type: 'line',
      labels: dates,
      datasets: series.map((se, i) => ({
        label: se.label,
        data: se.values.map((y, x) => ({ x, y })),
        borderColor: color(i),
        backgroundColor: color(i),
        pointRadius: 3,
        spanGaps: true,
      })),
      points: series.reduce((n, se) => n + se.values.filter((v) => v !== null).length, 0),
      xTitle: 'Day outcomes were recorded (UTC)',
      yTitle,
      legend: true,
      summary: series.map((se) => `${se.label} latest ${formatScore(se.values.at(-1) ?? null)}`).join('; '),
    };
    card.render(spec, theme);
    replaceTable(card, valuesTable(tableId, card.el.querySelector('h3')?.textContent ?? yTitle, 'Day', dates, series));
  };
  overTime(cards.brier, 'brier', 'Brier (cumulative)', 'table-brier-time');
  overTime(cards.skill, 'brierSkill', 'Skill (cumulative)', 'table-skill-time');
  const labels = resolved.map((m) => m.model);
  const brier = resolved.map((m) => m.brier);
  const skill = resolved.map((m) => m.brierSkill);
  cards.ab.render(
    {
      type: 'bar',
      labels,
      datasets: [
        { label: 'Brier', data: brier, backgroundColor: color(0) },
        { label: 'Skill', data: skill, backgroundColor: color(1) },
      ],
      points: labels.length,
      yTitle: 'Score',
      legend: true,
      summary: resolved
        .map(
          (m) =>
            `${m.model}: Brier ${formatScore(m.brier)}, skill ${formatScore(m.brierSkill)} on ${m.resolved} levels`,
        )
        .join('; '),
    },
    theme,
  );
  replaceTable(
    cards.ab,
    valuesTable('table-ab', 'Model versions compared', 'Model version', labels, [
      { label: 'Brier', values: brier },
      { label: 'Skill', values: skill },
      { label: 'Resolved levels', values: resolved.map((m) => m.resolved), digits: 0 },
    ]),
  );
}

function replaceTable(card: ChartCard, table: HTMLElement): void {
  card.el.querySelector('.table-box')?.remove();
  card.el.append(table);
}
