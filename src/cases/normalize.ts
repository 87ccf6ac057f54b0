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

// What each ASCII code unit does in normalised text: 0 = dropped (punctuation or symbol), 0xff =
// whitespace (separates tokens), else the code unit kept (letters lowercased; NUL is 0xfe here so
// that 0 can mean "dropped").
const TOKEN_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) TOKEN_CLASS[c] = 0xff;
  else if (c >= 0x41 && c <= 0x5a) TOKEN_CLASS[c] = c + 0x20;
  else if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c < 0x20 || c === 0x7f) TOKEN_CLASS[c] = c === 0 ? 0xfe : c;
  else TOKEN_CLASS[c] = 0;
}

let normBuf = new Uint16Array(256);

/** Same result as `normalizeUnicode`, several times faster on ASCII text (one allocation). */
export function normalizeEvent(s: string): string {
  const n = s.length;
  if (n > normBuf.length) normBuf = new Uint16Array(n * 2);
  let len = 0;
  let pendingSpace = false;
  for (let k = 0; k < n; k++) {
    const code = s.charCodeAt(k);
    if (code >= 0x80) return normalizeUnicode(s);
    const c = TOKEN_CLASS[code] as number;
    if (c === 0) continue;
    if (c === 0xff) {
      pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      normBuf[len++] = 0x20;
      pendingSpace = false;
    }
    normBuf[len++] = c === 0xfe ? 0 : c;
  }
  return String.fromCharCode.apply(null, normBuf.subarray(0, len) as unknown as number[]);
}

/**
 * The key under which two seeds count as the same: normalised event, NUL, date. Built in one flat
 * string (no concatenation to flatten later when it becomes a Map key).
 */
export function seedKeyOf(event: string, date: string): string {
  const n = event.length;
  if (n + date.length + 1 > keyBuf.length) keyBuf = new Uint8Array((n + date.length + 1) * 2);
  let len = 0;
  let pendingSpace = false;
  for (let k = 0; k < n; k++) {
    const code = event.charCodeAt(k);
    if (code >= 0x80) return `${normalizeUnicode(event)}\u0000${date}`;
    const c = TOKEN_CLASS[code] as number;
    if (c === 0) continue;
    if (c === 0xff) {
      pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      keyBuf[len++] = 0x20;
      pendingSpace = false;
    }
    keyBuf[len++] = c === 0xfe ? 0 : c;
  }
  keyBuf[len++] = 0;
  for (let k = 0; k < date.length; k++) {
    const code = date.charCodeAt(k);
    if (code >= 0x80) return `${normalizeEvent(event)}\u0000${date}`;
    keyBuf[len++] = code;
  }
  // Every byte is ASCII here, where windows-1252 (what 'latin1' means to TextDecoder) equals
  // ASCII; decoding bytes is about twice as fast as String.fromCharCode.apply on code units.
  return asciiDecoder.decode(keyBuf.subarray(0, len));
}

let keyBuf = new Uint8Array(256);
const asciiDecoder = new TextDecoder('latin1');

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

// A small open-addressing table of the token hashes seen in one level, reused across calls (the
// hot path allocates nothing). A slot is live when its stamp equals the current generation.
const SLOTS = 256;
const slotHash = new Int32Array(SLOTS);
const slotEvent = new Int32Array(SLOTS);
const slotStart = new Int32Array(SLOTS);
const slotEnd = new Int32Array(SLOTS);
const slotStamp = new Int32Array(SLOTS);
let generation = 0;

/**
 * True when no two events are duplicates or near-duplicates; the fast path's question. Each
 * event's tokens are hashed (FNV-1a over the normalised characters, no strings built) into a
 * table of the level's tokens. For event j with b distinct tokens of which s were seen in an
 * earlier event, any earlier event i has |Aᵢ ∩ Bⱼ| ≤ s and |Aᵢ ∪ Bⱼ| ≥ b, so Jaccard ≤ s / b:
 * when s / b ≤ 0.6 event j duplicates nothing (an exact duplicate has s = b). Hash collisions only
 * raise s (across events) or are caught by comparing the words (inside one event), so the bound
 * holds; whenever it cannot clear an event, the exact `findDuplicates` decides.
 */
export function hasNoDuplicates(events: readonly string[]): boolean {
  generation = (generation + 1) | 0;
  if (generation === 0) {
    slotStamp.fill(0);
    generation = 1;
  }
  used = 0;
  for (let j = 0; j < events.length; j++) {
    if (!scanEvent(events[j] as string, j)) return findDuplicates(events).length === 0;
    if (j > 0 && (scanDistinct === 0 || scanShared > NEAR_DUPLICATE_JACCARD * scanDistinct)) return findDuplicates(events).length === 0;
  }
  return true;
}

// Token classes for every UTF-16 code unit, so the scan needs one table load per character (no
// separate "is it ASCII" test): non-ASCII maps to NON_ASCII, which sends the level to the exact path.
const NON_ASCII = 0xfd;
const CLASS16 = new Uint8Array(0x10000).fill(NON_ASCII);
CLASS16.set(TOKEN_CLASS);

// scanEvent's results (module state instead of an object per call: the hot path allocates nothing).
let used = 0;
let scanDistinct = 0;
let scanShared = 0;

/**
 * Hashes the tokens of event `j` into the level's table, counting its distinct tokens and those
 * shared with earlier events. False when the bound cannot be computed (non-ASCII text, a full
 * table, an in-event hash collision): the caller then falls back to the exact check.
 */
function scanEvent(s: string, j: number): boolean {
  const n = s.length;
  let distinct = 0;
  let shared = 0;
  let h = 0x811c9dc5 | 0;
  let tokenStart = -1;
  for (let k = 0; k <= n; k++) {
    // The end of the string acts as a separator (0xff), closing the last token.
    const c = k < n ? (CLASS16[s.charCodeAt(k)] as number) : 0xff;
    if (c !== 0xff) {
      if (c === 0) continue;
      if (c === NON_ASCII) return false;
      if (tokenStart < 0) tokenStart = k;
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (tokenStart < 0) continue;
    let slot = h & (SLOTS - 1);
    for (;;) {
      if (slotStamp[slot] !== generation) {
        // A new token for the level.
        if (++used > SLOTS / 2) return false;
        slotStamp[slot] = generation;
        slotHash[slot] = h;
        slotEvent[slot] = j;
        slotStart[slot] = tokenStart;
        slotEnd[slot] = k;
        distinct++;
        break;
      }
      if (slotHash[slot] === h) {
        if (slotEvent[slot] === j) {
          // Seen in this event already: a repeated word, or a collision we cannot count around.
          if (!sameToken(s, slotStart[slot] as number, slotEnd[slot] as number, tokenStart, k)) return false;
        } else {
          // Seen in an earlier event: shared. Re-home the slot so a repeat in this event is
          // recognised above.
          shared++;
          distinct++;
          slotEvent[slot] = j;
          slotStart[slot] = tokenStart;
          slotEnd[slot] = k;
        }
        break;
      }
      slot = (slot + 1) & (SLOTS - 1);
    }
    h = 0x811c9dc5 | 0;
    tokenStart = -1;
  }
  scanDistinct = distinct;
  scanShared = shared;
  return true;
}
