// Contract 1's provenance fields (sources, provenance, review): schema, the provenance rules with
// their ranges and fixes, the knowledge cutoff, and how hover, outline and the CLI show them. The
// verdict both halves share is in verdictCorpus.test.ts (test/fixtures/verdict/corpus.json).
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../../shared/runCli';
import { CaseDocument } from '../../../src/cases/caseDocument';
import { caseHoverMarkdown } from '../../../src/cases/editing/hover';
import { outlineOf } from '../../../src/cases/editing/outline';
import { checkLine } from '../../../src/cases/lineCheck';
import { cutoffDiagnostics, knowledgeCutoff, parseCutoff } from '../../../src/cases/provenanceRules';
import { CaseSchema } from '../../../src/contracts/case';
import type { Case, Source } from '../../../src/contracts/case';
import { aCase, caseLine, spanOf } from './builders';

const src = (url: string, published: string, title?: string): Source => ({
  url,
  published,
  ...(title ? { title } : {}),
});

function withSources(seedSources: Source[], actualSources: Source[], extra: Partial<Case> = {}): Case {
  const c = aCase(extra);
  return {
    ...c,
    seed: { ...c.seed, sources: seedSources },
    levels: [
      {
        depth: 1,
        candidates: c.levels[0]!.candidates.map((x) => (x.label === 1 ? { ...x, sources: actualSources } : x)),
      },
    ],
  };
}

const twoAfter = [src('https://a.example/1', '2023-01-20', 'Shares fall'), src('https://b.example/2', '2023-01-21')];

describe('the provenance fields', () => {
  it('are accepted by the schema and give a clean line when the evidence holds', () => {
    const c = withSources([src('https://a.example/s', '2023-01-15')], twoAfter, {
      provenance: { agent: 'chronicler', model: 'openai/gpt-4o-mini', createdAt: '2026-01-05T10:00:00Z' },
      review: {
        status: 'verified',
        checks: [{ name: 'unambiguous', ok: true }],
        reviewedAt: '2026-01-06T10:00:00+02:00',
      },
    });
    expect(CaseSchema.safeParse(c).success).toBe(true);
    const r = checkLine(caseLine(c));
    expect(r.diagnostics).toEqual([]);
    expect(r.case).toBeDefined();
  });

  it('refuses a source without a date, naming the field and the fix', () => {
    const line = caseLine(withSources([], [{ url: 'https://a.example/1' } as Source]));
    const d = checkLine(line).diagnostics;
    expect(d.map((x) => x.code)).toEqual(['schema']);
    expect(d[0]!.message).toContain('levels[0].candidates[0].sources[0] is missing "published"');
  });

  it('suggests the key for a misspelt source field', () => {
    const line = caseLine(withSources([], twoAfter), (o) => {
      const s = (o.seed as { sources: Record<string, unknown>[] }).sources;
      s.push({ url: 'https://c.example', publshed: '2023-01-20' });
    });
    const msgs = checkLine(line).diagnostics.map((x) => x.message);
    expect(msgs.some((m) => m.includes('did you mean "published"?'))).toBe(true);
  });

  it('warns on a source dated before the seed, on its date', () => {
    const line = caseLine(withSources([src('https://a.example/s', '2023-01-14')], []));
    const d = checkLine(line).diagnostics;
    expect(d.map((x) => [x.code, x.severity])).toEqual([['source-before-event', 'warning']]);
    expect([d[0]!.range.start.character, d[0]!.range.end.character]).toEqual(spanOf(line, '"2023-01-14"'));
    expect(d[0]!.message).toContain('seed.sources[0].published 2023-01-14 is before the seed date 2023-01-15');
  });

  it('warns on a verified case whose actual lacks two distinct dated sources', () => {
    const one = caseLine(withSources([], [twoAfter[0]!, twoAfter[0]!], { review: { status: 'verified' } }));
    const d = checkLine(one).diagnostics;
    expect(d.map((x) => x.code)).toEqual(['verified-without-sources']);
    expect(d[0]!.message).toMatch(/depth 1 has 1 source published on or after 2023-01-15 \(needs 2\)/);
    const draft = caseLine(withSources([], [twoAfter[0]!], { review: { status: 'draft' } }));
    expect(checkLine(draft).diagnostics).toEqual([]);
  });

  it('refuses a publication date that does not exist', () => {
    const d = checkLine(caseLine(withSources([src('https://a.example/s', '2023-02-30')], []))).diagnostics;
    expect(d.map((x) => [x.code, x.severity])).toEqual([['invalid-date', 'error']]);
  });
});

