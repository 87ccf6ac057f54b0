// The dashboard webview app: one run, or several compared. Protocol: say `ready`, receive the full
// state, then only data (`append` for new points, `tree` for a requested tree). The DOM is built
// once per state; appends update chart data in place. View state (smoothing, chosen tree, expanded
// nodes, search) is kept with setState so hiding and showing the panel loses nothing.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { VscodeSingleSelect } from '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { EvalEvent, MatchCounts, Stage } from '../../src/contracts/metrics';
import type { ForecastTree } from '../../src/contracts/tree';
import { StreamingDecimator, emaSmooth, type XY } from '../../src/dashboard/decimate';
import { matcherNote } from '../../src/dashboard/matcher';
import { EXACT_DOMINANCE, formatShift, kindShift } from '../../src/dashboard/matchShift';
import {
  GATES,
  NO_DATA,
  allStageGates,
  coverageShares,
  formatGateValue,
  type GateResult,
  type GateSpec,
  type GateStatus,
  type StageGates,
} from '../../src/dashboard/gates';
import type {
  DashboardState,
  HostToWebview,
  Notice,
  RunAppend,
  RunSnapshot,
  TreeRef,
  WebviewToHost,
} from '../../src/dashboard/protocol';
import { depthsOf, formatDuration, latestEvals, stagesOf, type DepthKey } from '../../src/dashboard/series';
import {
  formatInterval,
  formatNumber,
  formatParseFailures,
  stageForecast,
  type ReadoutName,
  type StageForecast,
} from '../../src/dashboard/readouts';
import { defaultExpanded, indexTree, searchNodes } from '../../src/dashboard/tree';
import { applyColorRoles } from '../shared/themeColors';
import { ChartCard, withAlpha, type AnyDataset, type ChartSpec, type Theme } from '../shared/charts';
import { chartTheme, fadedMark } from '../shared/chartTheme';
import { DASHBOARD_COLORS } from './colors';
import { onHostMessage, vsCodeApi } from '../shared/api';
import { byId, h, icon, injectStyles, oncePerFrame, textField } from '../shared/dom';
import css from './styles.css';
import { TreeViewer } from './treeView';

interface PersistedState {
  smoothing: number;
  /** Charts shown as their data table. */
  tables: string[];
  tree: TreeRef | null;
  expanded: number[];
  treeSearch: string;
  nodeSearch: string;
}

const vscode = vsCodeApi<WebviewToHost, PersistedState>();
const persisted: PersistedState = {
  smoothing: 0.6,
  tables: [],
  tree: null,
  expanded: [],
  treeSearch: '',
  nodeSearch: '',
  ...(vscode.getState() as Partial<PersistedState> | undefined),
};
const save = (): void => vscode.setState(persisted);
const post = (msg: WebviewToHost): void => vscode.postMessage(msg);

/** Per-run live model: decimators absorb appends at constant cost. */
interface RunModel {
  snap: RunSnapshot;
  loss: StreamingDecimator;
  lr: StreamingDecimator;
  rewardMean: StreamingDecimator;
  rewardStd: StreamingDecimator;
}

let state: DashboardState | null = null;
let models: RunModel[] = [];
let theme: Theme;
const cards: Record<string, ChartCard> = {};
let treeViewer: TreeViewer | null = null;
let currentTree: { ref: TreeRef; tree: ForecastTree } | null = null;
/** The host asked for a tree (CodeLens "Show forecast tree"): bring it into view when it arrives. */
let revealTree = false;

injectStyles(css);
onHostMessage<HostToWebview>(onMessage);
// Readable theme colours as --ph-* for the CSS; on a theme switch, charts redraw with the new palette.
applyColorRoles(DASHBOARD_COLORS, () => {
  theme = chartTheme();
  redrawCharts();
});
post({ type: 'ready' });

function onMessage(msg: HostToWebview): void {
  switch (msg.type) {
    case 'state':
      setState(msg.state);
      break;
    case 'append':
      applyAppend(msg.append);
      break;
    case 'tree':
      showTree(msg.ref, msg.tree, msg.error);
      break;
    case 'focusTree':
      revealTree = true;
      selectTree(msg.ref);
      break;
  }
}

function modelOf(snap: RunSnapshot): RunModel {
  const m: RunModel = {
    snap,
    loss: new StreamingDecimator(),
    lr: new StreamingDecimator(),
    rewardMean: new StreamingDecimator(),
    rewardStd: new StreamingDecimator(),
  };
  feed(m, snap.train);
  return m;
}

function feed(m: RunModel, t: RunSnapshot['train']): void {
  for (let i = 0; i < t.step.length; i++) {
    const x = t.step[i]!;
    m.loss.push(x, t.loss[i]!);
    m.lr.push(x, t.lr[i]!);
    const rm = t.rewardMean[i];
    const rs = t.rewardStd[i];
    if (rm !== null && rm !== undefined) m.rewardMean.push(x, rm);
    if (rs !== null && rs !== undefined) m.rewardStd.push(x, rs);
  }
}

