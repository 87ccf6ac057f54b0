// One line of a case file checked in isolation: syntax, schema, forecasting rules and in-level
// warnings. Fast path first (JSON.parse + hand checks); anything short of a clean case goes through
// the slow path, which alone writes diagnostics. Never throws: whatever the text, the result is
// a list of diagnostics whose ranges lie inside the line.
import { cleanCaseFacts, factsOf } from './fastPath';
import { parseJsonTree, syntaxProblems } from './jsonSyntax';
import { diagnostic, Locator } from './locator';
import { provenanceDiagnostics } from './provenanceRules';
import { ruleDiagnostics } from './rules';
import { schemaDiagnostics } from './schemaCheck';
import type { Case } from '../contracts/case';
import type { CaseDiagnostic, LineResult } from './types';

/** Lines longer than this (UTF-16 code units, 1 MiB) are rejected unparsed so typing never hangs. */
export const MAX_LINE_LENGTH = 1_048_576;

/**
 * Objects and arrays nested deeper than this in one line are refused. JSON.parse would take far
 * deeper input, Python's json.loads raises RecursionError somewhat past 900: the limit keeps one
 * verdict on both sides (training/psychohistory/data.py has the same number), far above any case.
 */
export const MAX_DEPTH = 100;

/** Deepest nesting of objects and arrays in a parsed value; iterative, for input deeper than the stack. */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const [v, d] = top;
    if (v === null || typeof v !== 'object') continue;
    if (d > deepest) deepest = d;
    for (const x of Array.isArray(v) ? v : Object.values(v))
      if (x !== null && typeof x === 'object') stack.push([x, d + 1]);
  }
  return deepest;
}

function isHexDigit(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * The first lone surrogate in a line JSON.parse accepted, written raw or as a \u escape (JSON.parse
 * and Python's json.loads both accept "\ud800"; a tokenizer does not): its offset and length, or
 * undefined when there is none.
 */
export function loneSurrogateAt(text: string): { start: number; end: number } | undefined {
  if (text.indexOf('\\u') < 0 && text.isWellFormed()) return undefined;
  let pendingHigh = -1; // offset of a \uD8xx–\uDBxx escape waiting for its low half
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5c) {
      const u =
        text.charCodeAt(k + 1) === 0x75 && isHexDigit(text.charCodeAt(k + 2))
          ? parseInt(text.slice(k + 2, k + 6), 16)
          : -1;
      if (pendingHigh >= 0) {
        if (u >= 0xdc00 && u <= 0xdfff && k === pendingHigh + 6) {
          pendingHigh = -1;
          k += 5;
          continue;
        }
        return { start: pendingHigh, end: pendingHigh + 6 };
      }
      if (u >= 0xd800 && u <= 0xdbff) pendingHigh = k;
      else if (u >= 0xdc00 && u <= 0xdfff) return { start: k, end: k + 6 };
      k += u >= 0 ? 5 : 1;
      continue;
    }
    if (pendingHigh >= 0) return { start: pendingHigh, end: pendingHigh + 6 };
    if (c >= 0xd800 && c <= 0xdbff && k + 1 < text.length) {
      const d = text.charCodeAt(k + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        k++;
        continue;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) return { start: k, end: k + 1 };
  }
  return pendingHigh >= 0 ? { start: pendingHigh, end: pendingHigh + 6 } : undefined;
}

/** Errors JSON.parse lets through: nesting past MAX_DEPTH, lone surrogates. */
function structureProblems(text: string, value: unknown): { diagnostics: CaseDiagnostic[]; tooDeep: boolean } {
  const diagnostics: CaseDiagnostic[] = [];
  let tooDeep = false;
  // Fewer opening brackets than the limit cannot nest past it: skip the walk (almost every line).
  let openers = 0;
  for (let k = 0; k < text.length && openers <= MAX_DEPTH; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x5b || c === 0x7b) openers++;
  }
  if (openers > MAX_DEPTH) {
    const depth = nestingDepth(value);
    if (depth > MAX_DEPTH) {
      tooDeep = true;
      diagnostics.push(
        diagnostic(
          { start: 0, end: text.length },
          'error',
          'too-deep',
          `objects and arrays nested ${depth.toLocaleString('en-US')} deep, over the ${MAX_DEPTH} limit: a case is a flat object, flatten this one`,
        ),
      );
    }
  }
  const lone = loneSurrogateAt(text);
  if (lone) {
    diagnostics.push(
      diagnostic(
        lone,
        'error',
        'lone-surrogate',
        'lone surrogate in a string: it is not Unicode text and a tokenizer cannot read it; write the whole character (a \\uD8xx escape needs its \\uDCxx pair)',
      ),
    );
  }
  return { diagnostics, tooDeep };
}

/** Only spaces and tabs (or nothing): a blank line, which the document judges in context. */
export function isBlank(text: string): boolean {
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c !== 0x20 && c !== 0x09) return false;
  }
  return true;
}

function byStart(a: CaseDiagnostic, b: CaseDiagnostic): number {
  return a.range.start.character - b.range.start.character || a.range.end.character - b.range.end.character;
}

export function checkLine(text: string): LineResult {
  try {
    return check(text);
  } catch (err) {
    // Defence in depth: a bug in a rule must not take the editor down with it.
    const message = err instanceof Error ? err.message : String(err);
    return {
      diagnostics: [
        diagnostic(
          { start: 0, end: text.length },
          'error',
          'json-syntax',
          `internal error while checking this line: ${message}`,
        ),
      ],
    };
  }
}

function check(text: string): LineResult {
  if (text.length > MAX_LINE_LENGTH) {
    return {
      diagnostics: [
        diagnostic(
          { start: 0, end: text.length },
          'error',
          'line-too-long',
          `line is ${text.length.toLocaleString('en-US')} characters, over the 1,048,576 limit: a case this large is almost certainly a mistake (split it or shorten the texts)`,
        ),
      ],
    };
  }
  if (isBlank(text)) return { diagnostics: [], blank: true };

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const problems = syntaxProblems(text, parseJsonTree(text));
    return { diagnostics: problems.map((p) => diagnostic(p, 'error', 'json-syntax', p.message)) };
  }

  const structure = structureProblems(text, value);
  // Refused whole, like a line JSON.parse rejects: no facts, so its id or seed counts for nothing.
  if (structure.tooDeep) return { diagnostics: structure.diagnostics };
  if (structure.diagnostics.length > 0) {
    const result = slowCheck(text, value);
    result.diagnostics = [...structure.diagnostics, ...result.diagnostics].sort(byStart);
    delete result.case;
    return result;
  }

  const facts = cleanCaseFacts(value);
  if (facts) return { diagnostics: [], facts, case: value as Case, value };
  return slowCheck(text, value);
}

/** zod + forecasting rules with exact ranges, for a line that JSON.parse accepted. */
export function slowCheck(text: string, value: unknown): LineResult {
  const locator = new Locator(parseJsonTree(text).root, text.length);
  const diagnostics = [
    ...schemaDiagnostics(value, locator),
    ...ruleDiagnostics(value, locator),
    ...provenanceDiagnostics(value, locator),
  ];
  diagnostics.sort(byStart);
  const facts = factsOf(value);
  const result: LineResult = { diagnostics, facts, value };
  if (!diagnostics.some((d) => d.severity === 'error')) result.case = value as Case;
  return result;
}