describe('the knowledge cutoff', () => {
  it('comes from the setting, else from the base model', () => {
    expect(knowledgeCutoff('', 'openai/gpt-oss-20b')).toBe('2024-06-30');
    expect(knowledgeCutoff('', 'smollm2-135m')).toBeUndefined();
    expect(knowledgeCutoff('2023-02', 'openai/gpt-oss-20b')).toBe('2023-02-28');
    expect(parseCutoff('2024-02')).toBe('2024-02-29');
    expect(parseCutoff('June 2024')).toBeUndefined();
  });

  it('warns on eval cases on or before it, on the seed date', () => {
    const lines = [
      caseLine(aCase({ id: 'a', split: 'eval', seed: { event: 'A', date: '2024-06-30' } })),
      caseLine(aCase({ id: 'b', split: 'eval', seed: { event: 'B', date: '2024-07-01' } })),
      caseLine(aCase({ id: 'c', split: 'train', seed: { event: 'C', date: '2020-07-01' } })),
    ];
    const doc = new CaseDocument(lines.join('\n'));
    const d = cutoffDiagnostics(doc, '2024-06-30');
    expect(d.map((x) => [x.range.start.line, x.code])).toEqual([[0, 'eval-before-cutoff']]);
    expect([d[0]!.range.start.character, d[0]!.range.end.character]).toEqual(spanOf(lines[0]!, '"2024-06-30"'));
    expect(cutoffDiagnostics(doc, undefined)).toEqual([]);
  });
});

describe('hover and outline', () => {
  const c = withSources([src('https://a.example/s', '2023-01-15', 'Layoffs *announced*')], twoAfter, {
    provenance: { agent: 'chronicler', model: 'm/x', createdAt: '2026-01-05T10:00:00Z' },
    review: {
      status: 'draft',
      checks: [
        { name: 'unambiguous', ok: true },
        { name: 'no-leak', ok: false, detail: 'seed says it' },
      ],
    },
  });

  it('hover shows the review, the agent and each source with its date, escaped', () => {
    const md = caseHoverMarkdown(caseLine(c))!;
    expect(md).toContain('review `draft` (1/2 checks passed; failed: `no-leak`)');
    expect(md).toContain('by `chronicler` with `m/x` on `2026-01-05T10:00:00Z`');
    expect(md).toContain('- seed · `2023-01-15` Layoffs \\*announced\\* `https://a.example/s`');
    expect(md).toContain('- depth 1 · `2023-01-21` `https://b.example/2`');
  });

  it("outline shows the review status and the actual's source count", () => {
    const [s] = outlineOf(new CaseDocument(caseLine(c)));
    expect(s!.detail).toBe('2023-01-15 · train · draft');
    expect(s!.children[0]!.detail).toBe('3 candidates · 2 sources');
  });
});

describe('psychohistory validate with a cutoff', () => {
  const file = [
    caseLine(aCase({ id: 'a', split: 'eval' })),
    caseLine(aCase({ id: 'b', split: 'train', seed: { event: 'B', date: '2020-01-01' } })),
  ].join('\n');
  const cli = (argv: string[]) => runCliCaptured(argv, { readFile: async () => file, cwd: '/' });

  it('warns with --base-model or --knowledge-cutoff, and only then', async () => {
    expect((await cli(['validate', 'x.jsonl'])).out).not.toContain('eval-before-cutoff');
    const withModel = await cli(['validate', 'x.jsonl', '--base-model', 'openai/gpt-oss-20b']);
    expect(withModel.code).toBe(0);
    expect(withModel.out).toContain('x.jsonl:1:');
    expect(withModel.out).toContain(
      "warning eval-before-cutoff: eval case dated 2023-01-15, on or before the base model's knowledge cutoff 2024-06-30",
    );
    expect((await cli(['validate', 'x.jsonl', '--knowledge-cutoff', '2022-12'])).out).not.toContain(
      'eval-before-cutoff',
    );
  });

  it('refuses a cutoff that is no date and a model without one', async () => {
    const bad = await cli(['validate', 'x.jsonl', '--knowledge-cutoff', 'June']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('use YYYY-MM or YYYY-MM-DD');
    expect((await cli(['validate', 'x.jsonl', '--base-model', 'tiny'])).err).toContain('pass --knowledge-cutoff');
  });
});