function setState(s: DashboardState): void {
  // A refresh rebuilds the sections: release the old charts first.
  for (const [k, c] of Object.entries(cards)) {
    c.destroy();
    delete cards[k];
  }
  state = s;
  models = s.runs.map(modelOf);
  theme = chartTheme();
  const root = byId('dashboard-root');
  root.setAttribute('aria-busy', 'false');
  root.dataset.mode = s.mode;
  if (s.mode === 'empty') {
    root.replaceChildren(emptyState(s.emptyMessage ?? 'No runs yet — Launch SFT to start one.'));
    return;
  }
  // Forecasts from the service (mode 'forecast') have trees only: no training or evaluation sections.
  const runSections = s.mode === 'forecast' ? [] : [trainingSection(), evalSection()];
  root.replaceChildren(
    header(),
    h('section', { id: 'notices', role: 'status', 'aria-live': 'polite', 'aria-label': 'Notices' }),
    ...runSections,
    treeSection(),
  );
  renderHeaderFacts();
  renderNotices();
  redrawCharts();
  renderTreeList();
  revealTree = s.focusTree !== null;
  const focus = s.focusTree ?? persisted.tree;
  if (focus && s.runs.some((r) => r.id === focus.runId && focus.index < r.trees.length))
    selectTree(focus, focus === persisted.tree);
  else {
    const first = s.runs.find((r) => r.trees.length);
    if (first) selectTree({ runId: first.id, index: 0 });
  }
}

/** A chart card: name (its key in `cards`), title, the text it shows before there is data, whether it spans the grid. */
type CardSpec = [name: string, title: string, emptyText: string, wide?: boolean];

const NO_EVAL = 'No eval events yet — run an evaluation.';
const TRAINING_CARDS: CardSpec[] = [
  ['loss', 'Training loss', 'No train events yet — the loss appears here as the job logs steps.', true],
  ['lr', 'Learning rate', 'No train events yet.'],
  ['reward', 'GRPO reward (mean ± std)', 'No reward logged — GRPO runs log rewardMean and rewardStd.'],
];
const EVAL_CARDS: CardSpec[] = [
  ['perplexity', 'Perplexity by depth', NO_EVAL],
  ['brier', 'Brier score by depth', NO_EVAL],
  [
    'skill',
    'Brier skill by depth (0 = uniform forecast)',
    'No Brier skill logged — runs from before skill was reported show — in the stage table.',
  ],
  ['ece', 'Expected calibration error by depth', 'No ECE logged yet.'],
  ['reliability', 'Reliability diagram', 'No forecast trees with actual outcomes — an eval run writes trees.jsonl.'],
  ['coverage', 'Match coverage (exact / semantic / LLM / none)', NO_EVAL, true],
  ['kinds', 'Match kinds across runs and stages (whole split)', NO_EVAL, true],
];

/** The grid of `specs`' chart cards, in that order, each kept in `cards` under its name, its table toggle
 * remembered across reloads. */
function cardGrid(specs: CardSpec[], attrs: Record<string, string> = {}): HTMLElement {
  const made = specs.map(([name, title, emptyText, wide = false]) => {
    const c = new ChartCard(name, title, emptyText, wide, (n, on) => {
      persisted.tables = on ? [...new Set([...persisted.tables, n])] : persisted.tables.filter((x) => x !== n);
      save();
    });
    if (persisted.tables.includes(name)) c.setTable(true);
    return (cards[name] = c).el;
  });
  return h('div', { class: 'grid', ...attrs }, ...made);
}

function emptyState(message: string): HTMLElement {
  const launch = h('vscode-button', { id: 'empty-launch-sft', icon: 'rocket' }, 'Launch SFT');
  launch.addEventListener('click', () => post({ type: 'command', command: 'launchSft' }));
  return h(
    'section',
    { id: 'empty-state', 'aria-label': 'No runs' },
    h('h1', {}, 'PsychoHistory dashboard'),
    h('p', {}, icon('graph-line'), ' ', message),
    launch,
  );
}

function header(): HTMLElement {
  const s = state!;
  const title =
    s.mode === 'compare'
      ? `Compare ${s.runs.length} runs`
      : s.mode === 'forecast'
        ? 'Forecasts from the service'
        : `Run ${s.runs[0]?.id ?? ''}`;
  // Named by their visible text (WCAG 2.5.3); the title says more.
  const refresh = h(
    'vscode-button',
    { id: 'btn-refresh', secondary: true, icon: 'refresh', title: 'Reload the run from disk' },
    'Refresh',
  );
  refresh.addEventListener('click', () => post({ type: 'command', command: 'refresh' }));
  const folder = h(
    'vscode-button',
    { id: 'btn-open-folder', secondary: true, icon: 'folder-opened', title: 'Reveal the run folder' },
    'Run folder',
  );
  folder.addEventListener('click', () => post({ type: 'command', command: 'openRunFolder', runId: s.runs[0]?.id }));
  // Modal runs link to their call in Modal's dashboard (the host resolves the URL from run.json).
  const onModal = s.mode === 'run' && s.runs[0]?.backend === 'modal';
  const modal = onModal
    ? h('vscode-button', { id: 'btn-open-modal', secondary: true, icon: 'link-external' }, 'Open in Modal Dashboard')
    : null;
  modal?.addEventListener('click', () =>
    post({ type: 'command', command: 'openModalDashboard', runId: s.runs[0]?.id }),
  );
  return h(
    'header',
    { id: 'dash-header' },
    h('h1', { id: 'dash-title' }, title),
    h('div', { class: 'facts', id: 'run-facts', 'aria-label': 'Run facts' }),
    h('span', { class: 'spacer' }),
    s.mode === 'forecast' ? null : refresh,
    s.mode === 'run' ? folder : null,
    modal,
  );
}

