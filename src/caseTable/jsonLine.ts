// Byte-preserving edits of one JSON line. The table's form must change only what the user changed:
// untouched keys, their order, escapes and spacing stay exactly as they were, so a diff of the
// dataset shows one field and undo restores the same bytes. We locate values with jsonc-parser's
// tree (offsets into the line) and splice text, instead of re-serialising the whole object.
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import type { JSONPath, Node, ParseError } from 'jsonc-parser';

/** A refused edit: the form shows `message` beside the field at `path` (dot-joined JSON path). */
export class CaseEditError extends Error {
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(message);
    this.name = 'CaseEditError';
  }
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Separators as the line already writes them, so inserted text looks like its neighbours. */
export interface JsonStyle {
  colon: string; // ':' or ': '
  comma: string; // ',' or ', '
}

const BOM = '\uFEFF';

/** A parsed line: the text without BOM, its tree, and the BOM to put back. */
interface Parsed {
  bom: string;
  body: string;
  root: Node;
}

function parse(text: string): Parsed {
  const bom = text.startsWith(BOM) ? BOM : '';
  const body = bom ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const root = parseTree(body, errors, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length > 0) throw new CaseEditError('This line is not valid JSON; fix it in the text editor.');
  return { bom, body, root };
}

export function pathKey(path: readonly (string | number)[]): string {
  return path.join('.');
}

/** Reads the separators of the first object property / array element pair found in the line. */
export function detectStyle(text: string): JsonStyle {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  const root = parseTree(body);
  const style: JsonStyle = { colon: ': ', comma: ', ' };
  if (!root) return style;
  let colonFound = false;
  let commaFound = false;
  const visit = (node: Node): void => {
    if (colonFound && commaFound) return;
    const kids = node.children ?? [];
    if (node.type === 'property' && !colonFound && kids.length === 2) {
      const [key, value] = kids as [Node, Node];
      style.colon = body.slice(key.offset + key.length, value.offset);
      colonFound = true;
    }
    if ((node.type === 'object' || node.type === 'array') && !commaFound && kids.length >= 2) {
      const [a, b] = kids as [Node, Node];
      style.comma = body.slice(a.offset + a.length, b.offset);
      commaFound = true;
    }
    kids.forEach(visit);
  };
  visit(root);
  return style;
}

/** JSON.stringify with the line's own separators; key order is the object's insertion order. */
export function stringifyLike(value: Json, style: JsonStyle): string {
  if (Array.isArray(value)) return '[' + value.map((v) => stringifyLike(v, style)).join(style.comma) + ']';
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => JSON.stringify(k) + style.colon + stringifyLike(v, style));
    return '{' + parts.join(style.comma) + '}';
  }
  return JSON.stringify(value);
}

function splice(p: Parsed, offset: number, length: number, insert: string): string {
  return p.bom + p.body.slice(0, offset) + insert + p.body.slice(offset + length);
}

/** Where a new key goes: before the first existing key that the preferred order puts after it. */
function insertionIndex(obj: Node, key: string, preferredOrder: readonly string[]): number {
  const props = obj.children ?? [];
  const rank = preferredOrder.indexOf(key);
  if (rank < 0) return props.length;
  for (let i = 0; i < props.length; i++) {
    const k = props[i]?.children?.[0]?.value;
    const r = typeof k === 'string' ? preferredOrder.indexOf(k) : -1;
    if (r > rank) return i;
  }
  return props.length;
}

/** The order a case's keys are written in when we have to add one (contract 1's example). */
export const CASE_KEY_ORDER = ['id', 'seed', 'event', 'date', 'levels', 'depth', 'candidates', 'label', 'split', 'source'];

