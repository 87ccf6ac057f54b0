// Which matcher counted a stage's match coverage (eval events' `matcher`: version and thresholds),
// in words for the dashboard; coverage counted by different matchers is not comparable, so a
// comparison says when they differ (issue 14: match quality over time).
import type { MatcherSettings } from '../contracts/metrics';

/** One matcher in words, e.g. "v2: Jaccard > 0.6, cosine ≥ 0.508 (all-MiniLM-L6-v2)". */
export function describeMatcher(m: MatcherSettings | undefined): string {
  if (!m) return 'not recorded (a run from before matcher v2: Jaccard > 0.6 only)';
  const parts = [`Jaccard > ${m.jaccard}`];
  if (m.cosine !== undefined && !m.judgeBand) parts.push(`cosine ≥ ${m.cosine}`);
  if (m.judgeBand)
    parts.push(`judge${m.judge ? ` ${m.judge}` : ''} for cosine in [${m.judgeBand[0]}, ${m.judgeBand[1]})`);
  if (m.cosine === undefined) parts.push('no embeddings');
  const model = m.model ? ` (${m.model.replace(/ \(.*\)$/, '').replace(/^sentence-transformers\//, '')})` : '';
  return `v${m.version}: ${parts.join(', ')}${model}`;
}

/** The note under the coverage chart: the matcher of every row, and whether they differ. */
export function matcherNote(rows: readonly { label: string; matcher: MatcherSettings | undefined }[]): string {
  if (rows.length === 0) return '';
  const texts = rows.map((r) => describeMatcher(r.matcher));
  const distinct = [...new Set(texts)];
  if (distinct.length === 1) return `Matcher ${distinct[0]}.`;
  const lines = rows.map((r, i) => `${r.label}: ${texts[i]}`).join('; ');
  return `Matchers differ, so their coverage is not comparable: ${lines}.`;
}
