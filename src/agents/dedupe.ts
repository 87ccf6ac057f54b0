// Seed events de-duplicated by the cases' own rules (src/cases/normalize.ts): the same event once
// normalised, or token Jaccard over 0.6 — whatever the dates, as the train/eval leak rule reads a seed.
import { jaccard, NEAR_DUPLICATE_JACCARD, normalizeEvent, tokenSet } from '../cases/normalize';

export class SeedIndex {
  private readonly exact = new Map<string, string>();
  private readonly tokens: { event: string; set: Set<string> }[] = [];

  add(event: string): void {
    const n = normalizeEvent(event);
    if (this.exact.has(n)) return;
    this.exact.set(n, event);
    this.tokens.push({ event, set: tokenSet(n) });
  }

  /** The known event this one repeats (exactly or nearly), or undefined. */
  duplicateOf(event: string): string | undefined {
    const n = normalizeEvent(event);
    const same = this.exact.get(n);
    if (same !== undefined) return same;
    const set = tokenSet(n);
    for (const t of this.tokens) if (jaccard(set, t.set) > NEAR_DUPLICATE_JACCARD) return t.event;
    return undefined;
  }

  get size(): number {
    return this.exact.size;
  }
}
