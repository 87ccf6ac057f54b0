// The hottest path of validation, before JSON.parse. Most lines of a real dataset are valid cases;
// this recognises one in a single pass over its UTF-8 bytes, checking strict JSON and the case
// rules together and building nothing but the line's facts. No parsed objects means no garbage on
// 100k-line files, which is where JSON.parse + the object checks of fastPath.ts spent their time.
//
// The answer is only "clean" (with the facts) or "not sure". Escapes in the case's own strings, a
// number written other than as plain digits, a repeated or unknown key, a \uD8xx–\uDFxx escape, a lone surrogate (UTF-8
// cannot carry it), anything odd at all: not sure, and checkLine (JSON.parse, fastPath.ts, then
// zod) decides and alone writes diagnostics.
// A property test holds this to that path: clean here ⇒ JSON.parse accepts the line and
// `cleanCaseFacts` returns the same facts.
import type { Split } from '../contracts/case';
import { isRealDate, isRealDateAt } from './dates';
import { isNonBlank } from './rules';
import {
  beginLevel,
  clearedByBound,
  findDuplicates,
  JSON_STRING_CLASSES,
  keyHash,
  keyHashOfBytes,
  lastSeedEventHash,
  scanTokens,
  seedEventHashOf,
  seedHashOfBytes,
  seedKeyOf,
} from './normalize';
import type { LineFacts } from './types';

const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;

/** Deeper `source` values are left to JSON.parse. */
const MAX_NESTING = 64;
/** Levels with more candidates are left to the object checks. */
const MAX_CANDIDATES = 256;

// The line being scanned, as UTF-8 bytes, and the position in them: module state, so the scan
// allocates nothing. In an all-ASCII line byte offsets are also UTF-16 offsets in `line`; in
// another, a string the rules need is decoded from its bytes (see `str`).
const encoder = new TextEncoder();
// ignoreBOM: keep a leading U+FEFF in a decoded string (the default drops it).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
let s = new Uint8Array(1 << 16);
let line = '';
let ascii = true;
let p = 0;
let n = 0;
// Where each candidate event of the current level lies, for the exact duplicate check.
const eventStart = new Int32Array(MAX_CANDIDATES);
const eventEnd = new Int32Array(MAX_CANDIDATES);
// The candidate count of the level `candidates()` last read.
let candidateCount = 0;

/**
 * The facts of the last line `scanLine` found clean, overwritten by the next call (one object
 * reused: the hot path allocates nothing it does not keep).
 */
export const scanned = {
  idHash: -1, // keyHash of the id, -1 when the case has none
  seedHash: 0, // keyHash of the seed key (normalised event, NUL, date)
  seedEventHash: 0, // keyHash of the normalised seed event alone (seedEventHashOf)
  split: undefined as Split | undefined,
  // Where the id (-1 when none), the seed event and its date lie in the line.
  idStart: -1,
  idEnd: -1,
  eventStart: 0,
  eventEnd: 0,
  dateStart: 0,
  actualPositions: [] as number[], // per level
  candidateCounts: [] as number[], // per level
};

/** Whether the line is certainly a clean case (no diagnostic at all); its facts are then in `scanned`. */
export function scanLine(text: string): boolean {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (3 * text.length >= s.length) s = new Uint8Array(3 * text.length + 1);
  // Bytes are much faster to walk than a string's code units.
  const { written } = encoder.encodeInto(text, s);
  ascii = written === text.length;
  // A lone surrogate would come back from UTF-8 as U+FFFD: leave such a line to JSON.parse.
  if (!ascii && !text.isWellFormed()) return false;
  s[written] = 0; // a sentinel that matches nothing the scan looks for
  line = text;
  p = 0;
  n = written;
  scanned.idHash = -1;
  scanned.idStart = -1;
  scanned.split = undefined;
  scanned.actualPositions.length = 0;
  scanned.candidateCounts.length = 0;
  let clean = false;
  try {
    clean = caseObject();
  } catch {
    // Defence in depth: a bug here must not take the editor down; the object path decides.
    clean = false;
  }
  line = ''; // do not keep the line alive
  return clean;
}

