// JSON syntax of a case line: syntax errors at their exact position, and the tree (positions of keys
// and values are read from it with the line-edit toolkit, src/lineEdit/lineEdit.ts). jsonc-parser
// gives error recovery (several errors per line, friendly codes); a small strict scanner that follows RFC 8259 to
// the letter backs it up, because jsonc-parser is more lenient than JSON.parse in places (it takes
// some Unicode spaces as whitespace). A line gets a syntax error exactly when JSON.parse throws.
import { parseTree, printParseErrorCode } from 'jsonc-parser';
import type { Node, ParseError, ParseErrorCode } from 'jsonc-parser';
import { isHex, isShortEscape } from './scanLine';

/** A syntax error in one line: 0-based UTF-16 offsets, `end` exclusive. */
export interface SyntaxProblem {
  start: number;
  end: number;
  message: string;
}

const JSONC_OPTIONS = { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false };

/**
 * Offset of the first character where `text` stops being one JSON value (RFC 8259), or -1 when it
 * is valid. Iterative (explicit stack), so a deeply nested line cannot overflow the call stack.
 */
export function firstJsonErrorOffset(text: string): number {
  const n = text.length;
  let i = 0;
  // Stack of open containers: 1 = object, 2 = array.
  const stack: number[] = [];
  const skipWs = (): void => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  // Returns false (with i at the offending character) when the string is malformed.
  const scanString = (): boolean => {
    i++; // opening quote
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return true;
      }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        const e = text.charCodeAt(i + 1);
        if (e === 0x75) {
          for (let k = 2; k < 6; k++) {
            if (!isHex(text.charCodeAt(i + k))) {
              i = Math.min(i + k, n);
              return false;
            }
          }
          i += 6;
        } else if (isShortEscape(e)) {
          i += 2;
        } else {
          i = Math.min(i + 1, n);
          return false;
        }
      } else {
        i++;
      }
    }
    return false;
  };
  const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
  const scanNumber = (): boolean => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
    else return false;
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) return false;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) return false;
      while (isDigit(text.charCodeAt(i))) i++;
    }
    return true;
  };
  const scanWord = (word: string): boolean => {
    for (let k = 0; k < word.length; k++) {
      if (text.charCodeAt(i) !== word.charCodeAt(k)) return false;
      i++;
    }
    return true;
  };

  skipWs();
  // Each iteration parses one value, then the separators after it.
  for (;;) {
    // Expect a value at i.
    const c = text.charCodeAt(i);
    if (c === 0x7b) {
      i++;
      skipWs();
      if (text.charCodeAt(i) === 0x7d) {
        i++;
      } else {
        if (text.charCodeAt(i) !== 0x22 || !scanString()) return Math.min(i, n);
        skipWs();
        if (text.charCodeAt(i) !== 0x3a) return Math.min(i, n);
        i++;
        skipWs();
        stack.push(1);
        continue;
      }
    } else if (c === 0x5b) {
      i++;
      skipWs();
      if (text.charCodeAt(i) === 0x5d) {
        i++;
      } else {
        stack.push(2);
        continue;
      }
    } else if (c === 0x22) {
      if (!scanString()) return Math.min(i, n);
    } else if (c === 0x2d || isDigit(c)) {
      if (!scanNumber()) return Math.min(i, n);
    } else if (c === 0x74) {
      if (!scanWord('true')) return Math.min(i, n);
    } else if (c === 0x66) {
      if (!scanWord('false')) return Math.min(i, n);
    } else if (c === 0x6e) {
      if (!scanWord('null')) return Math.min(i, n);
    } else {
      return Math.min(i, n);
    }
    // After a complete value: close containers or move to the next element.
    for (;;) {
      skipWs();
      const top = stack[stack.length - 1];
      if (top === undefined) return i === n ? -1 : i;
      const d = text.charCodeAt(i);
      if (d === 0x2c) {
        i++;
        skipWs();
        if (top === 1) {
          if (text.charCodeAt(i) !== 0x22 || !scanString()) return Math.min(i, n);
          skipWs();
          if (text.charCodeAt(i) !== 0x3a) return Math.min(i, n);
          i++;
          skipWs();
        }
        break;
      }
      if ((top === 1 && d === 0x7d) || (top === 2 && d === 0x5d)) {
        i++;
        stack.pop();
        continue;
      }
      return Math.min(i, n);
    }
  }
}

