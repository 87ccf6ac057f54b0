// Maps JSON paths (as zod reports them) to text ranges of one line, through the jsonc syntax tree.
// When the tree is missing (pathologically deep JSON) every lookup falls back to the whole line, so
// a diagnostic is never lost.
import type { Node } from 'jsonc-parser';
import { nodeAt, propertyOf, spanOf } from '../lineEdit/lineEdit';
import type { JsonPath, Span } from '../lineEdit/lineEdit';
import type { CaseDiagnostic, CaseDiagnosticCode, Severity } from './types';

export class Locator {
  constructor(
    private readonly root: Node | undefined,
    private readonly lineLength: number,
  ) {}

  private get whole(): Span {
    return { start: 0, end: this.lineLength };
  }

  /** The value at `path`, or the nearest enclosing node that exists. */
  value(path: JsonPath): Span {
    for (let k = path.length; k >= 0; k--) {
      const node = nodeAt(this.root, path.slice(0, k));
      if (node) return spanOf(node);
    }
    return this.whole;
  }

  /** The key (with its quotes) of the property `key` in the object at `objectPath`. */
  key(objectPath: JsonPath, key: string): Span {
    const prop = propertyOf(nodeAt(this.root, objectPath), key);
    const keyNode = prop?.children?.[0];
    return keyNode ? spanOf(keyNode) : this.value(objectPath);
  }
}

export function diagnostic(span: Span, severity: Severity, code: CaseDiagnosticCode, message: string): CaseDiagnostic {
  return {
    range: { start: { line: 0, character: span.start }, end: { line: 0, character: span.end } },
    severity,
    code,
    message,
  };
}

/** `levels[0].candidates[2].label`; the root is "the case". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out.length === 0 ? String(seg) : `.${String(seg)}`;
  }
  return out.length === 0 ? 'the case' : out;
}

/** A short rendering of a JSON value for "(got …)". */
export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}