/** `scanLine` as a LineFacts object (what `cleanCaseFacts` returns for the parsed line), else undefined. */
export function scanCleanCase(text: string): LineFacts | undefined {
  if (!scanLine(text)) return undefined;
  line = text;
  const { eventStart: a, eventEnd: b, dateStart: d } = scanned;
  const facts: LineFacts = {
    actualPositions: [...scanned.actualPositions],
    candidateCounts: [...scanned.candidateCounts],
    seedKey: seedKeyOf(str(a, b), str(d, d + 10)),
  };
  if (scanned.idStart >= 0) facts.id = str(scanned.idStart, scanned.idEnd);
  line = '';
  if (scanned.split !== undefined) facts.split = scanned.split;
  return facts;
}

// ---- the case ----

const ID = 1;
const SEED = 2;
const LEVELS = 4;
const SPLIT = 8;
const SOURCE = 16;

/** The case key at p (consumed), or 0 when it is none of them. */
function caseKey(): number {
  if (key('seed')) return SEED;
  if (key('levels')) return LEVELS;
  if (key('id')) return ID;
  if (key('split')) return SPLIT;
  if (key('source')) return SOURCE;
  return 0;
}

function caseObject(): boolean {
  skipWs();
  if (at(p) !== LBRACE) return false;
  p++;
  const facts = scanned;
  let seen = 0;
  for (;;) {
    skipWs();
    const k = caseKey();
    if (k === 0 || (seen & k) !== 0 || !colon()) return false;
    seen |= k;
    switch (k) {
      case ID: {
        const start = p + 1;
        const end = plainString();
        if (end <= start) return false;
        facts.idStart = start;
        facts.idEnd = end;
        facts.idHash = ascii ? keyHashOfBytes(s, start, end) : keyHash(str(start, end));
        break;
      }
      case SEED:
        if (!seed()) return false;
        break;
      case LEVELS:
        if (!levels(facts)) return false;
        break;
      case SPLIT:
        facts.split = split();
        if (facts.split === undefined) return false;
        break;
      default:
        if (at(p) !== LBRACE || !skipValue(0)) return false;
    }
    if (!next(RBRACE)) break;
  }
  if (p < 0) return false;
  skipWs();
  return p === n && (seen & (SEED | LEVELS)) === (SEED | LEVELS);
}

function split(): Split | undefined {
  if (key('train')) return 'train';
  if (key('eval')) return 'eval';
  if (key('test')) return 'test';
  return undefined;
}

/** Whether the seed is clean; its key (normalised event + date) then goes to `scanned`. */
function seed(): boolean {
  if (at(p) !== LBRACE) return false;
  p++;
  let event = -1;
  let eventEndAt = -1;
  let date = -1;
  for (;;) {
    skipWs();
    if (event < 0 && key('event')) {
      if (!colon()) return false;
      event = p + 1;
      eventEndAt = plainString();
      if (!nonBlank(event, eventEndAt)) return false;
    } else if (date < 0 && key('date')) {
      if (!colon()) return false;
      date = p + 1;
      if (plainString() !== date + 10 || !(ascii ? isRealDateAt(line, date) : isRealDate(str(date, date + 10))))
        return false;
    } else return false;
    if (!next(RBRACE)) break;
  }
  if (p < 0 || event < 0 || date < 0) return false;
  scanned.eventStart = event;
  scanned.eventEnd = eventEndAt;
  scanned.dateStart = date;
  if (ascii) {
    scanned.seedHash = seedHashOfBytes(s, event, eventEndAt, date, date + 10);
    scanned.seedEventHash = lastSeedEventHash();
  } else {
    const text = str(event, eventEndAt);
    scanned.seedHash = keyHash(seedKeyOf(text, str(date, date + 10)));
    scanned.seedEventHash = seedEventHashOf(text);
  }
  return true;
}

function levels(facts: typeof scanned): boolean {
  if (at(p) !== LBRACKET) return false;
  p++;
  for (let depth = 1; ; depth++) {
    skipWs();
    const actual = level(depth);
    if (actual < 0) return false;
    facts.actualPositions.push(actual);
    facts.candidateCounts.push(candidateCount);
    if (!next(RBRACKET)) return p >= 0;
  }
}

