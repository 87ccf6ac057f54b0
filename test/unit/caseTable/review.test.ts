// The table's part of the provenance fields: a review badge per row and a review filter, the
// form's sources (seed and actuals, as links with dates) and checks, and Accept / Reject as one
// line edit that keeps the verifier's checks and the rest of the line's bytes.
import { describe, expect, it } from 'vitest';
import { TableController } from '../../../src/caseTable/controller';
import type { UiPort } from '../../../src/caseTable/controller';
import { applyEditOp } from '../../../src/caseTable/editOps';
import { WebviewToHostSchema } from '../../../src/caseTable/inbound';
import { parseInbound } from '../../../src/shell/inbound';
import type { HostToWebview, WebviewToHost } from '../../../src/caseTable/protocol';
import { DEFAULT_QUERY } from '../../../src/caseTable/protocol';
import type { Case } from '../../../src/contracts/case';
import { makeCase } from './fixtures';
import { MemoryDocument } from './memoryDocument';

function reviewed(i: number, status?: 'draft' | 'verified' | 'rejected'): Case {
  const c = makeCase(i, 1);
  const levels = c.levels.map((l) => ({
    ...l,
    candidates: l.candidates.map((x) =>
      x.label === 1
        ? { ...x, sources: [{ url: `https://news.example.com/${i}`, title: `Report ${i}`, published: '2030-01-01' }] }
        : x,
    ),
  }));
  return {
    ...c,
    seed: { ...c.seed, sources: [{ url: 'https://archive.example.org/s', published: c.seed.date }] },
    levels,
    ...(status
      ? { review: { status, checks: [{ name: 'resolvable', ok: status !== 'rejected', detail: 'two reports' }] } }
      : {}),
  };
}

function setup(text: string) {
  const doc = new MemoryDocument(text);
  const posts: HostToWebview[] = [];
  const ui: UiPort = { post: (m) => posts.push(m), notify: () => {}, log: () => {}, openInText: async () => {} };
  const controller = new TableController(doc, ui);
  doc.onChange = (changes) => controller.documentChanged(changes);
  const send = async (m: WebviewToHost): Promise<void> => {
    controller.receive(m);
    await new Promise((r) => setTimeout(r, 5));
  };
  const last = <T extends HostToWebview['type']>(type: T): Extract<HostToWebview, { type: T }> =>
    posts.filter((p) => p.type === type).pop() as Extract<HostToWebview, { type: T }>;
  return { doc, send, last };
}

describe('review and sources in the table', () => {
  const text = [
    reviewed(0, 'verified'),
    reviewed(1, 'draft'),
    reviewed(2),
    reviewed(3, 'rejected'),
    reviewed(4, 'verified'),
  ]
    .map((c) => JSON.stringify(c))
    .join('\n');

  it('rows carry the review status; the filter keeps one status, or the unreviewed', async () => {
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 10, query: DEFAULT_QUERY, selectedLine: null });
    expect(t.last('init').rows.map((r) => r.review)).toEqual(['verified', 'draft', undefined, 'rejected', 'verified']);
    await t.send({ type: 'query', query: { ...DEFAULT_QUERY, review: 'verified' } });
    expect(t.last('reset').size).toBe(2);
    await t.send({ type: 'query', query: { ...DEFAULT_QUERY, review: 'none' } });
    expect(t.last('reset').size).toBe(1);
  });

  it('the form lists the sources with their dates and the checks', async () => {
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 10, query: DEFAULT_QUERY, selectedLine: 3 });
    const form = t.last('detail').detail?.form;
    expect(form?.review).toEqual({
      status: 'rejected',
      checks: [{ name: 'resolvable', ok: false, detail: 'two reports' }],
    });
    expect(form?.sources).toEqual([
      { where: 'seed', url: 'https://archive.example.org/s', title: '', published: reviewed(3).seed.date },
      { where: 'depth 1', url: 'https://news.example.com/3', title: 'Report 3', published: '2030-01-01' },
    ]);
  });

  it('Accept sets review.status and reviewedAt on that line only, keeping the checks', async () => {
    const t = setup(text);
    await t.send({ type: 'ready', start: 0, end: 10, query: DEFAULT_QUERY, selectedLine: 3 });
    const before = t.doc.getText().split('\n');
    await t.send({
      type: 'edit',
      line: 3,
      op: { kind: 'setReview', value: 'verified', at: '2026-02-01T10:00:00.000Z' },
    });
    const after = t.doc.getText().split('\n');
    expect(after.filter((l, k) => l !== before[k])).toHaveLength(1);
    const c = JSON.parse(after[3]!) as Case;
    expect(c.review).toEqual({
      status: 'verified',
      checks: [{ name: 'resolvable', ok: false, detail: 'two reports' }],
      reviewedAt: '2026-02-01T10:00:00.000Z',
    });
    const unreviewed = JSON.parse(
      applyEditOp(before[2]!, { kind: 'setReview', value: 'rejected', at: '2026-02-01T10:00:00Z' }),
    ) as Case;
    expect(unreviewed.review).toEqual({ status: 'rejected', reviewedAt: '2026-02-01T10:00:00Z' });
  });

  it('refuses a review message that is not one of the statuses or has no proper time', () => {
    expect(
      parseInbound(WebviewToHostSchema, {
        type: 'edit',
        line: 0,
        op: { kind: 'setReview', value: 'approved', at: '2026-02-01T10:00:00Z' },
      }),
    ).toBeUndefined();
    expect(() =>
      applyEditOp(JSON.stringify(reviewed(0)), { kind: 'setReview', value: 'verified', at: 'yesterday' }),
    ).toThrow(/ISO timestamp/);
    expect(
      parseInbound(WebviewToHostSchema, { type: 'query', query: { ...DEFAULT_QUERY, review: 'maybe' } }),
    ).toBeUndefined();
  });
});