function renderHeaderFacts(): void {
  const facts = byId('run-facts');
  if (state?.mode === 'forecast') return; // no run: no state, duration or cost
  facts.replaceChildren(
    ...models.map((m) => {
      const r = m.snap;
      const cost = r.cost ? `$${r.cost.usd.toFixed(2)} (${r.cost.gpu}, ${formatDuration(r.cost.seconds)} GPU)` : '—';
      return h(
        'span',
        { class: 'run-fact', 'data-run-id': r.id },
        state?.mode === 'compare' ? h('b', {}, `${r.id} `) : null,
        h(
          'span',
          { class: `state state-${r.state ?? 'unknown'}`, id: state?.mode === 'run' ? 'run-state' : null },
          icon(stateIcon(r.state)),
          r.kind ? `${r.kind} · ${r.state ?? 'unknown'}` : (r.state ?? 'unknown'),
        ),
        ' ',
        h(
          'span',
          { id: state?.mode === 'run' ? 'run-duration' : null },
          'Duration ',
          h('b', {}, formatDuration(r.durationSeconds)),
        ),
        ' ',
        h('span', { id: state?.mode === 'run' ? 'run-cost' : null }, 'Cost ', h('b', {}, cost)),
      );
    }),
  );
}

function stateIcon(s: RunSnapshot['state']): string {
  switch (s) {
    case 'running':
      return 'sync';
    case 'succeeded':
      return 'pass';
    case 'failed':
      return 'error';
    case 'cancelled':
      return 'circle-slash';
    case 'queued':
      return 'clock';
    default:
      return 'question';
  }
}

function renderNotices(): void {
  const all: (Notice & { runId: string })[] = models.flatMap((m) =>
    m.snap.notices.map((n) => ({ ...n, runId: m.snap.id })),
  );
  const box = byId('notices');
  box.dataset.count = String(all.length);
  box.replaceChildren(
    ...all.map((n) =>
      h(
        'div',
        { class: `notice notice-${n.level}`, 'data-level': n.level },
        icon(n.level === 'error' ? 'error' : n.level === 'warning' ? 'warning' : 'info'),
        h('span', {}, state?.mode === 'compare' ? `${n.runId}: ${n.message}` : n.message),
      ),
    ),
  );
}

function trainingSection(): HTMLElement {
  const slider = h('input', {
    type: 'range',
    id: 'smoothing',
    min: 0,
    max: 0.99,
    step: 0.01,
    value: persisted.smoothing,
    'aria-label': 'Loss smoothing',
  });
  const out = h('output', { id: 'smoothing-value', for: 'smoothing' }, persisted.smoothing.toFixed(2));
  slider.addEventListener('input', () => {
    persisted.smoothing = Number(slider.value);
    out.textContent = persisted.smoothing.toFixed(2);
    save();
    drawTraining();
  });
  return h(
    'section',
    { id: 'section-training', 'aria-label': 'Training' },
    h('h2', {}, 'Training'),
    h(
      'p',
      { class: 'empty', id: 'training-empty', hidden: true },
      'No training steps in this run — eval runs report below; SFT and GRPO runs draw their loss here as they train.',
    ),
    h(
      'div',
      { class: 'controls', id: 'training-controls' },
      h('label', { for: 'smoothing' }, 'Smoothing'),
      slider,
      out,
    ),
    cardGrid(TRAINING_CARDS, { id: 'training-grid' }),
  );
}

function evalSection(): HTMLElement {
  const grid = cardGrid(EVAL_CARDS);
  cards.coverage!.el.append(h('p', { class: 'note', id: 'coverage-matcher' }));
  cards.kinds!.el.append(
    h('p', { class: 'note', id: 'kinds-flag', role: 'status' }),
    h('div', { id: 'kinds-table-box', role: 'region', 'aria-label': 'Match kinds table', tabindex: 0 }),
  );
  return h(
    'section',
    { id: 'section-eval', 'aria-label': 'Evaluation' },
    h('h2', {}, 'Evaluation and production gates'),
    // Twelve columns: on a narrow panel the table scrolls sideways, and the keyboard can scroll it too.
    h('div', { id: 'stage-table-box', role: 'region', 'aria-label': 'Stage table', tabindex: 0 }),
    grid,
  );
}