/** A clean level at `depth`: the index of its actual, else -1. */
function level(depth: number): number {
  if (at(p) !== LBRACE) return -1;
  p++;
  let actual = -1;
  let gotDepth = false;
  for (;;) {
    skipWs();
    if (!gotDepth && key('depth')) {
      if (!colon() || plainInteger() !== depth) return -1;
      gotDepth = true;
    } else if (actual < 0 && key('candidates')) {
      if (!colon()) return -1;
      actual = candidates();
      if (actual < 0) return -1;
    } else return -1;
    if (!next(RBRACE)) break;
  }
  return p >= 0 && gotDepth ? actual : -1;
}

/** A clean candidate list (≥ 2, one actual, no duplicates): the actual's index, else -1. */
function candidates(): number {
  if (at(p) !== LBRACKET) return -1;
  p++;
  beginLevel();
  let exact = false; // the token bound could not clear every event: compare the texts
  let actual = -1;
  let j = 0;
  for (; ; j++) {
    skipWs();
    if (j === MAX_CANDIDATES || at(p) !== LBRACE) return -1;
    p++;
    let event = -1;
    let label = -1;
    for (;;) {
      skipWs();
      if (event < 0 && key('event')) {
        if (!colon() || at(p) !== QUOTE) return -1;
        event = p + 1;
        // One pass finds the closing quote and hashes the tokens for the duplicate bound.
        let end = exact ? -1 : scanTokens(s, event, JSON_STRING_CLASSES);
        if (end < 0) {
          // An escape, or text the bound cannot judge: find the end plainly, compare exactly.
          exact = true;
          end = plainString();
        } else {
          p = end + 1;
          if (!clearedByBound(j)) exact = true;
        }
        if (!nonBlank(event, end)) return -1;
        eventStart[j] = event;
        eventEnd[j] = end;
      } else if (label < 0 && key('label')) {
        if (!colon()) return -1;
        label = plainInteger();
        if (label !== 0 && label !== 1) return -1;
      } else return -1;
      if (!next(RBRACE)) break;
    }
    if (p < 0 || event < 0 || label < 0) return -1;
    if (label === 1) {
      if (actual >= 0) return -1;
      actual = j;
    }
    if (!next(RBRACKET)) break;
  }
  if (p < 0) return -1;
  candidateCount = j + 1;
  if (candidateCount < 2 || actual < 0) return -1;
  if (exact) {
    const events: string[] = [];
    for (let k = 0; k < candidateCount; k++) events.push(str(eventStart[k] as number, eventEnd[k] as number));
    if (findDuplicates(events).length > 0) return -1;
  }
  return actual;
}

// ---- JSON pieces ----

/**
 * Whether the bytes from `a` spell `word`. A mismatch stops at the sentinel at n at the latest
 * (no word has a 0 byte), so this never reads a previous line's bytes.
 */
function spells(a: number, word: string): boolean {
  for (let k = 0; k < word.length; k++) if (at(a + k) !== word.charCodeAt(k)) return false;
  return true;
}

/** Whether the string at p is exactly `word` (no escape); if so, it is consumed. */
function key(word: string): boolean {
  if (p < 0 || at(p) !== QUOTE || !spells(p + 1, word) || at(p + 1 + word.length) !== QUOTE) return false;
  p += word.length + 2;
  return true;
}

/** The string whose raw (escape-free) JSON text is s[a, b). */
function str(a: number, b: number): string {
  return ascii ? line.slice(a, b) : decoder.decode(s.subarray(a, b));
}

/**
 * Whether the string s[a, b) (no escape, no control character) counts as non-blank, as zod's
 * trim().min(1): printable ASCII other than the space settles it; only non-ASCII text can hold
 * other whitespace, and then trim() decides.
 */
function nonBlank(a: number, b: number): boolean {
  let other = false;
  for (let k = a; k < b; k++) {
    const c = s[k] as number;
    if (c > 0x20 && c < 0x80) return true;
    if (c >= 0x80) other = true;
  }
  return other && isNonBlank(str(a, b));
}

/** The byte at `k`; at `n` the sentinel 0, which every comparison of the scan fails. */
function at(k: number): number {
  return s[k] as number;
}

function skipWs(): void {
  while (p < n) {
    const c = s[p] as number;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return;
    p++;
  }
}

