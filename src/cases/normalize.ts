// Text normalisation, defined once for both halves by schemas/normalization.json (its golden cases
// are read by the TypeScript and the Python test suites): NFKC, lowercase, whitespace, dashes and
// slashes separate words, other punctuation and symbols are dropped (so "U.S." is "us" and "15%" is
// "15"), letters and digits of every script are kept ("Café" is "café"), runs of separators are one
// space, none at either end; a decimal point (a "." between two ASCII digits) is kept, so "3.5%"
// is "3.5", not "35". The duplicate-candidate and repeated-seed rules, the "exact" and
// "semantic" match metrics and the dashboard's case links all use it. The hot path of validation
// normalises ASCII bytes with a class table (seed keys, the token bound); strings take one loop over
// code points whose classes the Unicode regexes decide once per code point. Property tests prove
// both equal the regex definition.

const SEPARATORS = /[\s\p{Pd}/]/gu;
const PUNCT = /[\p{P}\p{S}]/gu;
const SPACES = / +/g;
const DIGIT = /[0-9]/;
const NON_ASCII = /[^\p{ASCII}]/u;

/** Reference definition (Unicode-aware). */
export function normalizeUnicode(s: string): string {
  const t = NON_ASCII.test(s) ? s.normalize('NFKC') : s;
  return t
    .toLowerCase()
    .replace(SEPARATORS, ' ')
    .replace(PUNCT, (m: string, at: number, all: string) =>
      m === '.' && DIGIT.test(all[at - 1] ?? '') && DIGIT.test(all[at + 1] ?? '') ? m : '',
    )
    .replace(SPACES, ' ')
    .trim();
}

// What each ASCII code unit does in normalised text: 0 = dropped (punctuation or symbol), 0xff =
// whitespace (separates tokens), else the code unit kept (letters lowercased; NUL is 0xfe here so
// that 0 can mean "dropped"; DOT: kept between two digits, else dropped).
const DOT = 0xfa;
const TOKEN_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0x2d || c === 0x2f)
    TOKEN_CLASS[c] = 0xff; // space, '-', '/'
  else if (c >= 0x41 && c <= 0x5a) TOKEN_CLASS[c] = c + 0x20;
  else if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c < 0x20 || c === 0x7f)
    TOKEN_CLASS[c] = c === 0 ? 0xfe : c;
  else TOKEN_CLASS[c] = c === 0x2e ? DOT : 0;
}

function isDigit(code: number | undefined): boolean {
  return code !== undefined && code >= 0x30 && code <= 0x39;
}

let normBuf = new Uint16Array(256);

/** normBuf[0, len) as a string (in chunks: apply() has an argument limit). */
function fromCodeUnits(len: number): string {
  let out = '';
  for (let k = 0; k < len; k += 8192)
    out += String.fromCharCode.apply(null, normBuf.subarray(k, Math.min(len, k + 8192)) as unknown as number[]);
  return out;
}

// What a code point beyond ASCII does in normalised text (0 dropped, 0xff separator, 1 kept),
// asked of the definition's own regexes the first time it is seen.
const DROP = /^[\p{P}\p{S}]$/u;
const SEPARATOR = /^[\s\p{Pd}/]$/u;
const unicodeClass = new Map<number, number>();

function classOf(codePoint: number): number {
  let c = unicodeClass.get(codePoint);
  if (c === undefined) {
    const ch = String.fromCodePoint(codePoint);
    c = SEPARATOR.test(ch) ? 0xff : DROP.test(ch) ? 0 : 1;
    unicodeClass.set(codePoint, c);
  }
  return c;
}

/**
 * Same result as `normalizeUnicode`, in one pass instead of four regex passes: NFKC (text beyond
 * ASCII only: ASCII is already in NFKC) and lowercase the whole text (case mappings can depend on
 * context, like the Greek final sigma), then drop, separate or keep each code point by its class.
 */