/** What a user should do about a jsonc-parser error, phrased from what sits at the offset. */
function describe(code: ParseErrorCode, text: string, offset: number, length: number): string {
  const at = text.slice(offset, offset + Math.max(length, 1));
  const prev = previousSignificant(text, offset);
  // ParseErrorCode is a const enum, which isolatedModules cannot read: switch on its printed name.
  switch (printParseErrorCode(code)) {
    case 'InvalidSymbol':
      if (at.startsWith("'")) return 'strings and keys need double quotes, not single quotes';
      if (/^(NaN|-?Infinity)/.test(text.slice(offset))) return `${at} is not JSON: use a number or null`;
      if (/^(True|False|None|undefined)/.test(at)) return `${at} is not JSON: use true, false or null`;
      if (isOddSpace(at.charCodeAt(0)) || at.charCodeAt(0) === 0xfeff) return describeStrict(text, offset);
      return `unexpected ${show(at)}: JSON allows only objects, arrays, strings in double quotes, numbers, true, false and null`;
    case 'InvalidNumberFormat':
    case 'UnexpectedEndOfNumber':
      return `invalid number ${show(at)}: write digits like 12, -3.5 or 1e6`;
    case 'PropertyNameExpected':
      if (prev === ',') return 'trailing comma: remove the comma before the closing brace';
      return 'expected a key in double quotes';
    case 'ValueExpected':
      if (prev === ',' && (at === ']' || at === '}'))
        return 'trailing comma: remove the comma before the closing bracket';
      if (offset >= text.length) return 'the line ends where a value is expected: complete the JSON';
      return 'expected a value (string, number, object, array, true, false or null)';
    case 'ColonExpected':
      return 'expected ":" after the key';
    case 'CommaExpected':
      return 'expected "," between elements';
    case 'CloseBraceExpected':
      return 'expected "}" to close the object: the case must fit on one line';
    case 'CloseBracketExpected':
      return 'expected "]" to close the array';
    case 'EndOfFileExpected':
      return 'extra text after the JSON value: put exactly one case on each line';
    case 'InvalidCommentToken':
    case 'UnexpectedEndOfComment':
      return 'comments are not allowed in JSONL: remove the comment';
    case 'UnexpectedEndOfString':
      return 'unterminated string: add the closing double quote';
    case 'InvalidUnicode':
      return 'invalid \\u escape: write four hex digits, like \\u00e9';
    case 'InvalidEscapeCharacter':
      return 'invalid escape in string: use \\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX';
    case 'InvalidCharacter':
      return 'control character in string: escape it (a tab is \\t, a newline \\n)';
    default:
      return 'invalid JSON';
  }
}

function previousSignificant(text: string, offset: number): string {
  for (let k = offset - 1; k >= 0; k--) {
    const c = text[k] as string;
    if (c !== ' ' && c !== '\t') return c;
  }
  return '';
}

function show(s: string): string {
  return JSON.stringify(s.length > 20 ? `${s.slice(0, 20)}…` : s);
}

/** Whitespace that JavaScript knows but JSON does not allow between tokens. */
function isOddSpace(c: number): boolean {
  return (
    c === 0xa0 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x3000 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x1680 ||
    c === 0x0b ||
    c === 0x0c ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x85
  );
}

/** The message for the first place where the strict scanner stops. */
function describeStrict(text: string, offset: number): string {
  if (offset >= text.length) return 'the line ends before the JSON value is complete';
  const c = text.charCodeAt(offset);
  if (c === 0xfeff) return 'unexpected byte order mark: remove it (only the start of a file may have one)';
  if (isOddSpace(c))
    return `unexpected whitespace character U+${c.toString(16).toUpperCase().padStart(4, '0')}: JSON allows only spaces and tabs between tokens`;
  return `unexpected ${show(text.slice(offset, offset + 1))}: this is not valid JSON`;
}

export interface ParsedTree {
  root: Node | undefined;
  problems: SyntaxProblem[];
}

/** Parses with jsonc-parser in strict mode; never throws (a stack overflow gives no tree). */
export function parseJsonTree(text: string): ParsedTree {
  const errors: ParseError[] = [];
  let root: Node | undefined;
  try {
    root = parseTree(text, errors, JSONC_OPTIONS);
  } catch {
    return { root: undefined, problems: [] };
  }
  const problems: SyntaxProblem[] = [];
  for (const e of errors) {
    const start = Math.min(e.offset, text.length);
    // Recovery often reports a second error at the same place (a trailing comma is both "key
    // expected" and "value expected"): the first one says it.
    if (problems.length > 0 && problems[problems.length - 1]?.start === start) continue;
    const end = Math.min(text.length, e.offset + Math.max(e.length, 1));
    problems.push({ start, end: Math.max(start, end), message: describe(e.error, text, e.offset, e.length) });
  }
  return { root, problems };
}

/**
 * The syntax problems of a line that JSON.parse rejects. Uses jsonc-parser's recovery for several
 * errors; adds the strict scanner's first error when jsonc-parser saw none before it.
 */
export function syntaxProblems(text: string, tree: ParsedTree): SyntaxProblem[] {
  const problems = tree.problems.slice();
  const strict = firstJsonErrorOffset(text);
  const firstJsonc = problems[0]?.start ?? Infinity;
  if (strict >= 0 && strict < firstJsonc) {
    const end = Math.min(text.length, strict + 1);
    problems.unshift({ start: strict, end, message: describeStrict(text, strict) });
  } else if (problems.length === 0) {
    // JSON.parse threw but neither scanner found the place (should not happen): flag the line.
    problems.push({ start: 0, end: text.length, message: 'invalid JSON' });
  }
  return problems;
}
