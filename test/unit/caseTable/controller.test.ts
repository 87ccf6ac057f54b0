// The host logic end to end against an in-memory document: the first answer carries only the
// visible rows, a form edit replaces exactly one line, undo restores the exact bytes, and document
// changes reach the webview as the changed rows only.
import { describe, expect, it } from 'vitest';
import { TableController } from '../../../src/caseTable/controller';
import type { UiPort } from '../../../src/caseTable/controller';
import type { HostToWebview, WebviewToHost } from '../../../src/caseTable/protocol';
import { DEFAULT_QUERY } from '../../../src/caseTable/protocol';
import { MemoryDocument } from './memoryDocument';
import { makeDataset } from './fixtures';
import { WebviewToHostSchema } from '../../../src/caseTable/inbound';
import { parseInbound } from '../../../src/shell/inbound';

function setup(text: string) {
  const doc = new MemoryDocument(text);
  const posts: HostToWebview[] = [];
  const notes: string[] = [];
  const ui: UiPort = {
    post: (m) => posts.push(m),
    notify: (_s, m) => notes.push(m),
    log: () => {},
    openInText: async () => {},
  };
  const controller = new TableController(doc, ui);
  doc.onChange = (changes) => controller.documentChanged(changes);
  const send = async (m: WebviewToHost): Promise<void> => {
    controller.receive(m);
    await new Promise((r) => setTimeout(r, 5));
  };
  const last = <T extends HostToWebview['type']>(type: T): Extract<HostToWebview, { type: T }> => {
    const found = posts.filter((p) => p.type === type).pop();
    if (!found) throw new Error(`no ${type} message`);
    return found as Extract<HostToWebview, { type: T }>;
  };
  const analysed = async (): Promise<void> => {
    for (let k = 0; k < 1000 && !posts.some((p) => p.type === 'reset' && p.summary.analysed); k++)
      await new Promise((r) => setTimeout(r, 10));
  };
  return { doc, posts, notes, controller, send, last, analysed };
}