export function normalizeEvent(s: string): string {
  const t = (NON_ASCII.test(s) ? s.normalize('NFKC') : s).toLowerCase();
  if (t.length > normBuf.length) normBuf = new Uint16Array(t.length * 2);
  let len = 0;
  let pendingSpace = false;
  for (let k = 0; k < t.length; k++) {
    const code = t.charCodeAt(k);
    const point = code < 0x80 ? code : (t.codePointAt(k) as number);
    const units = point > 0xffff ? 2 : 1;
    let c = code < 0x80 ? (TOKEN_CLASS[code] as number) : classOf(point);
    if (c === DOT) c = isDigit(t.charCodeAt(k - 1)) && isDigit(t.charCodeAt(k + 1)) ? 0x2e : 0;
    if (c === 0xff) pendingSpace = len > 0;
    else if (c !== 0) {
      if (pendingSpace) {
        normBuf[len++] = 0x20;
        pendingSpace = false;
      }
      normBuf[len++] = code;
      if (units === 2) normBuf[len++] = t.charCodeAt(k + 1);
    }
    k += units - 1;
  }
  return fromCodeUnits(len);
}

let scratch = new Uint8Array(1024);

/**
 * Copies `s` into the shared scratch buffer at `at` as bytes and returns the end offset, or -1
 * when `s` is not all ASCII. `quote` replaces the double quote (see `hasNoDuplicates`). A plain
 * loop: these strings are short, and TextEncoder's per-call cost is larger than the copy.
 */
function asciiInto(s: string, at: number, quote = 0x22): number {
  if (at + s.length + 1 > scratch.length) {
    const grown = new Uint8Array((at + s.length + 1) * 2);
    grown.set(scratch.subarray(0, at));
    scratch = grown;
  }
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c >= 0x80) return -1;
    scratch[at + k] = c === 0x22 ? quote : c;
  }
  return at + s.length;
}

/** The key under which two seeds count as the same: normalised event, NUL, date. */
export function seedKeyOf(event: string, date: string): string {
  const e = asciiInto(event, 0);
  const d = e < 0 ? -1 : asciiInto(date, e);
  if (d < 0) return `${normalizeEvent(event)}\u0000${date}`;
  // Every byte is ASCII here, where windows-1252 (what 'latin1' means to TextDecoder) equals
  // ASCII; decoding bytes is about twice as fast as String.fromCharCode.apply on code units.
  return asciiDecoder.decode(keyBuf.subarray(0, seedKeyInto(scratch, 0, e, e, d)));
}

/** The hash under which two seed events count as the same whatever their dates: `keyHash` of the normalised event. */
export function seedEventHashOf(event: string): number {
  return keyHash(normalizeEvent(event));
}

/**
 * `keyHash(seedKeyOf(event, date))` for an ASCII event in bytes[a, b) and date in bytes[dateStart, dateEnd), without
 * building the key; `seedEventHashOf(event)` is left in `lastSeedEventHash` (the same pass computes it).
 */
export function seedHashOfBytes(bytes: Uint8Array, a: number, b: number, dateStart: number, dateEnd: number): number {
  seedKeyInto(bytes, a, b, dateStart, dateEnd);
  return seedKeyHash;
}

/** The event-only hash of the seed `seedHashOfBytes` last hashed. */
export function lastSeedEventHash(): number {
  return seedEventHash;
}

/**
 * Writes the seed key of an ASCII event in bytes[a, b) and date in bytes[dateStart, dateEnd) into
 * keyBuf and returns its length; its `keyHash` goes to `seedKeyHash` (computed on the way).
 */
function seedKeyInto(bytes: Uint8Array, a: number, b: number, dateStart: number, dateEnd: number): number {
  if (b - a + dateEnd - dateStart + 1 > keyBuf.length) keyBuf = new Uint8Array((b - a + dateEnd - dateStart + 1) * 2);
  let len = 0;
  let h = FNV_OFFSET;
  let pendingSpace = false;
  for (let k = a; k < b; k++) {
    let c = TOKEN_CLASS[bytes[k] as number] as number;
    if (c === DOT) c = k > a && k + 1 < b && isDigit(bytes[k - 1]) && isDigit(bytes[k + 1]) ? 0x2e : 0;
    if (c === 0) continue;
    if (c === 0xff) {
      pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      keyBuf[len++] = 0x20;
      h = Math.imul(h ^ 0x20, FNV_PRIME);
      pendingSpace = false;
    }
    const x = c === 0xfe ? 0 : c;
    keyBuf[len++] = x;
    h = Math.imul(h ^ x, FNV_PRIME);
  }
  seedEventHash = h & 0x3fffffff; // the normalised event so far: keyHash of it
  keyBuf[len++] = 0;
  h = Math.imul(h, FNV_PRIME); // h ^ 0
  for (let k = dateStart; k < dateEnd; k++) {
    const x = bytes[k] as number;
    keyBuf[len++] = x;
    h = Math.imul(h ^ x, FNV_PRIME);
  }
  seedKeyHash = h & 0x3fffffff;
  return len;
}

