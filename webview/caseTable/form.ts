// The form for the selected case. It renders `CaseDetail` (data from the host) and turns each user
// action into one `EditOp`; it never writes JSON itself. Text fields commit on `change` (Enter or
// leaving the field), so one field edit is one undo step. Diagnostics from the validator appear
// beside the field they point at (the longest matching path anchor).
// While the focused field holds text not yet committed, a new rendering of the same case (its
// diagnostics published, an edit elsewhere on the line) waits until the field commits or loses focus:
// rebuilding under the typist would drop the caret, the selection and any key pressed before focus
// came back.
// Keyboard: every re-render after an edit puts focus back on the control the user was on, or on
// its successor (the moved candidate's button, the new candidate's field, the next candidate after
// a removal); the actual-outcome radios are a native radio group (one Tab stop, arrow keys);
// Escape reverts what is typed but not committed and goes back to the table's selected row.
import type { CaseDetail, CaseForm, EditOp, FieldDiagnostic } from '../../src/caseTable/protocol';
import { SPLITS } from '../../src/contracts/caseVocabulary';
import { button, h, singleSelect } from '../shared/dom';

export interface FormCallbacks {
  edit(line: number, op: EditOp): void;
  duplicate(line: number): void;
  remove(line: number): void;
  openInText(line: number): void;
  /** Escape: back to the table, on the selected row. */
  leave(): void;
}

interface Rejection {
  line: number;
  path: string;
  message: string;
}

type TextField = HTMLElementTagNameMap['vscode-textfield'];

export class CaseFormView {
  readonly element: HTMLElement;
  private detail: CaseDetail | null = null;
  /** The latest rendering of the case, held back while the user types in one of its fields. */
  private pending: CaseDetail | null = null;
  private rejection: Rejection | null = null;
  private anchors = new Map<string, HTMLElement>();
  /** Where focus goes after the next render of this case (first id present and enabled), set by the action. */
  private focusAfter: string[] | null = null;
  /** Set while Escape leaves the form: the blur it causes must not commit what was typed. */
  private reverting = false;

  constructor(private readonly cb: FormCallbacks) {
    this.element = h('section', { id: 'case-form', class: 'form', 'aria-label': 'Selected case' });
    this.element.addEventListener('keydown', (e) => this.onKey(e));
    // Focus leaving a field (Tab, Escape, a click elsewhere): the held-back rendering is drawn now.
    this.element.addEventListener('focusout', () => {
      if (this.pending) queueMicrotask(() => this.pending && this.show(this.pending));
    });
    this.show(null);
  }

  /** Enter from the table: the first field of the case (a raw line has none: its first button). */
  focusFirst(): void {
    const first =
      this.element.querySelector<HTMLElement>('vscode-textfield') ??
      this.element.querySelector<HTMLElement>('vscode-button');
    first?.focus();
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    // An open dropdown closes first; the next Escape leaves.
    const path = e.composedPath();
    if (
      path.some(
        (t) =>
          t instanceof HTMLElement &&
          t.tagName === 'VSCODE-SINGLE-SELECT' &&
          (t as HTMLElementTagNameMap['vscode-single-select']).open,
      )
    )
      return;
    const active = document.activeElement as HTMLElement | null;
    if (active?.tagName === 'VSCODE-TEXTFIELD' && active.dataset.initial !== undefined)
      (active as TextField).value = active.dataset.initial;
    e.preventDefault();
    // Leaving blurs the field, and a blur commits (`change`): not this time.
    this.reverting = true;
    try {
      this.cb.leave();
    } finally {
      this.reverting = false;
    }
  }

  /** Runs an edit and says where focus goes once the case comes back re-rendered. */
  private act(line: number, op: EditOp, focusAfter: string[]): void {
    this.focusAfter = focusAfter;
    this.cb.edit(line, op);
  }

  /** The first of `ids` in the form that can take focus. */
  private focusable(ids: readonly string[]): HTMLElement | null {
    for (const id of ids) {
      const el = this.element.querySelector<HTMLElement>(`#${CSS.escape(id)}`);
      if (el && !el.hasAttribute('disabled')) return el;
    }
    return null;
  }

  reject(r: Rejection): void {
    this.rejection = r;
    this.show(this.pending ?? this.detail);
  }

