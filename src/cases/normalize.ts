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

const SIMPLE = /^[a-z0-9]+(?: [a-z0-9]+)*$/;
// Any code unit above 0x7f (written as a range from 0x80 to avoid a control character).
const NON_ASCII = /[\u0080-\uffff]/;
// Printable ASCII other than letters and digits: all of it is \p{P} or \p{S}.
const ASCII_PUNCT = /[!-/:-@[-`{-~]+/g;
const ASCII_SPACES = /[\t\n\v\f\r ]+/g;

/** Same result as `normalizeUnicode`, several times faster on ASCII text. */
export function normalizeEvent(s: string): string {
  const lower = s.toLowerCase();
  if (SIMPLE.test(lower)) return lower;
  if (NON_ASCII.test(lower)) return normalizeUnicode(s);
  // trim() removes exactly the ASCII part of \s here.
  return lower.replace(ASCII_PUNCT, '').replace(ASCII_SPACES, ' ').trim();
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

// Scratch buffers reused across calls: the hot path allocates nothing per candidate.
let hashBuf = new Int32Array(256);
let segStart = new Int32Array(16);
let segEnd = new Int32Array(16);
// Where each hashed token lies in its event (start, end), to tell a repeated word from a collision.
let tokBuf = new Int32Array(512);

function isPunct(c: number): boolean {
  const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
  return !alnum && c > 0x20 && c < 0x7f;
}

/** Whether two ASCII tokens of `s` normalise to the same word (punctuation dropped, case folded). */
function sameToken(s: string, a: number, aEnd: number, b: number, bEnd: number): boolean {
  for (;;) {
    while (a < aEnd && isPunct(s.charCodeAt(a))) a++;
    while (b < bEnd && isPunct(s.charCodeAt(b))) b++;
    if (a >= aEnd || b >= bEnd) return a >= aEnd && b >= bEnd;
    let x = s.charCodeAt(a++);
    let y = s.charCodeAt(b++);
    if (x >= 0x41 && x <= 0x5a) x += 0x20;
    if (y >= 0x41 && y <= 0x5a) y += 0x20;
    if (x !== y) return false;
  }
}

/**
 * Appends the sorted, distinct FNV-1a hashes of the tokens of `normalizeEvent(s)` to `hashBuf`
 * from `at`, computed without building strings. Returns the new end, or -1 when the text is not
 * ASCII or two of its tokens share a hash (a repeated word or a collision): the caller then
 * decides with the exact `findDuplicates`.
 */
function appendTokenHashes(s: string, at: number): number {
  let end = at;
  let h = 0x811c9dc5 | 0;
  let inToken = false;
  let tokenStart = 0;
  const n = s.length;
  for (let k = 0; k <= n; k++) {
    let c = k < n ? s.charCodeAt(k) : 0x20;
    if (c >= 0x80) return -1;
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      if (inToken) {
        inToken = false;
        if (end >= hashBuf.length) {
          const biggerHashes = new Int32Array(hashBuf.length * 2);
          biggerHashes.set(hashBuf);
          hashBuf = biggerHashes;
          const biggerTokens = new Int32Array(tokBuf.length * 2);
          biggerTokens.set(tokBuf);
          tokBuf = biggerTokens;
        }
        // Insertion into the sorted segment. An equal hash is a repeated word (skip it) or a
        // collision (then the set size is unknown: give up).
        let p = end;
        while (p > at && (hashBuf[p - 1] as number) > h) p--;
        if (p > at && hashBuf[p - 1] === h) {
          if (!sameToken(s, tokBuf[2 * (p - 1)] as number, tokBuf[2 * (p - 1) + 1] as number, tokenStart, k)) return -1;
        } else {
          for (let q = end; q > p; q--) {
            hashBuf[q] = hashBuf[q - 1] as number;
            tokBuf[2 * q] = tokBuf[2 * q - 2] as number;
            tokBuf[2 * q + 1] = tokBuf[2 * q - 1] as number;
          }
          hashBuf[p] = h;
          tokBuf[2 * p] = tokenStart;
          tokBuf[2 * p + 1] = k;
          end++;
        }
        h = 0x811c9dc5 | 0;
      }
      continue;
    }
    if (!inToken) tokenStart = k;
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
    if (!alnum && c > 0x20 && c < 0x7f) continue;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    h = Math.imul(h ^ c, 0x01000193);
    inToken = true;
  }
  return end;
}

/** The distinct token hashes of one event (sorted), or null (see appendTokenHashes). */
export function tokenHashes(s: string): number[] | null {
  const end = appendTokenHashes(s, 0);
  return end < 0 ? null : Array.from(hashBuf.subarray(0, end));
}

/**
 * True when no two events are duplicates or near-duplicates, decided from token hashes where that
 * is safe. With exact set sizes (no shared hash inside one event), equal tokens have equal hashes,
 * so the hashed intersection is at least the real one and the hashed Jaccard at least the real one:
 * "hashed ≤ 0.6" proves "real ≤ 0.6". Any pair above the threshold is re-checked exactly.
 */
export function hasNoDuplicates(events: readonly string[]): boolean {
  const n = events.length;
  if (n > segStart.length) {
    segStart = new Int32Array(n * 2);
    segEnd = new Int32Array(n * 2);
  }
  let at = 0;
  for (let k = 0; k < n; k++) {
    const end = appendTokenHashes(events[k] as string, at);
    if (end < 0) return findDuplicates(events).length === 0;
    segStart[k] = at;
    segEnd[k] = end;
    at = end;
  }
  for (let j = 1; j < n; j++) {
    const b0 = segStart[j] as number;
    const b1 = segEnd[j] as number;
    for (let i = 0; i < j; i++) {
      const a0 = segStart[i] as number;
      const a1 = segEnd[i] as number;
      let inter = 0;
      let x = a0;
      let y = b0;
      while (x < a1 && y < b1) {
        const u = hashBuf[x] as number;
        const v = hashBuf[y] as number;
        if (u === v) {
          inter++;
          x++;
          y++;
        } else if (u < v) x++;
        else y++;
      }
      const union = a1 - a0 + (b1 - b0) - inter;
      if (union === 0 || inter / union > NEAR_DUPLICATE_JACCARD) return findDuplicates(events).length === 0;
    }
  }
  return true;
}