function treeSection(): HTMLElement {
  const search = textField('tree-search', 'Search trees by seed event', persisted.treeSearch);
  search.addEventListener('input', () => {
    persisted.treeSearch = search.value;
    save();
    renderTreeList();
  });
  const select = h('vscode-single-select', { id: 'tree-select', label: 'Forecast tree' }) as VscodeSingleSelect;
  select.addEventListener('change', () => {
    const [runId, index] = splitRef(select.value);
    if (runId !== null) selectTree({ runId, index });
  });
  const nodeSearch = textField('node-search', 'Find event in tree', persisted.nodeSearch);
  nodeSearch.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') findNodes(nodeSearch.value);
  });
  const expand = h('vscode-button', { id: 'tree-expand-all', secondary: true, icon: 'expand-all' }, 'Expand all');
  expand.addEventListener('click', () => treeViewer?.setExpanded(allWithChildren()));
  const collapse = h(
    'vscode-button',
    { id: 'tree-collapse-all', secondary: true, icon: 'collapse-all' },
    'Collapse all',
  );
  collapse.addEventListener('click', () => treeViewer?.setExpanded(new Set([0])));
  const view = h('div', { id: 'tree-view', 'aria-label': 'Forecast tree' });
  const detail = h('div', { id: 'tree-detail', class: 'tree-detail', 'aria-live': 'polite' });
  treeViewer = new TreeViewer(view, {
    onExpandedChange(expanded) {
      persisted.expanded = expanded;
      save();
    },
    onActiveChange(id) {
      describeNode(id);
    },
  });
  treeViewer.clear('No forecast tree');
  return h(
    'section',
    { id: 'section-trees', 'aria-label': 'Forecast trees' },
    h('h2', {}, 'Forecast trees'),
    h('div', { class: 'controls' }, search, select, nodeSearch, expand, collapse),
    h('p', { id: 'tree-empty', class: 'empty' }, 'No forecast trees — an eval or generate run writes trees.jsonl.'),
    view,
    detail,
  );
}

function splitRef(value: string): [string | null, number] {
  const i = value.lastIndexOf('#');
  if (i < 0) return [null, 0];
  return [value.slice(0, i), Number(value.slice(i + 1))];
}

function renderTreeList(): void {
  const select = document.getElementById('tree-select') as VscodeSingleSelect | null;
  if (!select || !state) return;
  const q = persisted.treeSearch.trim().toLowerCase();
  const options = state.runs.flatMap((r) =>
    r.trees
      .filter((t) => !q || t.seedEvent.toLowerCase().includes(q))
      .map((t) => {
        const label = `${t.seedEvent} (${t.seedDate}) — ${t.nodeCount} nodes${state!.mode === 'compare' ? ` — ${r.id}` : ''}`;
        return h(
          'vscode-option',
          {
            value: `${r.id}#${t.index}`,
            selected: currentTree?.ref.runId === r.id && currentTree.ref.index === t.index,
          },
          label,
        );
      }),
  );
  select.replaceChildren(...options);
  select.dataset.options = String(options.length);
  const any = state.runs.some((r) => r.trees.length);
  byId('tree-empty').hidden = any;
  byId('tree-view').hidden = !any;
  if (currentTree) select.value = `${currentTree.ref.runId}#${currentTree.ref.index}`;
}

function selectTree(ref: TreeRef, restoring = false): void {
  if (!restoring) persisted.expanded = [];
  persisted.tree = ref;
  save();
  post({ type: 'requestTree', ref });
}

function showTree(ref: TreeRef, tree: ForecastTree | null, error: string | null): void {
  if (!treeViewer) return;
  if (!tree) {
    treeViewer.clear('Forecast tree unavailable');
    byId('tree-detail').textContent = error ?? 'This tree could not be read.';
    return;
  }
  currentTree = { ref, tree };
  const indexed = indexTree(tree);
  const same =
    persisted.tree?.runId === ref.runId && persisted.tree.index === ref.index && persisted.expanded.length > 0;
  const expanded = same ? new Set(persisted.expanded.filter((id) => id < indexed.size)) : defaultExpanded(indexed);
  indexedTree = indexed;
  treeViewer.setTree(
    indexed,
    expanded,
    `Forecast tree for ${tree.seed.event} (${tree.seed.date}), ${indexed.size - 1} nodes`,
  );
  persisted.tree = ref;
  persisted.expanded = [...expanded];
  save();
  renderTreeList();
  describeNode(0);
  if (persisted.nodeSearch) findNodes(persisted.nodeSearch);
  if (revealTree) {
    revealTree = false;
    byId('section-trees').scrollIntoView({ block: 'start' });
    byId('tree-view').focus({ preventScroll: true });
  }
}

let indexedTree: ReturnType<typeof indexTree> | null = null;

function allWithChildren(): Set<number> {
  const s = new Set<number>();
  if (indexedTree) for (let i = 0; i < indexedTree.size; i++) if (indexedTree.children[i]!.length) s.add(i);
  return s;
}

function findNodes(query: string): void {
  persisted.nodeSearch = query;
  save();
  if (!indexedTree || !treeViewer) return;
  const hits = searchNodes(indexedTree, query);
  treeViewer.showHits(hits);
  byId('tree-detail').textContent = query.trim()
    ? `${hits.length} node${hits.length === 1 ? '' : 's'} match “${query.trim()}”.`
    : '';
}

function describeNode(id: number): void {
  const t = indexedTree;
  if (!t) return;
  const parts = [t.event[id]!];
  if (id > 0) parts.push(`p = ${(t.probability[id]! * 100).toFixed(1)} %`, `depth ${t.depth[id]}`);
  if (t.actual[id] && id > 0) parts.push('the actual outcome');
  if (t.match[id])
    parts.push(
      `match: ${t.match[id]}${t.matchScore[id] !== null ? ` (${t.matchScore[id]!.toFixed(2)})` : ''}${t.matchActual[id] ? ` vs “${t.matchActual[id]}”` : ''}`,
    );
  byId('tree-detail').textContent = parts.join(' · ');
}

// ---- charts --------------------------------------------------------------------------------

