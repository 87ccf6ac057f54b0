// The incremental model of one case file. Each line is checked once when it changes (scanLine for
// the clean lines that are most of a dataset, else checkLine);
// the file-level rules (unique ids, repeated seeds, a seed event in train and in a held-out split
// whatever its dates, position bias, blank lines in the middle) are kept up to date from per-line facts in index maps, so an edit costs the
// touched lines plus the groups they belong to — never a re-parse of the file.
//
// Entries are objects whose identity is stable while other lines move; index maps hold entries,
// not line numbers, and line numbers are refreshed lazily after an edit changes the line count.
import type { JSONPath, Node } from 'jsonc-parser';
import type { Case } from '../contracts/case';
import { parseJsonTree } from './jsonSyntax';
import { checkLine, MAX_LINE_LENGTH } from './lineCheck';
import { scanLine, scanned } from './scanLine';
import { diagnostic, Locator } from './locator';
import type { Split } from '../contracts/case';
import { factsOf } from './fastPath';
import { keyHash, normalizeEvent, seedEventHashOf } from './normalize';
import type { CaseDiagnostic, CaseDiagnosticCode, LineResult, Position, Range, Severity } from './types';

/** Position bias is only reported from this many valid cases on: below it, "always" is chance. */
export const POSITION_BIAS_MIN_CASES = 5;

const LINE_BREAK = /\r\n|\r|\n/;

/** Lines without their terminators (\r\n, \n or a lone \r, as VS Code counts them). */
function splitLines(text: string): string[] {
  // The plain split is several times faster than the regex; most files have no \r.
  return text.indexOf('\r') < 0 ? text.split('\n') : text.split(LINE_BREAK);
}

/**
 * One line as the document keeps it. The parsed value is NOT kept: retaining 100k parsed cases
 * makes the garbage collector promote millions of objects (it doubled full-validation time), so
 * `lineResult` and `cases` re-parse a valid line on demand (JSON.parse is deterministic).
 */
interface Entry {
  text: string;
  line: number;
  diagnostics: CaseDiagnostic[]; // this line's own diagnostics, on line 0
  json: boolean; // JSON.parse accepts the line
  valid: boolean; // a valid case (warnings allowed)
  // The LineFacts the file rules need, flattened (fewer retained objects on large files). Ids and
  // seed keys are kept as hashes (small integers: cheap Map keys, no strings to keep); the keys
  // themselves are read back from the text only when hashes meet (see `keysOf`).
  idHash: number; // -1: no id
  seedHash: number; // -1: no seed
  seedEventHash: number; // the seed event alone, whatever its date (seedEventHashOf); -1: no seed
  keys?: { id?: string; seedKey?: string; seedEvent?: string };
  split: Split | undefined;
  // Valid cases only: per level, the actual's position and the candidate count. Packed into one
  // small integer when they fit (7 bits a level, ≤ 4 levels), else kept as arrays; fewer objects
  // per line make the garbage collector's work on 100k-line files much lighter.
  levels: number | LevelFacts | undefined;
  blank: boolean;
  tree?: Node | null; // parsed lazily, only for lines that carry a file-level diagnostic
}

const NO_DIAGNOSTICS: CaseDiagnostic[] = [];

/**
 * Entries by the hash of a key (an id, a seed), with the hashes that several entries share. A
 * hash with one entry maps to it directly: most keys are unique, and an array per key costs memory
 * and GC time on large files. Entries sharing a hash usually share the key; `keyGroups` tells.
 */
class Groups {
  private readonly map = new Map<number, Entry | Entry[]>();
  readonly repeated = new Set<number>();

  add(hash: number, e: Entry): void {
    const cur = this.map.get(hash);
    if (cur === undefined) {
      this.map.set(hash, e);
      return;
    }
    if (Array.isArray(cur)) cur.push(e);
    else this.map.set(hash, [cur, e]);
    this.repeated.add(hash);
  }