let seedKeyHash = 0;
let seedEventHash = 0;
let keyBuf = new Uint8Array(256);
const asciiDecoder = new TextDecoder('latin1');

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * A key's hash: FNV-1a over its UTF-16 code units, in 30 bits (a small integer, the cheapest Map
 * key). Equal keys have equal hashes; unequal keys may too, so a hash only narrows a search.
 */
export function keyHash(s: string): number {
  let h = FNV_OFFSET;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), FNV_PRIME);
  return h & 0x3fffffff;
}

/** `keyHash` of the ASCII key in bytes[a, b) (there, bytes are the code units). */
export function keyHashOfBytes(bytes: Uint8Array, a: number, b: number): number {
  let h = FNV_OFFSET;
  for (let k = a; k < b; k++) h = Math.imul(h ^ (bytes[k] as number), FNV_PRIME);
  return h & 0x3fffffff;
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

// The bound's state, per bit (h mod 1024) of a token's hash: the serial number of the first event
// of the current level that set it (earlier than the level's first serial: not set in this level)
// and of the last event that set it. Serial numbers instead of bitsets cleared per event: nothing
// to reset between events or levels. Module state: the hot path allocates nothing.
const BITS = 1024;
const firstSetBy = new Int32Array(BITS);
const lastSetBy = new Int32Array(BITS);
let serial = 0;
let levelStart = 1;
// The last scanned event's distinct bits, and its tokens whose bit an earlier event had set
// (counted with repeats), for `clearedByBound`.
let scanBits = 0;
let scanShared = 0;

// What `scanTokens` does with each byte: TOKEN_CLASS's codes (0 dropped, 0xff separator, else a
// character of a token) plus END (the end of the event), BAD (the bound cannot be computed) and
// UNI (a UTF-8 byte: the rest of the event is read as Unicode text).
const UNI = 0xfb;
const END = 0xfc;
const BAD = 0xfd;
/** For decoded text copied by `asciiInto` with quote 0x21, then the END byte 0x22. */
const TEXT_CLASSES = new Uint8Array(256).fill(BAD);
TEXT_CLASSES.set(TOKEN_CLASS);
TEXT_CLASSES[0x22] = END;
/**
 * For the raw inside of a JSON string (UTF-8): it ends at the closing quote; an escape or a
 * control character (not allowed raw in JSON) cannot be judged here.
 */
export const JSON_STRING_CLASSES = new Uint8Array(256).fill(UNI);
JSON_STRING_CLASSES.fill(BAD, 0, 0x20);
JSON_STRING_CLASSES.set(TOKEN_CLASS.subarray(0x20), 0x20);
JSON_STRING_CLASSES[0x22] = END;
JSON_STRING_CLASSES[0x5c] = BAD;

/**
 * True when no two events are duplicates or near-duplicates; the fast path's question. Each
 * event's tokens are hashed (FNV-1a over the normalised characters, no strings built) to one of
 * 1024 bits. For event j, let b be the number of distinct bits its tokens set (b ≤ |Bⱼ|, as
 * colliding tokens share a bit) and s the number of its token occurrences whose bit an earlier
 * event set (s ≥ |Aᵢ ∩ Bⱼ| for every earlier i, as each shared token sets its bit in both).
 * Then Jaccard(Aᵢ, Bⱼ) ≤ |Aᵢ ∩ Bⱼ| / |Bⱼ| ≤ s / b, so s / b ≤ 0.6 proves event j duplicates
 * nothing (an exact duplicate has s ≥ b). Whenever the bound cannot clear an event, the exact
 * `findDuplicates` decides.
 */
export function hasNoDuplicates(events: readonly string[]): boolean {
  beginLevel();
  let at = 0;
  for (let j = 0; j < events.length; j++) {
    const text = events[j] as string;
    // A quote in the text is punctuation (dropped) like '!'; 0x22 then marks the end.
    const end = asciiInto(text, at, 0x21);
    if (end >= 0) {
      scratch[end] = 0x22;
      if (scanTokens(scratch, at, TEXT_CLASSES) < 0) return findDuplicates(events).length === 0;
      at = end + 1;
    } else {
      scanBits = 0;
      scanShared = 0;
      countTokensOf(normalizeEvent(text), ++serial);
    }
    if (!clearedByBound(j)) return findDuplicates(events).length === 0;
  }
  return true;
}

/** Starts a new level for `scanTokens`: forgets the previous level's tokens. */
export function beginLevel(): void {
  if (serial > 0x3fffffff) {
    // Once in a billion events: start the numbering again.
    firstSetBy.fill(0);
    lastSetBy.fill(0);
    serial = 0;
  }
  levelStart = serial + 1;
}

/** After `scanTokens` of event j: whether the bound proves it duplicates none of events 0..j-1. */
export function clearedByBound(j: number): boolean {
  return j === 0 || (scanBits > 0 && scanShared <= NEAR_DUPLICATE_JACCARD * scanBits);
}

/**
 * Hashes the tokens of the level's next event, bytes from `start` up to the first END byte (as
 * `classes` says), counting for the bound its distinct bits and its tokens an earlier event had.
 * From the first non-ASCII byte on, the rest of the event is decoded and normalised as Unicode
 * text (tokens hash the same either way). Returns the index of the END byte, or -1 when a BAD
 * byte means the bound cannot be computed (the caller then falls back to the exact check).
 */
export function scanTokens(bytes: Uint8Array, start: number, classes: Uint8Array): number {
  const event = ++serial;
  scanBits = 0;
  scanShared = 0;
  let h = FNV_OFFSET;
  let tokenStart = -1;
  let segmentStart = start; // after the last separator: where the Unicode rest starts (see unicodeRest)
  for (let k = start; ; k++) {
    let c = classes[bytes[k] as number] as number;
    if (c === DOT) c = k > start && isDigit(bytes[k - 1]) && isDigit(bytes[k + 1]) ? 0x2e : 0;
    if (c === 0) continue;
    if (c < UNI || c === 0xfe) {
      if (tokenStart < 0) tokenStart = k;
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c === BAD) return -1;
    if (c === UNI) return unicodeRest(bytes, segmentStart, classes, event);
    // A separator or the end closes the token.
    if (tokenStart >= 0) {
      addToken(h, event);
      h = FNV_OFFSET;
      tokenStart = -1;
    }
    if (c === END) return k;
    segmentStart = k + 1;
  }
}

/** Counts one token (its hash) of event `event` for the bound. */
function addToken(h: number, event: number): void {
  const bit = h & (BITS - 1);
  const first = firstSetBy[bit] as number;
  if (first < levelStart) firstSetBy[bit] = event;
  else if (first < event) scanShared++;
  if (lastSetBy[bit] !== event) {
    lastSetBy[bit] = event;
    scanBits++;
  }
}

const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * The rest of an event from `from` (just after an ASCII separator, so the earlier tokens stand as
 * they were counted; not later, so that NFKC sees what a code point composes with, as in '<' and
 * U+0338, and lowercasing its context), decoded and normalised as Unicode: its tokens are counted
 * like the byte scan's, hashed over their code units. The index of the END byte, or -1.
 */
function unicodeRest(bytes: Uint8Array, from: number, classes: Uint8Array, event: number): number {
  let end = from;
  for (; ; end++) {
    const c = classes[bytes[end] as number] as number;
    if (c === END) break;
    if (c === BAD) return -1;
  }
  countTokensOf(normalizeEvent(utf8.decode(bytes.subarray(from, end))), event);
  return end;
}

/** Counts the tokens of normalised text for the bound; the same hashes as the byte scan's. */
function countTokensOf(normalized: string, event: number): void {
  let h = FNV_OFFSET;
  let len = 0;
  for (let k = 0; k <= normalized.length; k++) {
    const c = k < normalized.length ? normalized.charCodeAt(k) : 0x20;
    if (c !== 0x20) {
      h = Math.imul(h ^ (c === 0 ? 0xfe : c), FNV_PRIME);
      len++;
      continue;
    }
    if (len > 0) addToken(h, event);
    h = FNV_OFFSET;
    len = 0;
  }
}