function applyAppend(a: RunAppend): void {
  const m = models.find((x) => x.snap.id === a.runId);
  if (!m) return;
  feed(m, a.train);
  m.snap.trainTotal += a.train.step.length;
  m.snap.evals.push(...a.evals);
  m.snap.notices.push(...a.notices);
  if (a.state) m.snap.state = a.state;
  if (a.cost) m.snap.cost = a.cost;
  if (a.durationSeconds !== null) m.snap.durationSeconds = a.durationSeconds;
  if (a.evals.length > 0) evalsChanged = true;
  repaintAppended();
}

/** Bursts of appends coalesced into one redraw per frame; the eval charts only when evals came. */
let evalsChanged = false;
const repaintAppended = oncePerFrame(() => {
  drawTraining();
  if (evalsChanged) drawEval();
  evalsChanged = false;
  renderHeaderFacts();
  renderNotices();
});

function redrawCharts(): void {
  if (!state || state.mode === 'empty' || !cards.loss) return;
  drawTraining();
  drawEval();
}

const points = (xy: XY): { x: number; y: number }[] => xy.xs.map((x, i) => ({ x, y: xy.ys[i]! }));
const color = (i: number): string => theme.palette[i % theme.palette.length]!;
const runLabel = (m: RunModel, what: string): string => (state?.mode === 'compare' ? `${m.snap.id} ${what}` : what);

const canTrain = (m: RunModel): boolean => m.snap.kind !== 'eval' && m.snap.kind !== 'generate';

/** A training curve: a line through the points, no markers. */
function curve(label: string, data: AnyDataset['data'], borderColor: string, borderWidth: number): AnyDataset {
  return { type: 'line', label, data, borderColor, borderWidth, pointRadius: 0 };
}

function drawTraining(): void {
  const lossSets: AnyDataset[] = [];
  const lrSets: AnyDataset[] = [];
  const rewardSets: AnyDataset[] = [];
  let lossPoints = 0;
  let lrPoints = 0;
  let rewardPoints = 0;
  models.forEach((m, i) => {
    // Evaluation and generation runs never log training steps: no empty series in a comparison's legends.
    if (!canTrain(m)) return;
    const c = color(i);
    const env = m.loss.envelope();
    lossPoints += env.xs.length;
    // Behind its smoothed line the raw loss is fainter, but still ≥ 3:1 on the card.
    lossSets.push(curve(runLabel(m, 'loss'), points(env), persisted.smoothing > 0 ? fadedMark(c, 0.35) : c, 1));
    if (persisted.smoothing > 0) {
      const means = m.loss.means();
      const smoothed = { xs: means.xs, ys: emaSmooth(means.ys, persisted.smoothing) };
      lossSets.push(curve(runLabel(m, 'smoothed'), points(smoothed), c, 2));
    }
    const lr = m.lr.means();
    lrPoints += lr.xs.length;
    lrSets.push(curve(runLabel(m, 'lr'), points(lr), c, 1.5));
    const mean = m.rewardMean.means();
    if (mean.xs.length) {
      const std = m.rewardStd.means();
      const stdAt = new Map(std.xs.map((x, k) => [x, std.ys[k]!]));
      rewardPoints += mean.xs.length;
      const band = (sign: number): { x: number; y: number }[] =>
        mean.xs.map((x, k) => ({ x, y: mean.ys[k]! + sign * (stdAt.get(x) ?? 0) }));
      rewardSets.push(
        {
          type: 'line',
          label: runLabel(m, '+std'),
          data: band(1),
          borderColor: 'transparent',
          backgroundColor: withAlpha(c, 0.2),
          pointRadius: 0,
          fill: '+1',
        },
        {
          type: 'line',
          label: runLabel(m, '−std'),
          data: band(-1),
          borderColor: 'transparent',
          pointRadius: 0,
          fill: false,
        },
        curve(runLabel(m, 'reward mean'), points(mean), c, 2),
      );
    }
  });
  const lastLoss = models
    .map((m) => m.loss.means())
    .map((xy) => (xy.ys.length ? `latest ${xy.ys.at(-1)!.toFixed(3)} at step ${Math.round(xy.xs.at(-1)!)}` : ''))
    .filter(Boolean)
    .join('; ');
  cards.loss!.render(
    {
      type: 'line',
      datasets: lossSets,
      points: lossPoints,
      xLinear: true,
      xTitle: 'step',
      yTitle: 'loss',
      summary: lastLoss,
    },
    theme,
  );
  cards.lr!.render(
    { type: 'line', datasets: lrSets, points: lrPoints, xLinear: true, xTitle: 'step', yTitle: 'learning rate' },
    theme,
  );
  cards.reward!.render(
    {
      type: 'line',
      datasets: rewardSets,
      points: rewardPoints,
      xLinear: true,
      xTitle: 'step',
      yTitle: 'reward',
      legend: false,
    },
    theme,
  );
  const totals = models.map((m) => m.snap.trainTotal).reduce((a, b) => a + b, 0);
  cards.loss!.canvas.dataset.total = String(totals);
  // An eval run has no steps: one line instead of three empty cards, unless a job may still log some.
  const mayTrain = models.some(canTrain);
  const none = totals === 0 && !mayTrain;
  byId('training-empty').hidden = !none;
  byId('training-controls').hidden = none;
  byId('training-grid').hidden = none;
}