/** Sets the value at `path`, creating missing object properties on the way. */
export function setValue(text: string, path: JSONPath, value: Json): string {
  const p = parse(text);
  const style = detectStyle(text);
  const node = findNodeAtLocation(p.root, path);
  if (node) return splice(p, node.offset, node.length, stringifyLike(value, style));
  if (path.length === 0) throw new CaseEditError('Nothing to edit.');
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parent = findNodeAtLocation(p.root, parentPath);
  if (!parent) {
    if (typeof key !== 'string') throw new CaseEditError(`No element at ${pathKey(path)}.`, pathKey(path));
    return setValue(text, parentPath, { [key]: value });
  }
  if (parent.type !== 'object' || typeof key !== 'string') {
    throw new CaseEditError(`Cannot set ${pathKey(path)}: the line has another shape there.`, pathKey(path));
  }
  const props = parent.children ?? [];
  const at = insertionIndex(parent, key, CASE_KEY_ORDER);
  const member = JSON.stringify(key) + style.colon + stringifyLike(value, style);
  if (props.length === 0) return splice(p, parent.offset + 1, 0, member);
  if (at < props.length) {
    const next = props[at] as Node;
    return splice(p, next.offset, 0, member + style.comma);
  }
  const last = props[props.length - 1] as Node;
  return splice(p, last.offset + last.length, 0, style.comma + member);
}

/** Removes the property at `path` (and one separator next to it); a missing property is a no-op. */
export function removeProperty(text: string, path: JSONPath): string {
  const p = parse(text);
  const valueNode = findNodeAtLocation(p.root, path);
  const prop = valueNode?.parent;
  if (!valueNode || !prop || prop.type !== 'property' || !prop.parent) return text;
  const siblings = prop.parent.children ?? [];
  const i = siblings.indexOf(prop);
  const next = siblings[i + 1];
  const prev = siblings[i - 1];
  if (next) return splice(p, prop.offset, next.offset - prop.offset, '');
  if (prev) {
    const from = prev.offset + prev.length;
    return splice(p, from, prop.offset + prop.length - from, '');
  }
  return splice(p, prop.offset, prop.length, '');
}

/** The parsed value at `path`, or undefined when the line has nothing there. */
export function valueAt(text: string, path: JSONPath): unknown {
  const p = parse(text);
  const node = findNodeAtLocation(p.root, path);
  if (!node) return undefined;
  return JSON.parse(p.body.slice(node.offset, node.offset + node.length)) as unknown;
}

/**
 * Rewrites the elements of the array at `path` as text slices: `transform` gets each element's
 * exact source text and returns the new list (reordered, filtered, or with new elements written by
 * the caller). Untouched elements keep their bytes.
 */
export function rewriteArray(text: string, path: JSONPath, transform: (elements: string[], style: JsonStyle) => string[]): string {
  const p = parse(text);
  const node = findNodeAtLocation(p.root, path);
  if (!node || node.type !== 'array') throw new CaseEditError(`${pathKey(path) || 'The line'} is not a list.`, pathKey(path));
  const style = detectStyle(text);
  const kids = node.children ?? [];
  const elements = kids.map((k) => p.body.slice(k.offset, k.offset + k.length));
  let sep = style.comma;
  if (kids.length >= 2) sep = p.body.slice(kids[0]!.offset + kids[0]!.length, kids[1]!.offset);
  const next = transform(elements, style);
  if (kids.length === 0) return splice(p, node.offset + 1, node.length - 2, next.join(sep));
  const first = kids[0]!;
  const last = kids[kids.length - 1]!;
  return splice(p, first.offset, last.offset + last.length - first.offset, next.join(sep));
}

/** Length of the array at `path`, or -1 when there is no array there. */
export function arrayLength(text: string, path: JSONPath): number {
  const p = parse(text);
  const node = findNodeAtLocation(p.root, path);
  return node?.type === 'array' ? (node.children?.length ?? 0) : -1;
}

/** Checks a line parses as JSON without throwing. */
export function isJsonLine(text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The JSON path at a character offset of the line (for mapping diagnostics onto form fields). */
export function pathAtOffset(text: string, offset: number): JSONPath {
  const bom = text.startsWith(BOM) ? 1 : 0;
  const body = text.slice(bom);
  const root = parseTree(body);
  if (!root) return [];
  const at = Math.max(0, offset - bom);
  let best: Node = root;
  // Descend to the innermost value node that contains the offset.
  for (;;) {
    const child: Node | undefined = (best.children ?? []).find((c) => at >= c.offset && at <= c.offset + c.length);
    if (!child) break;
    best = child;
  }
  const path: JSONPath = [];
  for (let n: Node | undefined = best; n; n = n.parent) {
    const key = n.children?.[0]?.value;
    if (n.type === 'property' && typeof key === 'string') path.unshift(key);
    else if (n.parent?.type === 'array') path.unshift((n.parent.children ?? []).indexOf(n));
  }
  return path;
}