  remove(hash: number, e: Entry): void {
    const cur = this.map.get(hash);
    if (cur === undefined) return;
    if (!Array.isArray(cur)) {
      if (cur === e) this.map.delete(hash);
      return;
    }
    const k = cur.indexOf(e);
    if (k >= 0) cur.splice(k, 1);
    if (cur.length === 1) {
      this.map.set(hash, cur[0] as Entry);
      this.repeated.delete(hash);
    }
  }

  get(hash: number): readonly Entry[] {
    const cur = this.map.get(hash);
    return cur === undefined ? [] : Array.isArray(cur) ? cur : [cur];
  }

  /** The groups of entries that share a key (`keyGroups`) among those that share a hash; `worth` skips a hash's
   * entries before any key is read. */
  *sharedKeys(
    keyOf: (e: Entry) => string | undefined,
    worth: (entries: readonly Entry[]) => boolean = () => true,
  ): Generator<[string, Entry[]]> {
    for (const hash of this.repeated) {
      const entries = this.get(hash);
      if (worth(entries)) yield* keyGroups(entries, keyOf);
    }
  }
}

/** Entries that share a key, each group in line order, from entries that share its hash. */
function keyGroups(entries: readonly Entry[], keyOf: (e: Entry) => string | undefined): [string, Entry[]][] {
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const key = keyOf(e);
    if (key === undefined) continue;
    const g = groups.get(key);
    if (g) g.push(e);
    else groups.set(key, [e]);
  }
  return [...groups].filter(([, g]) => g.length > 1).map(([key, g]) => [key, g.sort(byLine)]);
}

interface LevelFacts {
  actualPositions: number[];
  candidateCounts: number[];
}

/**
 * Per level (position + 1) in 3 bits and the candidate count in 4, 7 bits a level; else copies of
 * the arrays (the caller may reuse them).
 */
function packLevels(actualPositions: number[], candidateCounts: number[]): number | LevelFacts {
  if (actualPositions.length > 4) return unpacked(actualPositions, candidateCounts);
  let packed = 0;
  for (let k = 0; k < actualPositions.length; k++) {
    const p = actualPositions[k] as number;
    const c = candidateCounts[k] as number;
    if (p < 0 || p > 6 || c > 15) return unpacked(actualPositions, candidateCounts);
    packed |= (((c << 3) | (p + 1)) << (7 * k)) >>> 0;
  }
  return packed >>> 0;
}

function unpacked(actualPositions: number[], candidateCounts: number[]): LevelFacts {
  return { actualPositions: [...actualPositions], candidateCounts: [...candidateCounts] };
}

const SPLIT_NAMES = ['train', 'eval', 'test', 'none'] as const;
const SPLIT_INDEX: Record<(typeof SPLIT_NAMES)[number], number> = { train: 0, eval: 1, test: 2, none: 3 };

/** Counts by small non-negative integer keys (a dense array; a Map beyond it), and how many are non-zero. */
class Counter {
  private readonly dense: number[] = [];
  private readonly sparse = new Map<number, number>();
  size = 0;

  bump(key: number, by: number): void {
    let before: number;
    if (key < 1024) {
      while (this.dense.length <= key) this.dense.push(0);
      before = this.dense[key] as number;
      this.dense[key] = before + by;
    } else {
      before = this.sparse.get(key) ?? 0;
      if (before + by === 0) this.sparse.delete(key);
      else this.sparse.set(key, before + by);
    }
    if (before === 0 && by > 0) this.size++;
    else if (before + by === 0) this.size--;
  }

  entries(): [number, number][] {
    const out: [number, number][] = [];
    this.dense.forEach((n, k) => {
      if (n > 0) out.push([k, n]);
    });
    for (const [k, n] of [...this.sparse].sort((a, b) => a[0] - b[0])) out.push([k, n]);
    return out;
  }

  record(name: (key: number) => string): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.entries()) out[name(k)] = n;
    return out;
  }
}