const STAGE_LABEL: Record<Stage, string> = { baseline: 'Baseline', sft: 'SFT', grpo: 'GRPO' };
const depthLabel = (d: DepthKey): string => (d === 'all' ? 'All' : `Depth ${d}`);

interface StageRow {
  label: string;
  runId: string;
  byDepth: Map<DepthKey, EvalEvent>;
  gates: StageGates;
  forecast: StageForecast;
}

function stageRows(): StageRow[] {
  return models.flatMap((m) => {
    const matrix = latestEvals(m.snap.evals);
    const gates = allStageGates(matrix);
    return stagesOf(matrix).map((stage, k) => ({
      label: state?.mode === 'compare' ? `${m.snap.id} · ${STAGE_LABEL[stage]}` : STAGE_LABEL[stage],
      runId: m.snap.id,
      byDepth: matrix.get(stage)!,
      gates: gates[k]!,
      forecast: stageForecast(stage, matrix.get(stage)),
    }));
  });
}

function drawEval(): void {
  const rows = stageRows();
  renderStageTable(rows);
  const depthSet = new Set<DepthKey>();
  for (const m of models) for (const d of depthsOf(latestEvals(m.snap.evals))) depthSet.add(d);
  const depths = [...depthSet].sort((a, b) => (a === 'all' ? -1 : b === 'all' ? 1 : Number(a) - Number(b)));
  const labels = depths.map(depthLabel);
  type Interval = readonly [number, number] | undefined;
  const metricChart = (
    pick: (e: EvalEvent) => number | undefined,
    gate: { value: number; label: string; colour?: string } | null,
    ci?: (e: EvalEvent) => Interval,
  ): ChartSpec => {
    let count = 0;
    const datasets: AnyDataset[] = rows.map((r, i) => ({
      type: 'bar',
      label: r.label,
      data: depths.map((d) => {
        const v = r.byDepth.get(d);
        const y = v ? pick(v) : undefined;
        if (y !== undefined) count++;
        return y ?? null;
      }),
      backgroundColor: color(i),
      borderColor: color(i),
      borderWidth: 1,
    }));
    if (gate !== null && count)
      datasets.push({
        type: 'line',
        label: gate.label,
        data: depths.map(() => gate.value),
        borderColor: gate.colour ?? theme.red,
        borderDash: [5, 4],
        borderWidth: 1.5,
        pointRadius: 0,
      });
    // Tooltips name the point's 95 % interval; the line dataset (index rows.length) has none.
    const tooltipAfterLabel = ci
      ? (di: number, k: number): string | undefined => {
          const e = rows[di]?.byDepth.get(depths[k]!);
          const text = e ? formatInterval(ci(e)) : '';
          return text ? `95 % interval ${text}` : undefined;
        }
      : undefined;
    return { type: 'bar', labels, datasets, points: count, legend: true, tooltipAfterLabel, tableX: 'Depth' };
  };
  const gateLine = (metric: GateSpec['metric']): { value: number; label: string } | null => {
    const g = GATES.find((x) => x.metric === metric && x.minDepth === null);
    return g ? { value: g.threshold, label: `Gate ${g.direction === 'below' ? '<' : '>'} ${g.threshold}` } : null;
  };
  cards.perplexity!.render(
    metricChart((e) => e.perplexity, gateLine('perplexity')),
    theme,
  );
  cards.brier!.render(
    metricChart(
      (e) => e.brier,
      gateLine('brier'),
      (e) => e.ci?.brier,
    ),
    theme,
  );
  // Skill of the headline readout; the dashed line at 0 is the uniform forecast (chance), which the Brier gate asks to beat.
  const skillSummary = rows
    .filter((r) => r.forecast.brierSkill !== null)
    .map((r) => `${r.label} ${formatNumber(r.forecast.brierSkill)} ${formatInterval(r.forecast.ci?.brierSkill)}`.trim())
    .join('; ');
  cards.skill!.render(
    {
      ...metricChart(
        (e) => e.brierSkill,
        { value: 0, label: 'Uniform forecast (skill 0)', colour: theme.muted },
        (e) => e.ci?.brierSkill,
      ),
      yTitle: 'skill vs uniform',
      summary: skillSummary && `whole split: ${skillSummary}`,
    },
    theme,
  );
  cards.ece!.render(
    metricChart((e) => e.ece, null),
    theme,
  );

  // Coverage: one stacked bar per stage × depth, in percent of evaluated levels.
  const covLabels: string[] = [];
  const shares = { exact: [] as number[], semantic: [] as number[], llm: [] as number[], none: [] as number[] };
  for (const r of rows) {
    for (const d of depths) {
      const e = r.byDepth.get(d);
      if (!e) continue;
      const s = coverageShares(e.match);
      covLabels.push(`${r.label} · ${depthLabel(d)}`);
      shares.exact.push(s.exact * 100);
      shares.semantic.push(s.semantic * 100);
      shares.llm.push(s.llm * 100);
      shares.none.push(s.none * 100);
    }
  }
  const kinds: [keyof typeof shares, string, string][] = [
    ['exact', 'Exact', theme.palette[3]!],
    ['semantic', 'Semantic', theme.palette[0]!],
    ['llm', 'LLM judge', theme.palette[2]!],
    ['none', 'None', fadedMark(theme.muted, 0.6)],
  ];
  byId('coverage-matcher').textContent = matcherNote(
    rows.map((r) => ({ label: r.label, matcher: r.byDepth.get('all')?.matcher })),
  );
  cards.coverage!.render(
    {
      type: 'bar',
      labels: covLabels,
      datasets: kinds.map(([k, label, c]) => ({
        type: 'bar',
        label,
        data: shares[k],
        backgroundColor: c,
        stack: 'coverage',
      })),
      points: covLabels.length,
      tableX: 'Stage and depth',
      stacked: true,
      yMin: 0,
      yMax: 100,
      yTitle: '% of levels',
      legend: true,
    },
    theme,
  );

  drawKinds(rows, kinds);

  // Reliability: observed frequency of the actual outcome per predicted-probability bin.
  const relSets: AnyDataset[] = [];
  let relPoints = 0;
  models.forEach((m, i) => {
    const bins = m.snap.reliability.filter((b) => b.count > 0 && b.meanPredicted !== null && b.observed !== null);
    relPoints += bins.length;
    if (bins.length)
      relSets.push({
        type: 'line',
        label: runLabel(m, 'observed'),
        data: bins.map((b) => ({ x: b.meanPredicted!, y: b.observed! })),
        borderColor: color(i),
        backgroundColor: color(i),
        pointRadius: 4,
        borderWidth: 2,
      });
  });
  if (relPoints)
    relSets.push({
      type: 'line',
      label: 'Perfect calibration',
      data: [
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ],
      borderColor: theme.muted,
      borderDash: [4, 4],
      borderWidth: 1,
      pointRadius: 0,
    });
  cards.reliability!.render(
    {
      type: 'line',
      datasets: relSets,
      points: relPoints,
      xLinear: true,
      xMin: 0,
      xMax: 1,
      yMin: 0,
      yMax: 1,
      xTitle: 'predicted probability',
      yTitle: 'observed frequency',
      legend: true,
    },
    theme,
  );
}

