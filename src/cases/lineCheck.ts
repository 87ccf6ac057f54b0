// One line of a case file checked in isolation: syntax, schema, forecasting rules and in-level
// warnings. Fast path first (JSON.parse + hand checks); anything short of a clean case goes through
// the slow path, which alone writes diagnostics. Never throws: whatever the text, the result is
// a list of diagnostics whose ranges lie inside the line.
import { cleanCaseFacts, factsOf } from './fastPath';
import { parseJsonTree, syntaxProblems } from './jsonLine';
import { diagnostic, Locator } from './locator';
import { ruleDiagnostics } from './rules';
import { schemaDiagnostics } from './schemaCheck';
import type { Case } from '../contracts/case';
import type { CaseDiagnostic, LineResult } from './types';

/** Lines longer than this (UTF-16 code units, 1 MiB) are rejected unparsed so typing never hangs. */
export const MAX_LINE_LENGTH = 1_048_576;

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
    return { diagnostics: [diagnostic({ start: 0, end: text.length }, 'error', 'json-syntax', `internal error while checking this line: ${message}`)] };
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

  const facts = cleanCaseFacts(value);
  if (facts) return { diagnostics: [], facts, case: value as Case, value };
  return slowCheck(text, value);
}

/** zod + forecasting rules with exact ranges, for a line that JSON.parse accepted. */
export function slowCheck(text: string, value: unknown): LineResult {
  const locator = new Locator(parseJsonTree(text).root, text.length);
  const diagnostics = [...schemaDiagnostics(value, locator), ...ruleDiagnostics(value, locator)];
  diagnostics.sort(byStart);
  const facts = factsOf(value);
  const result: LineResult = { diagnostics, facts, value };
  if (!diagnostics.some((d) => d.severity === 'error')) result.case = value as Case;
  return result;
}