describe('TableController', () => {
  it('answers ready with the visible rows only, then the analysis', async () => {
    const t = setup(makeDataset(2000, { rawEvery: 500 }));
    await t.send({ type: 'ready', start: 0, end: 40, query: DEFAULT_QUERY, selectedLine: null });
    const init = t.last('init');
    expect(init.size).toBe(2000);
    expect(init.rows).toHaveLength(40);
    expect(init.summary.analysed).toBe(false);
    await t.analysed();
    expect(t.last('reset').summary).toMatchObject({ analysed: true, lines: 2000, rawLines: 4 });
    const raw = t.controller.table.row(499);
    expect(raw.kind).toBe('raw');
    expect(raw.errors).toBeGreaterThan(0);
  });

  it('rejects malformed messages without throwing', async () => {
    const t = setup(makeDataset(10));
    await t.send({ type: 'edit', line: -1, op: { kind: 'addLevel' } } as WebviewToHost);
    await t.send({ type: 'nope' } as unknown as WebviewToHost);
    expect(t.doc.log).toHaveLength(0);
  });

  it('edits one line, sends that row only, and undo restores the bytes', async () => {
    const text = makeDataset(50);
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 30, query: DEFAULT_QUERY, selectedLine: 7 });
    const before = t.doc.lineText(7);
    t.posts.length = 0;
    await t.send({
      type: 'edit',
      line: 7,
      op: { kind: 'setCandidateEvent', level: 0, candidate: 1, value: 'Renamed outcome' },
    });
    expect(t.doc.log).toHaveLength(1);
    const change = t.doc.log[0]!;
    expect(change.range).toEqual({ start: { line: 7, character: 0 }, end: { line: 7, character: before.length } });
    expect(t.doc.lineText(7)).toBe(
      before.replace(/("candidates": \[\{[^}]*\}, \{"event": ")[^"]*/, '$1Renamed outcome'),
    );
    const changed = t.last('rowsChanged');
    expect(changed.rows.map((r) => r.row.line)).toEqual([7]);
    expect(t.last('detail').detail?.form?.levels[0]?.candidates[1]?.event).toBe('Renamed outcome');
    t.doc.undo();
    expect(t.doc.getText()).toBe(text);
  });

  it('reports a refused edit beside the field', async () => {
    const t = setup(makeDataset(5));
    await t.send({ type: 'ready', start: 0, end: 5, query: DEFAULT_QUERY, selectedLine: 0 });
    await t.send({ type: 'edit', line: 0, op: { kind: 'setSeedDate', value: '2023-02-30' } });
    expect(t.last('editRejected')).toMatchObject({ line: 0, path: 'seed.date' });
    expect(t.doc.log).toHaveLength(0);
  });

  it('adds, duplicates and deletes whole lines and keeps the text valid', async () => {
    const text = makeDataset(5);
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 10, query: DEFAULT_QUERY, selectedLine: null });
    await t.send({ type: 'duplicateCase', line: 1 });
    expect(t.doc.lineCount).toBe(7);
    expect(t.doc.lineText(2)).toBe(t.doc.lineText(1).replace('"case-1"', '"case-1-copy"'));
    expect(t.last('reveal')).toEqual({ type: 'reveal', index: 2, line: 2 });
    await t.send({ type: 'addCase', afterLine: null });
    expect(t.doc.lineText(6)).toMatch(/^\{"id": "case-\d+", "seed": \{"event": "New seed event"/);
    expect(t.doc.lineText(7)).toBe('');
    await t.send({ type: 'deleteCase', line: 6 });
    await t.send({ type: 'deleteCase', line: 2 });
    expect(t.doc.getText()).toBe(text);
    expect(t.last('reset').size).toBe(5);
    t.doc.undo();
    t.doc.undo();
    t.doc.undo();
    t.doc.undo();
    expect(t.doc.getText()).toBe(text);
  });

  it('sorts, filters and jumps to the next problem', async () => {
    const t = setup(makeDataset(100, { invalidEvery: 10 }));
    await t.send({ type: 'ready', start: 0, end: 20, query: DEFAULT_QUERY, selectedLine: null });
    await t.send({ type: 'query', query: { ...DEFAULT_QUERY, onlyProblems: true } });
    expect(t.last('reset').size).toBe(10);
    await t.send({ type: 'requestRows', generation: t.last('reset').generation, start: 0, end: 10 });
    expect(t.last('rows').rows.map((r) => r.line)).toEqual([9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
    await t.send({ type: 'query', query: { ...DEFAULT_QUERY, sort: 'date', descending: true, split: 'eval' } });
    await t.send({ type: 'requestRows', generation: t.last('reset').generation, start: 0, end: 100 });
    const rows = t.last('rows').rows;
    expect(rows.every((r) => r.split === 'eval')).toBe(true);
    expect(rows.map((r) => r.date)).toEqual([...rows.map((r) => r.date)].sort().reverse());
    await t.send({ type: 'query', query: { ...DEFAULT_QUERY, text: 'REGULATOR opens inquiry across asia #42.1.2' } });
    expect(t.last('reset').size).toBe(1);
    await t.send({ type: 'query', query: DEFAULT_QUERY });
    await t.send({ type: 'nextProblem', fromIndex: 9, backwards: false });
    expect(t.last('reveal')).toEqual({ type: 'reveal', index: 19, line: 19 });
  });

  it('follows edits made in the text editor', async () => {
    const t = setup(makeDataset(20));
    await t.send({ type: 'ready', start: 0, end: 20, query: DEFAULT_QUERY, selectedLine: 3 });
    t.posts.length = 0;
    // a duplicate id typed in the text editor: line 4 now repeats line 3's id
    const line3 = t.doc.lineText(3);
    await t.doc.applyEdit(
      { start: { line: 3, character: 0 }, end: { line: 3, character: line3.length } },
      line3.replace('"case-3"', '"case-4"'),
    );
    const rows = t.last('rowsChanged').rows;
    expect(rows.map((r) => r.row.line).sort()).toEqual([3, 4]);
    expect(rows.find((r) => r.row.line === 4)?.row.errors).toBe(1);
    await t.send({ type: 'select', line: 4 });
    expect(t.last('detail').detail?.diagnostics).toMatchObject([
      { code: 'duplicate-id', path: 'id', severity: 'error' },
    ]);
  });

  it('answers each select with its seq, so the webview can drop answers to selections already left', async () => {
    const t = setup(makeDataset(20));
    await t.send({ type: 'ready', start: 0, end: 20, query: DEFAULT_QUERY, selectedLine: null });
    await t.send({ type: 'select', line: 1, seq: 1 });
    await t.send({ type: 'select', line: 2, seq: 2 });
    const details = t.posts.filter((p) => p.type === 'detail');
    expect(details.slice(-2).map((d) => [d.seq, d.detail?.line])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(parseInbound(WebviewToHostSchema, { type: 'select', line: 2, seq: -1 })).toBeUndefined();
  });
});

describe('ChunkedAnalysis', () => {
  it('ends with the same diagnostics as a one-shot CaseDocument, edits during the build included', async () => {
    const { ChunkedAnalysis } = await import('../../../src/caseTable/chunkedAnalysis');
    const { CaseDocument } = await import('../../../src/cases/caseDocument');
    const doc = new MemoryDocument(makeDataset(1000, { rawEvery: 97, invalidEvery: 31 }));
    const chunked = new ChunkedAnalysis(doc, 100);
    doc.onChange = (changes) => {
      for (const c of changes) {
        const oldLines = c.range.end.line - c.range.start.line + 1;
        chunked.applyChange(c.range, c.text, c.text.split('\n').length, oldLines);
      }
    };
    chunked.step();
    chunked.step();
    // before the boundary, after it, straddling it, and inserting lines
    await doc.applyEdit(
      { start: { line: 5, character: 0 }, end: { line: 5, character: doc.lineText(5).length } },
      doc.lineText(7),
    );
    await doc.applyEdit({ start: { line: 600, character: 0 }, end: { line: 600, character: 3 } }, '');
    await doc.applyEdit(
      { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } },
      doc.lineText(11) + '\n',
    );
    chunked.step();
    await doc.applyEdit({ start: { line: 250, character: 0 }, end: { line: 450, character: 0 } }, '');
    chunked.step();
    const built = chunked.finish();
    const fresh = new CaseDocument(doc.getText());
    expect(built.diagnostics()).toEqual(fresh.diagnostics());
    expect(built.lineCount).toBe(fresh.lineCount);
  });
});

describe('line endings', () => {
  it('keeps CRLF: edits replace the line without its break, new lines use the file eol', async () => {
    const text = makeDataset(3).replace(/\n/g, '\r\n');
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 10, query: DEFAULT_QUERY, selectedLine: 0 });
    await t.send({ type: 'edit', line: 1, op: { kind: 'setSplit', value: 'test' } });
    await t.send({ type: 'duplicateCase', line: 0 });
    expect(t.doc.getText().split('\r\n')).toHaveLength(5);
    expect(t.doc.getText().replace(/\r\n/g, '')).not.toMatch(/\n/);
    t.doc.undo();
    t.doc.undo();
    expect(t.doc.getText()).toBe(text);
  });
});