/** Counts over a document's valid cases (see statsOf). */
export interface DatasetCounts {
  cases: number;
  invalidLines: number;
  levelsPerDepth: Record<string, number>;
  candidatesPerLevel: Record<string, number>;
  actualPosition: Record<string, number>; // 1-based
  splits: Record<string, number>;
}

/** The seed event of a parsed line whose facts have a seed key (factsOf checked it is a non-blank string). */
function seedEventOf(value: unknown): string {
  return (value as { seed: { event: string } }).seed.event;
}

function byLine(a: Entry, b: Entry): number {
  return a.line - b.line;
}

function compareDiagnostics(a: CaseDiagnostic, b: CaseDiagnostic): number {
  const s = a.range.start;
  const t = b.range.start;
  if (s.line !== t.line) return s.line - t.line;
  if (s.character !== t.character) return s.character - t.character;
  const e = a.range.end;
  const f = b.range.end;
  if (e.line !== f.line) return e.line - f.line;
  if (e.character !== f.character) return e.character - f.character;
  if (a.code !== b.code) return a.code < b.code ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

function atLine(d: CaseDiagnostic, line: number): CaseDiagnostic {
  return {
    ...d,
    range: { start: { line, character: d.range.start.character }, end: { line, character: d.range.end.character } },
  };
}

/** Keys that must not repeat in a file: ids (an error) and seeds, event and date (a warning). */
const REPEAT_RULES: readonly {
  groups: 'ids' | 'seeds';
  key: 'id' | 'seedKey';
  path: JSONPath;
  severity: Severity;
  code: CaseDiagnosticCode;
  message: (key: string, firstLine: number) => string;
}[] = [
  {
    groups: 'ids',
    key: 'id',
    path: ['id'],
    severity: 'error',
    code: 'duplicate-id',
    message: (id, line) =>
      `id ${JSON.stringify(id)} is already used on line ${line}: ids must be unique in a file, rename this one`,
  },
  {
    groups: 'seeds',
    key: 'seedKey',
    path: ['seed'],
    severity: 'warning',
    code: 'repeated-seed',
    message: (_, line) => `the same seed (event and date) is already on line ${line}: merge the two cases or drop one`,
  },
];

export class CaseDocument {
  private entries: Entry[] = [];
  /** Entries from this index on may carry stale line numbers. */
  private staleFrom = Infinity;
  private readonly ids = new Groups();
  private readonly seeds = new Groups();
  /** Cases with a split, by seed event alone: the seed-in-train-and-eval rule. */
  private readonly seedEvents = new Groups();
  private readonly withDiagnostics = new Set<Entry>();
  private readonly blanks = new Set<Entry>();
  /** Position of the actual -> number of levels (valid cases only), for the position-bias rule. */
  private readonly actualAt = new Counter();
  private validCases = 0;
  private invalidLines = 0;
  // Dataset counts for statsOf, kept up to date like the indexes so the status bar stays cheap.
  private readonly levelsAtDepth = new Counter();
  private readonly candidateCountLevels = new Counter();
  private readonly splitCases = new Counter();
  private cached: CaseDiagnostic[] | undefined;
  /** Whether the text began with a byte order mark (stripped: VS Code's model never shows one). */
  readonly hadBom: boolean;

  constructor(text: string) {
    this.hadBom = text.charCodeAt(0) === 0xfeff;
    const body = this.hadBom ? text.slice(1) : text;
    const lines = splitLines(body);
    this.entries = new Array<Entry>(lines.length);
    for (let k = 0; k < lines.length; k++) {
      const e = this.makeEntry(lines[k] as string, k);
      this.entries[k] = e;
      this.index(e);
    }
  }

  get lineCount(): number {
    return this.entries.length;
  }

  lineText(line: number): string {
    return this.entries[line]?.text ?? '';
  }

  /** The line's own diagnostics (not the file-level ones), on its real line number. */
  lineResult(line: number): LineResult {
    const e = this.entries[line];
    if (!e) return { diagnostics: [] };
    const result: LineResult = { diagnostics: e.diagnostics.map((d) => atLine(d, line)) };
    if (e.blank) result.blank = true;
    if (e.json) {
      result.value = JSON.parse(e.text) as unknown;
      result.facts = factsOf(result.value);
      if (e.valid) result.case = result.value as Case;
    }
    return result;
  }

  /** Replaces lines [startLine, endLineExclusive) with the lines of `newText`; '' deletes them. */
  replaceLines(startLine: number, endLineExclusive: number, newText: string): void {
    const lines = newText === '' ? [] : splitLines(newText);
    this.splice(startLine, endLineExclusive, lines);
  }

  /**
   * Applies a VS Code-style content change: `range` in the current text is replaced by `text`.
   * Positions outside the document are clamped. Re-checks only the lines the change touches.
   */
  applyChange(range: Range, text: string): void {
    let a = this.clamp(range.start);
    let b = this.clamp(range.end);
    if (a.line > b.line || (a.line === b.line && a.character > b.character)) [a, b] = [b, a];
    const prefix = this.lineText(a.line).slice(0, a.character);
    const suffix = this.lineText(b.line).slice(b.character);
    this.splice(a.line, b.line + 1, splitLines(prefix + text + suffix));
  }

  /** The whole text (without the BOM), lines joined with \n. */
  getText(): string {
    return this.entries.map((e) => e.text).join('\n');
  }

  /** Every diagnostic of the file, line rules and file rules, sorted by position. */
  diagnostics(): CaseDiagnostic[] {
    if (this.cached) return this.cached;
    this.renumber();
    const out: CaseDiagnostic[] = [];
    for (const e of this.withDiagnostics) for (const d of e.diagnostics) out.push(atLine(d, e.line));
    this.blankLineWarnings(out);
    this.repeatDiagnostics(out);
    this.splitLeakWarnings(out);
    this.positionBiasWarning(out);
    out.sort(compareDiagnostics);
    this.cached = out;
    return out;
  }

  /** Dataset counts, maintained incrementally: O(distinct values), no parsing. */
  counts(): DatasetCounts {
    return {
      cases: this.validCases,
      invalidLines: this.invalidLines,
      levelsPerDepth: this.levelsAtDepth.record(String),
      candidatesPerLevel: this.candidateCountLevels.record(String),
      actualPosition: this.actualAt.record((p) => String(p + 1)),
      splits: this.splitCases.record((k) => SPLIT_NAMES[k] as string),
    };
  }

  /** Valid cases in file order. */
  cases(): { line: number; case: Case }[] {
    const out: { line: number; case: Case }[] = [];
    this.entries.forEach((e, line) => {
      if (e.valid) out.push({ line, case: JSON.parse(e.text) as Case });
    });
    return out;
  }

  // ---- editing ----

  private clamp(p: Position): Position {
    const line = Math.max(0, Math.min(Math.floor(p.line) || 0, this.entries.length - 1));
    const character = Math.max(0, Math.min(Math.floor(p.character) || 0, this.lineText(line).length));
    return { line, character };
  }

  private splice(start: number, endExclusive: number, lines: string[]): void {
    const n = this.entries.length;
    const s = Math.max(0, Math.min(Math.floor(start) || 0, n));
    const e = Math.max(s, Math.min(Math.floor(endExclusive) || 0, n));
    for (let k = s; k < e; k++) this.index(this.entries[k] as Entry, -1);
    // A document always has at least one line, as in VS Code.
    if (n - (e - s) + lines.length === 0) lines = [''];
    const fresh = lines.map((t, k) => this.makeEntry(t, s + k));
    // splice(...spread) overflows the argument limit for very large pastes; concat does not.
    if (fresh.length < 10_000) this.entries.splice(s, e - s, ...fresh);
    else this.entries = this.entries.slice(0, s).concat(fresh, this.entries.slice(e));
    if (fresh.length !== e - s) this.staleFrom = Math.min(this.staleFrom, s + fresh.length);
    for (const f of fresh) this.index(f);
    this.cached = undefined;
  }

  private makeEntry(text: string, line: number): Entry {
    if (text.length <= MAX_LINE_LENGTH && scanLine(text)) {
      // Most lines: a clean case, recognised without JSON.parse (see scanLine.ts).
      return {
        text,
        line,
        diagnostics: NO_DIAGNOSTICS,
        json: true,
        valid: true,
        blank: false,
        idHash: scanned.idHash,
        seedHash: scanned.seedHash,
        seedEventHash: scanned.seedEventHash,
        split: scanned.split,
        levels: packLevels(scanned.actualPositions, scanned.candidateCounts),
      };
    }
    const r = checkLine(text);
    const f = r.facts;
    const valid = r.case !== undefined;
    return {
      text,
      line,
      diagnostics: r.diagnostics.length > 0 ? r.diagnostics : NO_DIAGNOSTICS,
      json: r.value !== undefined,
      valid,
      blank: r.blank === true,
      idHash: f?.id === undefined ? -1 : keyHash(f.id),
      seedHash: f?.seedKey === undefined ? -1 : keyHash(f.seedKey),
      seedEventHash: f?.seedKey === undefined ? -1 : seedEventHashOf(seedEventOf(r.value)),
      split: f?.split,
      levels: valid && f ? packLevels(f.actualPositions, f.candidateCounts) : undefined,
    };
  }

  private renumber(): void {
    if (this.staleFrom === Infinity) return;
    for (let k = this.staleFrom; k < this.entries.length; k++) (this.entries[k] as Entry).line = k;
    this.staleFrom = Infinity;
  }

  /** Adds (by = 1) or removes (by = -1) an entry in every index and count it belongs to. */
  private index(e: Entry, by: 1 | -1 = 1): void {
    const inSet = (set: Set<Entry>, member: boolean): void => {
      if (member) void (by > 0 ? set.add(e) : set.delete(e));
    };
    const inGroups = (groups: Groups, hash: number, member = true): void => {
      if (hash >= 0 && member) void (by > 0 ? groups.add(hash, e) : groups.remove(hash, e));
    };
    inSet(this.withDiagnostics, e.diagnostics.length > 0);
    inSet(this.blanks, e.blank);
    inGroups(this.ids, e.idHash);
    inGroups(this.seeds, e.seedHash);
    inGroups(this.seedEvents, e.seedEventHash, e.split !== undefined);
    if (e.levels !== undefined) this.count(e, by);
    else if (!e.blank) this.invalidLines += by;
  }

  /** Adds (by = 1) or removes (by = -1) a valid case's levels in the dataset counts. */
  private count(e: Entry, by: 1 | -1): void {
    this.validCases += by;
    const lv = e.levels;
    if (typeof lv === 'number') {
      for (let k = 0, packed = lv; packed !== 0; k++, packed >>>= 7) {
        this.actualAt.bump((packed & 7) - 1, by);
        this.levelsAtDepth.bump(k + 1, by);
        this.candidateCountLevels.bump((packed >>> 3) & 15, by);
      }
    } else if (lv) {
      for (let k = 0; k < lv.actualPositions.length; k++) {
        this.actualAt.bump(lv.actualPositions[k] as number, by);
        this.levelsAtDepth.bump(k + 1, by);
        this.candidateCountLevels.bump(lv.candidateCounts[k] as number, by);
      }
    }
    this.splitCases.bump(SPLIT_INDEX[e.split ?? 'none'], by);
  }

  // ---- file-level rules ----

  /** The id, seed key and normalised seed event of a line with facts, read back from its text once a rule needs them. */
  private keysOf(e: Entry): { id?: string; seedKey?: string; seedEvent?: string } {
    if (e.keys) return e.keys;
    const value: unknown = JSON.parse(e.text);
    const facts = factsOf(value);
    const keys: { id?: string; seedKey?: string; seedEvent?: string } = {};
    if (facts?.id !== undefined) keys.id = facts.id;
    if (facts?.seedKey !== undefined) {
      keys.seedKey = facts.seedKey;
      keys.seedEvent = normalizeEvent(seedEventOf(value));
    }
    e.keys = keys;
    return keys;
  }

  private locator(e: Entry): Locator {
    if (e.tree === undefined) e.tree = parseJsonTree(e.text).root ?? null;
    return new Locator(e.tree ?? undefined, e.text.length);
  }

  private blankLineWarnings(out: CaseDiagnostic[]): void {
    if (this.blanks.size === 0) return;
    // Blank lines after the last case are fine (a trailing newline, an empty last line).
    let last = this.entries.length - 1;
    while (last >= 0 && (this.entries[last] as Entry).blank) last--;
    for (const e of this.blanks) {
      if (e.line >= last) continue;
      out.push(
        atLine(
          diagnostic(
            { start: 0, end: e.text.length },
            'warning',
            'blank-line',
            'blank line between cases: remove it (every line of a case file is one case)',
          ),
          e.line,
        ),
      );
    }
  }

  /** A file-level diagnostic on the value at `path` of entry `e`. */
  private flagValue(
    out: CaseDiagnostic[],
    e: Entry,
    path: JSONPath,
    severity: Severity,
    code: CaseDiagnosticCode,
    message: string,
  ): void {
    out.push(atLine(diagnostic(this.locator(e).value(path), severity, code, message), e.line));
  }

  /** Each entry whose id or seed repeats one above it, flagged with the line of the first (REPEAT_RULES). */
  private repeatDiagnostics(out: CaseDiagnostic[]): void {
    for (const rule of REPEAT_RULES) {
      for (const [key, group] of this[rule.groups].sharedKeys((e) => this.keysOf(e)[rule.key])) {
        const line = (group[0] as Entry).line + 1;
        for (const e of group.slice(1))
          this.flagValue(out, e, rule.path, rule.severity, rule.code, rule.message(key, line));
      }
    }
  }

  /**
   * A seed event in train and in eval or test, whatever the dates (GUIDE, "No leakage"): the model
   * would be scored on a seed it trained on. Warned on each held-out case, naming the first train
   * case. Only cases with a split are indexed, and a group's keys are read back only where train
   * meets a held-out split, so a leak-free file parses nothing here.
   */
  private splitLeakWarnings(out: CaseDiagnostic[]): void {
    const trainMeetsHeldOut = (entries: readonly Entry[]): boolean =>
      entries.some((e) => e.split === 'train') && !entries.every((e) => e.split === 'train');
    for (const [, group] of this.seedEvents.sharedKeys((e) => this.keysOf(e).seedEvent, trainMeetsHeldOut)) {
      const train = group.find((g) => g.split === 'train');
      if (!train) continue;
      for (const e of group) {
        if (e.split === 'train') continue;
        const when = this.keysOf(e).seedKey === this.keysOf(train).seedKey ? '' : ', on another date';
        this.flagValue(
          out,
          e,
          ['split'],
          'warning',
          'seed-in-train-and-eval',
          `this seed event is also in train (line ${train.line + 1}${when}): ${e.split} would test what the model trained on, keep each seed event in one split whatever its dates`,
        );
      }
    }
  }

  private positionBiasWarning(out: CaseDiagnostic[]): void {
    if (this.validCases < POSITION_BIAS_MIN_CASES || this.actualAt.size !== 1) return;
    const [position, levels] = this.actualAt.entries()[0] as [number, number];
    const first = this.entries.find((e) => e.valid) as Entry;
    const span = this.locator(first).key([], 'levels');
    out.push(
      atLine(
        diagnostic(
          span,
          'warning',
          'actual-position-bias',
          `the actual is candidate ${position + 1} in all ${levels} levels of all ${this.validCases} cases: a model can learn the position, shuffle the candidates`,
        ),
        first.line,
      ),
    );
  }
}

/** Convenience: all diagnostics of a text. */
export function validateText(text: string): CaseDiagnostic[] {
  return new CaseDocument(text).diagnostics();
}