  show(detail: CaseDetail | null): void {
    const typing = this.element.contains(document.activeElement) ? document.activeElement : null;
    if (
      detail &&
      this.detail &&
      detail.line === this.detail.line &&
      typing?.tagName === 'VSCODE-TEXTFIELD' &&
      uncommitted(typing as TextField)
    ) {
      this.pending = detail;
      return;
    }
    this.pending = null;
    if (detail && this.detail && (detail.line !== this.detail.line || detail.text !== this.detail.text))
      this.rejection = null;
    // Keep what the user is typing (and the focus) across a re-render of the same case.
    const active = this.element.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const activeId = active?.id ?? '';
    const typed = active?.tagName === 'VSCODE-TEXTFIELD' ? (active as TextField).value : undefined;
    const typedWasDirty = typed !== undefined && active?.dataset.initial !== typed;
    const sameLine = detail !== null && this.detail !== null && detail.line === this.detail.line;
    const scroll = this.element.scrollTop;
    const focusAfter = this.focusAfter;
    this.focusAfter = null;
    this.detail = detail;
    this.anchors = new Map();
    this.element.replaceChildren(...this.build(detail));
    if (detail) this.element.dataset.line = String(detail.line);
    else delete this.element.dataset.line;
    if (detail) this.placeDiagnostics(detail.diagnostics);
    if (sameLine) {
      this.element.scrollTop = scroll;
      if (active) {
        const again = activeId ? this.element.querySelector<HTMLElement>(`#${CSS.escape(activeId)}`) : null;
        if (again && typed !== undefined && typedWasDirty && again.tagName === 'VSCODE-TEXTFIELD')
          (again as TextField).value = typed;
        // The control itself, or where the action said focus goes, or the nearest survivor of its row and level.
        const target =
          (focusAfter && this.focusable(focusAfter)) ??
          (again && !again.hasAttribute('disabled') ? again : null) ??
          this.focusable(successors(activeId));
        if (target) focusWhenReady(target);
        else this.cb.leave();
      }
    } else if (active && detail) {
      // Another case under the focus (a delete moved the selection): back to the table, not to <body>.
      this.cb.leave();
    }
  }

