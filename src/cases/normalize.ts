// Text normalisation shared by the duplicate-candidate and repeated-seed rules (and, by the same
// definition in GUIDE.md, by the "exact" and "semantic" match metrics): lowercase, strip punctuation
// and symbols, collapse whitespace. The ASCII loop is the hot path of validation; non-ASCII text
// takes the Unicode regex path, and a property test proves the two agree.

const PUNCT = /[\p{P}\p{S}]/gu;
const SPACES = /\s+/gu;

/** Reference definition (Unicode-aware). */
export function normalizeUnicode(s: string): string {
  return s.toLowerCase().replace(PUNCT, '').replace(SPACES, ' ').trim();
}

/** Same result as `normalizeUnicode`, several times faster on ASCII text. */
export function normalizeEvent(s: string): string {
  let out = '';
  let pendingSpace = false;
  for (let k = 0; k < s.length; k++) {
    let c = s.charCodeAt(k);
    if (c >= 0x80) return normalizeUnicode(s);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      pendingSpace = out.length > 0;
      continue;
    }
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    // Printable ASCII that is not a letter or digit is punctuation or a symbol in Unicode.
    if (!alnum && c > 0x20 && c < 0x7f) continue;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (pendingSpace) {
      out += ' ';
      pendingSpace = false;
    }
    out += String.fromCharCode(c);
  }
  return out;
}

/** Distinct tokens of a normalised string. */
export function tokenSet(normalized: string): Set<string> {
  const set = new Set<string>();
  if (normalized.length === 0) return set;
  for (const t of normalized.split(' ')) set.add(t);
  return set;
}

/** Token Jaccard similarity; two empty sets are identical (1). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const t of small) if (large.has(t)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Above this token Jaccard two candidates count as near-duplicates (GUIDE: "semantic" match). */
export const NEAR_DUPLICATE_JACCARD = 0.6;

export interface CandidateDuplicate {
  index: number; // the later candidate
  of: number; // the earlier candidate it duplicates
  exact: boolean; // normalised equality, else token Jaccard > 0.6
}

/**
 * Duplicates among a level's candidate events, each later candidate reported once against the
 * first earlier one it matches (an exact match wins over a near one).
 */
export function findDuplicates(events: readonly string[]): CandidateDuplicate[] {
  const norms = events.map(normalizeEvent);
  const found: CandidateDuplicate[] = [];
  let sets: Set<string>[] | undefined;
  for (let j = 1; j < norms.length; j++) {
    const nj = norms[j] as string;
    let hit = -1;
    for (let i = 0; i < j; i++) {
      if (norms[i] === nj) {
        hit = i;
        break;
      }
    }
    if (hit >= 0) {
      found.push({ index: j, of: hit, exact: true });
      continue;
    }
    sets ??= norms.map(tokenSet);
    const sj = sets[j] as Set<string>;
    for (let i = 0; i < j; i++) {
      const si = sets[i] as Set<string>;
      // Jaccard ≤ min/max of the set sizes: skip pairs that cannot pass.
      const lo = Math.min(si.size, sj.size);
      const hi = Math.max(si.size, sj.size);
      if (hi > 0 && lo / hi <= NEAR_DUPLICATE_JACCARD) continue;
      if (jaccard(si, sj) > NEAR_DUPLICATE_JACCARD) {
        hit = i;
        break;
      }
    }
    if (hit >= 0) found.push({ index: j, of: hit, exact: false });
  }
  return found;
}