/**
 * How the kinds shift: one 100 % stacked bar per run and stage (whole split), a flag on a bar where
 * exact matches dominate (the overfitting sign, src/dashboard/matchShift.ts), and the same numbers as a table.
 */
function drawKinds(rows: StageRow[], kinds: readonly [keyof MatchCounts, string, string][]): void {
  const shift = kindShift(
    rows.map((r) => ({ label: r.label, runId: r.runId, stage: r.gates.stage, byDepth: r.byDepth })),
  );
  const flagged = shift.filter((r) => r.dominance.status === 'flagged');
  // The flag is in the bar's label too, so the chart shows it without the table.
  const labels = shift.map((r) => (r.dominance.status === 'flagged' ? `⚠ ${r.label}` : r.label));
  cards.kinds!.render(
    {
      type: 'bar',
      labels,
      datasets: kinds.map(([k, label, c]) => ({
        type: 'bar',
        label,
        data: shift.map((r) => r.shares[k] * 100),
        backgroundColor: c,
        stack: 'kinds',
      })),
      points: shift.length,
      tableX: 'Run and stage',
      stacked: true,
      yMin: 0,
      yMax: 100,
      yTitle: '% of levels',
      legend: true,
      summary: flagged.length ? `exact matches dominate in ${flagged.map((r) => r.label).join(', ')}` : undefined,
    },
    theme,
  );
  const note = byId('kinds-flag');
  note.dataset.flagged = String(flagged.length);
  note.replaceChildren(
    ...(flagged.length
      ? [
          icon('warning'),
          ` Exact matches dominate in ${flagged.map((r) => r.label).join(', ')}: a possible sign of overfitting (the model reproduces texts it has seen rather than forecasting).`,
        ]
      : shift.length
        ? [
            `No stage flagged: the flag needs exact ≥ ${EXACT_DOMINANCE.minExactShare * 100} % of levels with semantic + LLM under ${EXACT_DOMINANCE.maxParaphraseShare * 100} % of the hits, on ≥ ${EXACT_DOMINANCE.minLevels} levels.`,
          ]
        : []),
  );
  const box = byId('kinds-table-box');
  if (!shift.length) {
    box.replaceChildren();
    return;
  }
  const pct = (x: number): string => `${(x * 100).toFixed(0)} %`;
  const th = (label: string): HTMLElement => h('th', { scope: 'col' }, label);
  box.replaceChildren(
    h(
      'table',
      { id: 'kinds-table', 'aria-label': 'Match kinds by run and stage' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          th('Stage'),
          ...kinds.map(([, label]) => th(label)),
          th('Levels'),
          th('Exact vs row above'),
          th('Exact dominance'),
        ),
      ),
      h(
        'tbody',
        {},
        ...shift.map((r) =>
          h(
            'tr',
            { 'data-stage': r.stage, 'data-run-id': r.runId, 'data-dominance': r.dominance.status },
            h('th', { scope: 'row' }, r.label),
            ...kinds.map(([k]) => h('td', { class: 'num', 'data-kind': k }, r.shares.total ? pct(r.shares[k]) : '—')),
            h('td', { class: 'num' }, String(r.shares.total)),
            h('td', { class: 'num', 'data-col': 'shift' }, formatShift(r)),
            h(
              'td',
              { 'data-col': 'dominance', class: r.dominance.status === 'flagged' ? 'flag' : null },
              r.dominance.status === 'flagged' ? icon('warning') : null,
              r.dominance.status === 'flagged' ? ' ' : null,
              r.dominance.text,
            ),
          ),
        ),
      ),
    ),
  );
}

