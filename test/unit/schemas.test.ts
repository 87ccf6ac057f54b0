// The checked-in JSON Schemas under schemas/ are what the Python side loads; they must be exactly
// what the zod source produces, or the two halves silently disagree. Fix a failure with `npm run schemas`.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contractJsonSchemas } from '../../src/contracts/jsonSchemas';
import { CaseSchema } from '../../src/contracts/case';
import { MetricEventSchema } from '../../src/contracts/metrics';
import { aCase } from './cases/builders';

const schemaDir = join(__dirname, '..', '..', 'schemas');

describe('checked-in JSON Schemas', () => {
  const generated = contractJsonSchemas();

  for (const [name, text] of Object.entries(generated)) {
    it(`schemas/${name}.schema.json matches the zod source (run \`npm run schemas\` if not)`, () => {
      const onDisk = readFileSync(join(schemaDir, `${name}.schema.json`), 'utf8');
      expect(onDisk).toBe(text);
    });
  }

  it('has no stale schema files', () => {
    const files = readdirSync(schemaDir).filter((f) => f.endsWith('.schema.json'));
    expect(files.sort()).toEqual(
      Object.keys(generated)
        .map((n) => `${n}.schema.json`)
        .sort(),
    );
  });

  it('declares draft 2020-12', () => {
    for (const text of Object.values(generated)) {
      expect(JSON.parse(text).$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    }
  });
});

describe('contracts', () => {
  // The builders' default case is the GUIDE example.
  const guideCase = aCase();

  it('accepts the GUIDE example case', () => {
    expect(CaseSchema.safeParse(guideCase).success).toBe(true);
  });

  it('rejects a misspelt key, a bad label and a one-candidate level', () => {
    const bad = {
      ...guideCase,
      lables: 1,
      levels: [{ depth: 1, candidates: [{ event: 'x', label: 2 }] }],
    };
    const result = CaseSchema.safeParse(bad);
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['', 'levels.0.candidates', 'levels.0.candidates.0.label'].sort());
  });

  it('discriminates metric events by type and rejects unknown types', () => {
    const time = '2026-11-27T00:00:00Z';
    expect(MetricEventSchema.safeParse({ type: 'train', step: 1, epoch: 0.1, loss: 2.3, lr: 1e-4, time }).success).toBe(
      true,
    );
    expect(
      MetricEventSchema.safeParse({
        type: 'eval',
        stage: 'sft',
        depth: null,
        loss: 1,
        perplexity: Math.E,
        brier: 0.2,
        match: { exact: 1, semantic: 2, llm: 0, none: 1 },
        n: 4,
        time,
      }).success,
    ).toBe(true);
    expect(MetricEventSchema.safeParse({ type: 'mystery', time }).success).toBe(false);
  });

  it('takes the forecast fields of an eval event (GUIDE contract 3) and refuses them malformed', () => {
    const time = '2026-11-27T00:00:00Z';
    const base = {
      type: 'eval',
      stage: 'grpo',
      depth: null,
      loss: 1,
      perplexity: Math.E,
      brier: 0.09,
      match: { exact: 1, semantic: 2, llm: 0, none: 1 },
      n: 4,
      time,
    };
    const full = {
      ...base,
      brierSkill: 0.49,
      letters: { brier: 0.1, brierSkill: 0.43, ece: 0.04 },
      stated: { brier: 0.09, brierSkill: 0.49, ece: 0.03 },
      parseFailures: 0,
      ci: { brier: [0.08, 0.1], brierSkill: [0.4, 0.57], matchRate: [0.6, 0.9] },
    };
    const ok = (e: object): boolean => MetricEventSchema.safeParse(e).success;
    expect(ok(full)).toBe(true);
    // Worse than chance is a negative skill, and a fact to show, not an error.
    expect(ok({ ...full, brierSkill: -0.8, ci: { ...full.ci, brierSkill: [-1.2, -0.5] } })).toBe(true);
    expect(ok({ ...full, brierSkill: 1.01 })).toBe(false);
    expect(ok({ ...full, parseFailures: -1 })).toBe(false);
    expect(ok({ ...full, parseFailures: 1.5 })).toBe(false);
    expect(ok({ ...full, letters: { brier: 0.1, brierSkill: 0.43 } })).toBe(false);
    expect(ok({ ...full, ci: { ...full.ci, brier: [0.08, 0.09, 0.1] } })).toBe(false);
    expect(ok({ ...full, ci: { ...full.ci, matchRate: [0.6, 1.2] } })).toBe(false);
    expect(ok({ ...full, ci: { brier: [0.08, 0.1] } })).toBe(false);
    const parsed = MetricEventSchema.parse(full);
    expect(parsed).toEqual(full);
  });
});
