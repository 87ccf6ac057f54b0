// The case table app: a toolbar (filter, split, problems, next problem, add case), the virtualised
// table and the form of the selected case. It only renders data the host sends and posts intents;
// the host owns the document and every edit.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { applyColorRoles } from '../shared/themeColors';
import css from './caseTable.css';
import type { HostToWebview, Summary, TableQuery, WebviewToHost } from '../../src/caseTable/protocol';
import { DEFAULT_QUERY } from '../../src/caseTable/protocol';
import { REVIEW_STATUSES, SPLITS } from '../../src/contracts/caseVocabulary';
import { onHostMessage, vsCodeApi } from '../shared/api';
import { button, h, injectStyles, singleSelect, textField } from '../shared/dom';
import { CaseFormView } from './form';
import { ROW_HEIGHT, VirtualTable } from './table';
import { CASE_TABLE_COLORS } from './colors';

/** What survives the webview being hidden and shown again (setState, not retainContextWhenHidden). */
interface ViewState {
  query: TableQuery;
  selectedLine: number | null;
  scrollTop: number;
}

const vscode = vsCodeApi<WebviewToHost, ViewState>();

injectStyles(css);
// Status colours (errors, warnings, links, line numbers) made readable in the current theme: --ph-*.
applyColorRoles(CASE_TABLE_COLORS);

const saved = vscode.getState();
// A query saved by an older version lacks newer fields (review): defaults fill them, so the host accepts it.
const state: ViewState = {
  query: { ...DEFAULT_QUERY, ...saved?.query },
  selectedLine: saved?.selectedLine ?? null,
  scrollTop: saved?.scrollTop ?? 0,
};
let saveTimer = 0;
function save(): void {
  clearTimeout(saveTimer);
  saveTimer = window.setTimeout(() => vscode.setState(state), 200);
}

function setQuery(patch: Partial<TableQuery>): void {
  state.query = { ...state.query, ...patch };
  save();
  vscode.postMessage({ type: 'query', query: state.query });
}

// The host answers every `select` with a `detail` carrying its `seq`. While arrow keys run ahead of
// those answers, an answer for a row already left behind must not pull the selection back (key
// presses were lost that way), nor may a detail the host sends on its own for another line.
let selectSeq = 0;
let answeredSeq = 0;
function select(index: number, line: number | null): void {
  state.selectedLine = line;
  save();
  table.select(index, line);
  vscode.postMessage({ type: 'select', line, seq: ++selectSeq });
}

const table = new VirtualTable({
  requestRows: (generation, start, end) => vscode.postMessage({ type: 'requestRows', generation, start, end }),
  select,
  sort: (key) => setQuery({ sort: key, descending: state.query.sort === key ? !state.query.descending : false }),
  openInText: (line) => vscode.postMessage({ type: 'openInText', line }),
  nextProblem: (fromIndex, backwards) => vscode.postMessage({ type: 'nextProblem', fromIndex, backwards }),
  focusForm: () => form.focusFirst(),
  scrolled: (top) => {
    state.scrollTop = top;
    save();
  },
});

const form = new CaseFormView({
  edit: (line, op) => vscode.postMessage({ type: 'edit', line, op }),
  duplicate: (line) => vscode.postMessage({ type: 'duplicateCase', line }),
  remove: (line) => {
    vscode.postMessage({ type: 'deleteCase', line });
    // The case is gone: focus goes to the table, where the next case becomes the selected row.
    table.focus();
  },
  openInText: (line) => vscode.postMessage({ type: 'openInText', line }),
  // Escape in the form comes back to the table, on the selected row.
  leave: () => table.focus(),
});