/** `:` between whitespace. */
function colon(): boolean {
  skipWs();
  if (at(p) !== COLON) return false;
  p++;
  skipWs();
  return true;
}

/**
 * After a member or element: `,` (true, go on) or the `close` bracket (false, done). Anything else
 * also ends the loop, with p = -1 so the caller fails.
 */
function next(close: number): boolean {
  skipWs();
  const c = at(p);
  if (c === COMMA) {
    p++;
    return true;
  }
  if (c === close) p++;
  else p = -1;
  return false;
}

/**
 * At an opening quote: skips a string that has no escape, and returns the index of its closing
 * quote; -1 for anything else (an escape, a control character, no closing quote, no string).
 */
function plainString(): number {
  if (p < 0 || at(p) !== QUOTE) return -1;
  for (let k = p + 1; k < n; k++) {
    const c = s[k] as number;
    if (c === QUOTE) {
      p = k + 1;
      return k;
    }
    if (c === BACKSLASH || c < 0x20) return -1;
  }
  return -1;
}

/** A non-negative integer written as plain digits (as JSON allows), else -1 (0.0, 1e0, -0, 01: not sure). */
function plainInteger(): number {
  let c = at(p);
  if (c === ZERO) {
    c = at(++p);
    return (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 ? -1 : 0;
  }
  let v = 0;
  let digits = 0;
  while (c >= ZERO && c <= NINE && digits < 9) {
    v = v * 10 + (c - ZERO);
    digits++;
    c = at(++p);
  }
  return digits === 0 || (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 ? -1 : v;
}

/** Skips any strict JSON value (for `source`); false when it is not one. */
function skipValue(nesting: number): boolean {
  const c = at(p);
  if (c === QUOTE) return anyString();
  if (c === LBRACE || c === LBRACKET) {
    if (nesting >= MAX_NESTING) return false;
    const close = c === LBRACE ? RBRACE : RBRACKET;
    p++;
    skipWs();
    if (at(p) === close) {
      p++;
      return true;
    }
    for (;;) {
      skipWs();
      if (c === LBRACE && !(anyString() && colon())) return false;
      if (!skipValue(nesting + 1)) return false;
      if (!next(close)) return p >= 0;
    }
  }
  for (const word of LITERALS) {
    if (spells(p, word)) {
      p += word.length;
      return true;
    }
  }
  return anyNumber();
}

const LITERALS = ['true', 'false', 'null'];

export function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}

/** The letter after a backslash of a JSON escape other than \u: " \ / b f n r t. */
export function isShortEscape(e: number): boolean {
  return (
    e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74
  );
}

/** Skips a strict JSON string, escapes included. */
function anyString(): boolean {
  if (at(p) !== QUOTE) return false;
  for (let k = p + 1; k < n; k++) {
    const c = s[k] as number;
    if (c === QUOTE) {
      p = k + 1;
      return true;
    }
    if (c < 0x20) return false;
    if (c === BACKSLASH) {
      const e = at(++k);
      if (e === 0x75) {
        if (!(isHex(at(k + 1)) && isHex(at(k + 2)) && isHex(at(k + 3)) && isHex(at(k + 4)))) return false;
        // \uD800–\uDFFF: maybe a lone surrogate, which checkLine reports.
        if ((at(k + 1) | 0x20) === 0x64 && at(k + 2) >= 0x38) return false; // hex: 8, 9 or a letter
        k += 4;
      } else if (!isShortEscape(e)) {
        return false;
      }
    }
  }
  return false;
}

function digits(): number {
  const start = p;
  for (let c = at(p); c >= ZERO && c <= NINE; c = at(++p));
  return p - start;
}

/** Skips a strict JSON number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)? */
function anyNumber(): boolean {
  if (at(p) === 0x2d) p++;
  if (at(p) === ZERO) p++;
  else if (digits() === 0) return false;
  if (at(p) === 0x2e) {
    p++;
    if (digits() === 0) return false;
  }
  const e = at(p);
  if (e === 0x65 || e === 0x45) {
    p++;
    const sign = at(p);
    if (sign === 0x2b || sign === 0x2d) p++;
    if (digits() === 0) return false;
  }
  return true;
}