  private build(d: CaseDetail | null): Node[] {
    if (!d) return [h('p', { class: 'empty', id: 'case-form-empty' }, 'Select a case in the table to edit it here.')];
    const line = d.line;
    const head = h(
      'div',
      { class: 'form-head' },
      h('h2', { id: 'case-form-title' }, `Line ${line + 1}`),
      h(
        'span',
        { class: `kind kind-${d.kind}` },
        d.kind === 'case'
          ? 'valid case'
          : d.kind === 'invalid'
            ? 'invalid case'
            : d.kind === 'raw'
              ? 'not JSON'
              : 'blank line',
      ),
      h(
        'div',
        { class: 'actions' },
        button('case-open-in-text', 'Open in text editor', `Open in text editor at line ${line + 1}`, () =>
          this.cb.openInText(line),
        ),
        button('case-duplicate', 'Duplicate', 'Duplicate this case', () => this.cb.duplicate(line)),
        button('case-delete', 'Delete', 'Delete this case', () => this.cb.remove(line)),
      ),
    );
    const whole = this.anchor('', h('div', { class: 'diags' }));
    if (!d.form) {
      return [
        head,
        whole,
        h(
          'pre',
          { id: 'case-raw-text', class: 'raw', 'aria-label': `Text of line ${line + 1}` },
          d.text || '(blank line)',
        ),
      ];
    }
    const f = d.form;
    const out: Node[] = [head, whole];
    out.push(
      this.textField(
        'field-id',
        'Id',
        'Case id',
        f.id,
        'id',
        (value) => ({ kind: 'setId', value: value.trim() }),
        'optional, unique in the file',
      ),
      this.textField('field-seed-event', 'Seed event', 'Seed event', f.seedEvent, 'seed.event', (value) => ({
        kind: 'setSeedEvent',
        value,
      })),
      this.textField(
        'field-seed-date',
        'Seed date',
        'Seed date (YYYY-MM-DD)',
        f.seedDate,
        'seed.date',
        (value) => ({ kind: 'setSeedDate', value: value.trim() }),
        'YYYY-MM-DD',
      ),
      this.splitField(line, f.split),
    );
    this.anchor('seed', out[out.length - 3] as HTMLElement);
    const levels = h('div', { class: 'levels', id: 'levels', role: 'list', 'aria-label': 'Levels' });
    this.anchor('levels', levels);
    f.levels.forEach((level, i) => {
      const depth = i + 1;
      const n = f.levels.length;
      const section = h('div', { class: 'level', id: `level-${i}`, role: 'listitem', 'aria-label': `Depth ${depth}` });
      const header = h(
        'div',
        { class: 'level-head' },
        h('h3', {}, `Depth ${level.depth ?? '?'}`),
        h(
          'div',
          { class: 'actions' },
          button(
            `level-${i}-up`,
            '↑',
            `Move depth ${depth} up`,
            () =>
              this.act(line, { kind: 'moveLevel', from: i, to: i - 1 }, [`level-${i - 1}-up`, `level-${i - 1}-down`]),
            { disabled: i === 0 },
          ),
          button(
            `level-${i}-down`,
            '↓',
            `Move depth ${depth} down`,
            () =>
              this.act(line, { kind: 'moveLevel', from: i, to: i + 1 }, [`level-${i + 1}-down`, `level-${i + 1}-up`]),
            { disabled: i === n - 1 },
          ),
          button(
            `level-${i}-remove`,
            '✕',
            `Remove depth ${depth}`,
            () =>
              this.act(line, { kind: 'removeLevel', level: i }, [
                `level-${i}-remove`,
                `level-${i - 1}-remove`,
                'add-level',
              ]),
            { disabled: n <= 1 },
          ),
        ),
      );
      section.append(header);
      this.anchor(`levels.${i}`, header);
      const group = h('div', {
        class: 'candidates',
        role: 'radiogroup',
        id: `level-${i}-actual`,
        'aria-label': `Actual outcome at depth ${depth}`,
      });
      this.anchor(`levels.${i}.candidates`, group);
      const m = level.candidates.length;
      level.candidates.forEach((c, j) => {
        // A native radio: the browser gives the group one Tab stop (the checked radio) and arrow keys
        // that move and check, as the ARIA radio group pattern asks; each check is one edit.
        const radio = h('input', {
          type: 'radio',
          class: 'actual-radio',
          id: `cand-${i}-${j}-actual`,
          name: `actual-${i}`,
          value: String(j),
          'aria-label': `Candidate ${j + 1}: ${c.event || '(empty)'}`,
          title: 'The actual outcome',
        });
        radio.checked = c.label === 1;
        radio.addEventListener('change', () => {
          if (radio.checked && c.label !== 1) this.cb.edit(line, { kind: 'setActual', level: i, candidate: j });
        });
        const field = this.bareTextField(
          `cand-${i}-${j}-event`,
          `Depth ${depth} candidate ${j + 1} event`,
          c.event,
          (value) => ({
            kind: 'setCandidateEvent',
            level: i,
            candidate: j,
            value,
          }),
        );
        const row = h(
          'div',
          {
            class: `candidate${c.label === 1 ? ' actual' : ''}`,
            id: `cand-${i}-${j}`,
            'data-level': i,
            'data-candidate': j,
          },
          radio,
          field,
          h(
            'div',
            { class: 'actions' },
            button(
              `cand-${i}-${j}-up`,
              '↑',
              `Move depth ${depth} candidate ${j + 1} up`,
              () =>
                this.act(line, { kind: 'moveCandidate', level: i, from: j, to: j - 1 }, [
                  `cand-${i}-${j - 1}-up`,
                  `cand-${i}-${j - 1}-down`,
                ]),
              {
                disabled: j === 0,
              },
            ),
            button(
              `cand-${i}-${j}-down`,
              '↓',
              `Move depth ${depth} candidate ${j + 1} down`,
              () =>
                this.act(line, { kind: 'moveCandidate', level: i, from: j, to: j + 1 }, [
                  `cand-${i}-${j + 1}-down`,
                  `cand-${i}-${j + 1}-up`,
                ]),
              {
                disabled: j === m - 1,
              },
            ),
            button(
              `cand-${i}-${j}-remove`,
              '✕',
              `Remove depth ${depth} candidate ${j + 1}`,
              () =>
                this.act(line, { kind: 'removeCandidate', level: i, candidate: j }, [
                  `cand-${i}-${j}-remove`,
                  `cand-${i}-${j}-event`,
                  `cand-${i}-${j - 1}-remove`,
                  `cand-${i}-${j - 1}-event`,
                ]),
              { disabled: m <= 2 || c.label === 1 },
            ),
          ),
        );
        const wrap = h('div', { class: 'candidate-wrap' }, row);
        this.anchor(`levels.${i}.candidates.${j}`, wrap);
        group.append(wrap);
      });
      section.append(
        group,
        button(`level-${i}-add-candidate`, '+ Candidate', `Add a candidate at depth ${depth}`, () =>
          this.act(line, { kind: 'addCandidate', level: i }, [`cand-${i}-${m}-event`]),
        ),
      );
      levels.append(section);
    });
    const n = f.levels.length;
    out.push(
      h('h3', { class: 'levels-title' }, 'Levels'),
      levels,
      button('add-level', '+ Level', 'Add a level at the next depth', () =>
        this.act(line, { kind: 'addLevel' }, [`cand-${n}-0-event`, 'add-level']),
      ),
    );
    out.push(...this.reviewSection(line, f));
    return out;
  }