const STATUS_ICON: Record<GateStatus, string> = { pass: 'pass', fail: 'error', missing: 'circle-slash' };

/** A value with a second line under it (an interval, a reason); the second line only when there is one. */
function twoLines(main: Node | string, sub: string): (Node | string | null)[] {
  return [main, sub ? h('small', { class: 'sub' }, sub) : null];
}

function gateCell(g: GateResult, f: StageForecast): HTMLElement {
  const ci =
    g.gate.minDepth !== null
      ? undefined
      : g.gate.metric === 'brier'
        ? f.ci?.brier
        : g.gate.metric === 'matchRate'
          ? f.ci?.matchRate
          : undefined;
  const interval = formatInterval(ci, { percent: g.gate.percent });
  // 'no data' is what '—' already says; "no skill" and "skill not reported" explain a Brier under the target.
  const reason = g.reason && g.reason !== NO_DATA ? g.reason : '';
  const value = formatGateValue(g.gate, g.value);
  const label = [
    `${g.gate.label} ${value}`,
    interval && `95 % interval ${interval}`,
    `target ${g.gate.target}: ${g.status}`,
    reason,
  ]
    .filter(Boolean)
    .join(', ');
  return h(
    'td',
    {
      class: `num gate-cell gate-${g.status}`,
      'data-gate': g.gate.id,
      'data-status': g.status,
      'data-reason': reason || null,
      'aria-label': label,
    },
    h('span', { class: `gate gate-${g.status}` }, icon(STATUS_ICON[g.status]), value),
    interval ? h('small', { class: 'sub' }, interval) : null,
    reason ? h('small', { class: 'sub reason' }, reason) : null,
  );
}

function readoutCell(f: StageForecast, which: ReadoutName): HTMLElement {
  const r = f[which];
  const headline = f.headline === which;
  // The headline readout is the one the stage trained, the one the gates judge.
  const sub = r ? `skill ${formatNumber(r.brierSkill)}${headline ? ' · headline' : ''}` : '';
  return h(
    'td',
    { class: 'num', 'data-col': which, 'data-headline': headline ? 'true' : null },
    ...twoLines(r ? `Brier ${formatNumber(r.brier)}` : '—', sub),
  );
}

function renderStageTable(rows: StageRow[]): void {
  const box = byId('stage-table-box');
  if (!rows.length) {
    box.replaceChildren(
      h(
        'p',
        { class: 'empty', id: 'stage-table-empty' },
        'No eval events yet — the stage table fills in when an evaluation (baseline, SFT or GRPO) reports.',
      ),
    );
    return;
  }
  const th = (label: string, sub?: string): HTMLElement =>
    h('th', { scope: 'col' }, label, sub ? ' ' : null, sub ? h('small', {}, sub) : null);
  // The skill column sits right after the gate that needs it.
  const head = h(
    'tr',
    {},
    th('Stage'),
    ...GATES.flatMap((g) =>
      [th(g.label, g.target), g.skillRequired ? th('Brier skill', '> 0 beats uniform') : null].filter(
        (x): x is HTMLElement => x !== null,
      ),
    ),
    th('ECE'),
    th('Letter readout'),
    th('Stated forecast'),
    th('Parse failures'),
    th('n'),
    th('Verdict'),
  );
  const body = rows.map((r) => {
    const f = r.forecast;
    const skillCi = formatInterval(f.ci?.brierSkill);
    const skillCell = h(
      'td',
      {
        class: 'num',
        'data-col': 'skill',
        'aria-label':
          f.brierSkill === null
            ? 'Brier skill not reported'
            : `Brier skill ${formatNumber(f.brierSkill)}${skillCi ? `, 95 % interval ${skillCi}` : ''}`,
      },
      ...twoLines(formatNumber(f.brierSkill), skillCi),
    );
    return h(
      'tr',
      { 'data-stage': r.gates.stage, 'data-run-id': r.runId },
      h('th', { scope: 'row' }, r.label),
      ...r.gates.results.flatMap((g) => (g.gate.skillRequired ? [gateCell(g, f), skillCell] : [gateCell(g, f)])),
      h('td', { class: 'num' }, r.gates.ece === null ? '—' : r.gates.ece.toFixed(3)),
      readoutCell(f, 'letters'),
      readoutCell(f, 'stated'),
      h('td', { class: 'num', 'data-col': 'parseFailures' }, formatParseFailures(f.parseFailures, f.n)),
      h('td', { class: 'num' }, r.gates.n === null ? '—' : String(r.gates.n)),
      h(
        'td',
        { class: `verdict gate-${r.gates.overall}`, 'data-status': r.gates.overall },
        h(
          'span',
          { class: `gate gate-${r.gates.overall}` },
          icon(STATUS_ICON[r.gates.overall]),
          r.gates.overall === 'pass' ? 'Ready' : r.gates.overall === 'fail' ? 'Not ready' : 'Incomplete',
        ),
      ),
    );
  });
  box.replaceChildren(
    h(
      'table',
      { id: 'stage-table', 'aria-label': 'Stages and production gates' },
      h('thead', {}, head),
      h('tbody', {}, ...body),
    ),
  );
}