// Toolbar
const filterText = textField('filter-text', 'Filter: id, seed or candidate text', state.query.text);
let filterTimer = 0;
filterText.addEventListener('input', () => {
  clearTimeout(filterTimer);
  filterTimer = window.setTimeout(() => setQuery({ text: filterText.value }), 250);
});
const splitSelect = singleSelect(
  { id: 'filter-split', label: 'Show split' },
  [['all', 'All splits'], ...SPLITS.map((s) => [s, s] as const), ['none', 'No split']],
  state.query.split,
  (split) => setQuery({ split }),
);
const reviewSelect = singleSelect(
  { id: 'filter-review', label: 'Show review status' },
  [['all', 'Any review'], ...REVIEW_STATUSES.map((s) => [s, s] as const), ['none', 'Not reviewed']],
  state.query.review,
  (review) => setQuery({ review }),
);
const problems = h('vscode-checkbox', {
  id: 'filter-problems',
  label: 'Only problems',
  checked: state.query.onlyProblems,
});
problems.addEventListener('change', () => setQuery({ onlyProblems: problems.checked }));
const summary = h('span', { id: 'table-summary', class: 'summary', 'aria-live': 'polite' });
const toolbar = h(
  'div',
  { class: 'toolbar', role: 'toolbar', 'aria-label': 'Case table tools' },
  filterText,
  splitSelect,
  reviewSelect,
  problems,
  button(
    'prev-problem',
    '↑ Problem',
    'Previous problem, error or warning (Shift+F8)',
    () => vscode.postMessage({ type: 'nextProblem', fromIndex: Math.max(table.selectedIndex, 0), backwards: true }),
    { keys: 'Shift+F8' },
  ),
  button(
    'next-problem',
    '↓ Problem',
    'Next problem, error or warning (F8)',
    () => vscode.postMessage({ type: 'nextProblem', fromIndex: table.selectedIndex, backwards: false }),
    { keys: 'F8' },
  ),
  button(
    'add-case',
    '+ Case',
    'Add a case after the selected one',
    () => vscode.postMessage({ type: 'addCase', afterLine: table.selectedLine }),
    { secondary: false },
  ),
  summary,
);

const app = document.getElementById('app') ?? document.body;
const title = h('h1', { class: 'sr-only', id: 'case-table-title' }, document.title || 'Case table');
app.append(title, h('div', { class: 'layout' }, toolbar, h('div', { class: 'main' }, table.element, form.element)));

function showSummary(s: Summary, size: number): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  const parts = [`${n(size)} of ${n(s.lines)} lines`];
  if (s.analysed) parts.push(`${n(s.cases)} valid cases`, `${n(s.errors)} errors`, `${n(s.warnings)} warnings`);
  else parts.push('checking the file…');
  if (s.rawLines) parts.push(`${n(s.rawLines)} lines not JSON`);
  summary.textContent = parts.join(' · ');
}
let lastSize = 0;

onHostMessage<HostToWebview>((m) => {
  switch (m.type) {
    case 'init':
      lastSize = m.size;
      table.reset(m.generation, m.size, m.query);
      table.addRows(m.generation, m.start, m.rows);
      table.setScrollTop(state.scrollTop);
      table.selectedLine = state.selectedLine;
      table.render();
      showSummary(m.summary, m.size);
      document.body.dataset.ready = 'true';
      return;
    case 'rows':
      table.addRows(m.generation, m.start, m.rows);
      return;
    case 'reset':
      lastSize = m.size;
      table.reset(m.generation, m.size, m.query);
      showSummary(m.summary, m.size);
      return;
    case 'rowsChanged':
      table.changeRows(m.generation, m.rows);
      return;
    case 'summary':
      showSummary(m.summary, lastSize);
      return;
    case 'detail': {
      if (m.seq !== undefined) answeredSeq = Math.max(answeredSeq, m.seq);
      // A move still waiting for its row will select (and ask) on its own: nothing the host says now is current.
      const stale =
        table.moving ||
        (m.seq !== undefined ? m.seq < selectSeq : answeredSeq < selectSeq && m.detail?.line !== state.selectedLine);
      if (stale) return;
      if (m.detail) {
        state.selectedLine = m.detail.line;
        if (table.selectedLine !== m.detail.line) table.select(-1, m.detail.line);
        save();
      }
      form.show(m.detail);
      return;
    }
    case 'reveal':
      // The host already sent the detail of the revealed line.
      state.selectedLine = m.line;
      save();
      table.select(m.index, m.line);
      table.focus();
      return;
    case 'editRejected':
      form.reject({ line: m.line, path: m.path, message: m.message });
      return;
  }
});

// Ready handshake: say which rows the viewport shows so the first answer paints them.
const first = Math.floor(state.scrollTop / ROW_HEIGHT);
const visible = Math.ceil(window.innerHeight / ROW_HEIGHT) + 20;
vscode.postMessage({
  type: 'ready',
  start: first,
  end: first + visible,
  query: state.query,
  selectedLine: state.selectedLine,
});