  /** Review status as a badge with Accept / Reject, the verifier's checks, and the sources as dated links. */
  private reviewSection(line: number, f: CaseForm): Node[] {
    const status = f.review?.status ?? 'none';
    const section = h('section', { class: 'review', id: 'review', 'aria-label': 'Review and sources' });
    this.anchor('review', section);
    const at = (): string => new Date().toISOString();
    // Accept / Reject: set the verdict, then keep the keyboard on the other button (this one becomes disabled).
    const verdict = (id: string, label: string, value: 'verified' | 'rejected', other: string): HTMLElement =>
      button(
        id,
        label,
        `${label}: mark this case ${value}`,
        () => this.act(line, { kind: 'setReview', value, at: at() }, [other, id]),
        {
          disabled: status === value,
        },
      );
    section.append(
      h('h3', {}, 'Review'),
      h(
        'div',
        { class: 'review-head' },
        h(
          'span',
          {
            id: 'review-status',
            class: `badge review ${status}`,
            role: 'status',
            'aria-label': `Review status: ${status === 'none' ? 'not reviewed' : status}`,
          },
          status === 'none' ? 'not reviewed' : status,
        ),
        verdict('review-accept', 'Accept', 'verified', 'review-reject'),
        verdict('review-reject', 'Reject', 'rejected', 'review-accept'),
      ),
    );
    const checks = f.review?.checks ?? [];
    if (checks.length > 0) {
      section.append(
        h(
          'ul',
          { class: 'checks', id: 'review-checks', 'aria-label': 'Verifier checks' },
          ...checks.map((c) =>
            h(
              'li',
              { class: c.ok ? 'ok' : 'failed' },
              `${c.ok ? '✓' : '✕'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`,
            ),
          ),
        ),
      );
    }
    section.append(h('h3', {}, 'Sources'));
    if (f.sources.length === 0) section.append(h('p', { id: 'sources-none' }, 'No sources.'));
    else {
      section.append(
        h(
          'ul',
          { class: 'sources', id: 'sources', 'aria-label': 'Sources' },
          ...f.sources.map((s, k) =>
            h(
              'li',
              {},
              `${s.where} · ${s.published || 'no date'} · `,
              h('a', { id: `source-${k}`, href: s.url, title: s.url }, s.title || s.url),
            ),
          ),
        ),
      );
    }
    return [section];
  }

  /** Registers where diagnostics of `path` (and paths below it without their own anchor) go. */
  private anchor(path: string, el: HTMLElement): HTMLElement {
    this.anchors.set(path, el);
    return el;
  }

  private bareTextField(id: string, ariaLabel: string, value: string, toOp: (value: string) => EditOp): TextField {
    // `label` names the input inside the element's shadow root; an aria-label on the host would not reach it.
    const field = h('vscode-textfield', { id, 'data-initial': value }) as TextField;
    field.label = ariaLabel;
    field.value = value;
    // Enter commits even where the browser sends no `change` (its value set by a script since it got focus).
    const commit = (): void => {
      if (!this.detail || this.reverting || field.value === value || field.value === field.dataset.sent) return;
      field.dataset.sent = field.value;
      this.pending = null; // the host answers the edit with the case as it is now
      this.cb.edit(this.detail.line, toOp(field.value));
    };
    field.addEventListener('change', commit);
    field.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') commit();
    });
    return field;
  }

  private textField(
    id: string,
    label: string,
    ariaLabel: string,
    value: string,
    path: string,
    toOp: (value: string) => EditOp,
    placeholder?: string,
  ): HTMLElement {
    const field = this.bareTextField(id, ariaLabel, value, toOp);
    if (placeholder) field.setAttribute('placeholder', placeholder);
    const row = h('div', { class: 'field' }, h('vscode-label', { for: id }, label), field);
    this.anchor(path, row);
    return row;
  }

  private splitField(line: number, split: string | null): HTMLElement {
    const select = singleSelect(
      { id: 'field-split', label: 'Split' },
      [['', '(none)'], ...SPLITS.map((s) => [s, s] as const)],
      split ?? '',
      (v) => {
        const next = v === '' ? null : v;
        if (next !== split) this.cb.edit(line, { kind: 'setSplit', value: next });
      },
    );
    const row = h('div', { class: 'field' }, h('vscode-label', { for: 'field-split' }, 'Split'), select);
    this.anchor('split', row);
    return row;
  }

  private placeDiagnostics(diagnostics: FieldDiagnostic[]): void {
    const list = [...diagnostics];
    const r = this.rejection;
    if (r && this.detail && r.line === this.detail.line)
      list.unshift({ path: r.path, severity: 'error', code: 'refused', message: r.message });
    for (const d of list) {
      const parts = d.path === '' ? [] : d.path.split('.');
      let anchor: HTMLElement | undefined;
      for (let k = parts.length; k >= 0 && !anchor; k--) anchor = this.anchors.get(parts.slice(0, k).join('.'));
      if (!anchor) continue;
      // The first message of a path gets the stable id (diag-seed-date, diag-levels-0-candidates, …).
      const base = `diag-${d.path.replace(/\./g, '-') || 'case'}`;
      const id = this.element.querySelector(`#${CSS.escape(base)}`) ? undefined : base;
      anchor.append(
        h(
          'div',
          {
            class: `diag ${d.severity}`,
            role: d.severity === 'error' ? 'alert' : 'note',
            'data-path': d.path,
            'data-code': d.code,
            id,
          },
          `${d.severity === 'error' ? '✕' : '⚠'} ${d.message}`,
        ),
      );
      const field = anchor.querySelector('vscode-textfield');
      if (field && d.severity === 'error' && anchor !== this.anchors.get('')) field.setAttribute('invalid', '');
    }
  }
}

/**
 * Focuses a control just built. A vscode-element renders its shadow root (the input that takes
 * focus) a microtask after it is connected; focusing the host before that does nothing.
 */
/** Text typed into the field and neither committed nor reverted yet. */
function uncommitted(field: TextField): boolean {
  return field.value !== field.dataset.initial && field.value !== field.dataset.sent;
}

function focusWhenReady(el: HTMLElement): void {
  const lit = el as HTMLElement & { updateComplete?: Promise<unknown> };
  if (lit.updateComplete) void lit.updateComplete.then(() => el.focus());
  else el.focus();
}

/** Where focus goes when the control it was on is gone: the same control one candidate or level up, then the row's field, then the level's add button. */
function successors(id: string): string[] {
  const cand = /^cand-(\d+)-(\d+)-(\w+)$/.exec(id);
  if (cand) {
    const [i, j, what] = [Number(cand[1]), Number(cand[2]), cand[3]!];
    return [
      `cand-${i}-${j}-event`,
      `cand-${i}-${j - 1}-${what}`,
      `cand-${i}-${j - 1}-event`,
      `level-${i}-add-candidate`,
    ];
  }
  const level = /^level-(\d+)-([\w-]+)$/.exec(id);
  if (level) {
    const [i, what] = [Number(level[1]), level[2]!];
    return [`level-${i - 1}-${what}`, `level-${i - 1}-add-candidate`, 'add-level'];
  }
  return [];
}
