// The line-edit toolkit: where things are in one JSON line, and byte-preserving splices of it. Every
// feature that changes a case line — the quick fixes, the formatted-line editor's write-back, the
// table form — edits through here, so the line changes only where the user's change is: untouched
// keys, their order, escapes and spacing keep their bytes, a diff shows one field and undo restores
// the same text. Positions come from jsonc-parser's tree; offsets are the line's own UTF-16 offsets
// (a leading BOM is parsed as a space, so it keeps its place and every offset stays the same).
// Pure: no `vscode`, so the CLI, the table's host side and unit tests share it.
import { findNodeAtOffset, getNodePath, parseTree } from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';

export type { Node } from 'jsonc-parser';

export type JsonPath = readonly (string | number)[];

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** Offsets of one key or value in the line: 0-based UTF-16, `end` exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** One text replacement inside a line: [start, end) are UTF-16 offsets in the line's text. */
export interface LineEdit {
  start: number;
  end: number;
  newText: string;
}

/** A refused edit; `path` (dot-joined JSON path) names the field it concerns, '' for the line. */
export class LineEditError extends Error {
  constructor(
    message: string,
    readonly path: string = '',
  ) {
    super(message);
    this.name = 'LineEditError';
  }
}

/** Separators as the line already writes them, so inserted text looks like its neighbours. */
export interface JsonStyle {
  colon: string; // ':' or ': '
  comma: string; // ',' or ', '
}

// --- positions --------------------------------------------------------------------------------

/** A BOM at the start of line 0 is not part of the JSON; a space keeps every offset the same. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
}

/** A parsed line: `value` is what JSON.parse gives, `root` the tree with offsets into the line. */
export interface ParsedLine {
  text: string;
  value: unknown;
  root: Node;
}

/** Parse a line that is strict JSON (JSON.parse accepts it); undefined otherwise. */
export function parseLine(text: string): ParsedLine | undefined {
  const clean = withoutBom(text);
  let value: unknown;
  try {
    value = JSON.parse(clean);
  } catch {
    return undefined;
  }
  const root = parseTree(clean);
  return root ? { text, value, root } : undefined;
}

/** Error-tolerant tree, for completion and the outline on half-typed lines. */
export function parseLoose(text: string): Node | undefined {
  return parseTree(withoutBom(text), [], { allowTrailingComma: true, disallowComments: false });
}

/** The tree of a line an edit may change: strict JSON only, else the edit is refused. */
function editableTree(text: string): Node {
  const errors: ParseError[] = [];
  const root = parseTree(withoutBom(text), errors, { allowTrailingComma: false, disallowComments: true });
  if (!root || errors.length > 0) throw new LineEditError('This line is not valid JSON; fix it in the text editor.');
  return root;
}

/** Finds the node at `path`; for duplicate keys the last one wins, as in JSON.parse. */
export function nodeAt(root: Node | undefined, path: JsonPath): Node | undefined {
  let node = root;
  for (const seg of path) {
    if (!node) return undefined;
    if (typeof seg === 'number') {
      if (node.type !== 'array') return undefined;
      node = node.children?.[seg];
    } else {
      node = propertyOf(node, seg)?.children?.[1];
    }
  }
  return node;
}

/** The property node (key + value) named `key` in an object node; the last one on duplicates. */
export function propertyOf(node: Node | undefined, key: string): Node | undefined {
  if (!node || node.type !== 'object' || !node.children) return undefined;
  for (let k = node.children.length - 1; k >= 0; k--) {
    const prop = node.children[k];
    if (prop?.children?.[0]?.value === key) return prop;
  }
  return undefined;
}

export function spanOf(node: Node): Span {
  return { start: node.offset, end: node.offset + node.length };
}

/** The JSON path of the innermost node at `offset` (a diagnostic's start), or [] outside any. */
export function pathAtOffset(root: Node | undefined, offset: number): JsonPath {
  const node = root && findNodeAtOffset(root, offset, true);
  return node ? getNodePath(node) : [];
}

/** The path of a line's text at `offset`, for a line that may not parse (then []). */
export function pathInLine(text: string, offset: number): JsonPath {
  return pathAtOffset(parseTree(withoutBom(text)), offset);
}

export function pathKey(path: JsonPath): string {
  return path.join('.');
}

/** The parsed value at `path`, or undefined when the line has nothing there. */
export function valueAt(text: string, path: JsonPath): unknown {
  const node = nodeAt(editableTree(text), path);
  return node ? (JSON.parse(text.slice(node.offset, node.offset + node.length)) as unknown) : undefined;
}

/** Length of the array at `path`, or -1 when there is no array there. */
export function arrayLength(text: string, path: JsonPath): number {
  const node = nodeAt(editableTree(text), path);
  return node?.type === 'array' ? (node.children?.length ?? 0) : -1;
}

/** Whether the line is strict JSON an edit can work on. */
export function isJsonLine(text: string): boolean {
  try {
    editableTree(text);
    return true;
  } catch {
    return false;
  }
}

// --- style ------------------------------------------------------------------------------------

/** Reads the separators of the first object property / array element pair found in the line. */
export function detectStyle(text: string): JsonStyle {
  const root = parseTree(withoutBom(text));
  const style: JsonStyle = { colon: ': ', comma: ', ' };
  if (!root) return style;
  let colonFound = false;
  let commaFound = false;
  const visit = (node: Node): void => {
    if (colonFound && commaFound) return;
    const kids = node.children ?? [];
    if (node.type === 'property' && !colonFound && kids.length === 2) {
      const [key, value] = kids as [Node, Node];
      style.colon = text.slice(key.offset + key.length, value.offset);
      colonFound = true;
    }
    if ((node.type === 'object' || node.type === 'array') && !commaFound && kids.length >= 2) {
      const [a, b] = kids as [Node, Node];
      style.comma = text.slice(a.offset + a.length, b.offset);
      commaFound = true;
    }
    kids.forEach(visit);
  };
  visit(root);
  return style;
}

/** JSON on one line with the given separators; key order is the object's insertion order. */
export function stringifyLike(value: unknown, style: JsonStyle): string {
  if (Array.isArray(value)) return '[' + value.map((v) => stringifyLike(v, style)).join(style.comma) + ']';
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).map(([k, v]) => JSON.stringify(k) + style.colon + stringifyLike(v, style));
    return '{' + parts.join(style.comma) + '}';
  }
  return JSON.stringify(value);
}

// --- splices ----------------------------------------------------------------------------------

/** Apply edits (non-overlapping, any order) to a line. */
export function applyLineEdits(text: string, edits: readonly LineEdit[]): string {
  const sorted = [...edits].sort((a, b) => b.start - a.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

export function replaceNode(node: Node, newText: string): LineEdit {
  return { start: node.offset, end: node.offset + node.length, newText };
}

/**
 * Remove one element of an array node with its separating comma, leaving the rest of the line's
 * formatting as it was. (jsonc-parser's `modify` mangles the last element of an array.)
 */
export function removeArrayElement(array: Node, index: number): LineEdit | undefined {
  const items = array.children ?? [];
  const item = items[index];
  if (!item) return undefined;
  const next = items[index + 1];
  if (next) return { start: item.offset, end: next.offset, newText: '' };
  const prev = items[index - 1];
  if (prev) return { start: prev.offset + prev.length, end: item.offset + item.length, newText: '' };
  return { start: item.offset, end: item.offset + item.length, newText: '' };
}

/**
 * Insert `"key": json` as the first property of an object node, so a missing value is added
 * without touching the rest of the object; `style` is the line's (detectStyle).
 */
export function insertFirstProperty(object: Node, key: string, json: string, style: JsonStyle): LineEdit {
  return insertProperty(object, key, json, style, [key, ...propertyKeys(object)]);
}

/** The keys of an object node's properties, in line order. */
function propertyKeys(object: Node): string[] {
  return (object.children ?? []).flatMap((p) => {
    const k = p.children?.[0]?.value;
    return typeof k === 'string' ? [k] : [];
  });
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

/**
 * Sets the value at `path`, creating missing object properties on the way; a new key goes where
 * `keyOrder` puts it among its siblings (else last).
 */
export function setValue(text: string, path: JsonPath, value: Json, keyOrder: readonly string[] = []): string {
  const root = editableTree(text);
  const style = detectStyle(text);
  const node = nodeAt(root, path);
  if (node) return applyLineEdits(text, [replaceNode(node, stringifyLike(value, style))]);
  if (path.length === 0) throw new LineEditError('Nothing to edit.');
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1];
  const parent = nodeAt(root, parentPath);
  if (!parent) {
    if (typeof key !== 'string') throw new LineEditError(`No element at ${pathKey(path)}.`, pathKey(path));
    return setValue(text, parentPath, { [key]: value }, keyOrder);
  }
  if (parent.type !== 'object' || typeof key !== 'string') {
    throw new LineEditError(`Cannot set ${pathKey(path)}: the line has another shape there.`, pathKey(path));
  }
  return applyLineEdits(text, [insertProperty(parent, key, stringifyLike(value, style), style, keyOrder)]);
}

/**
 * Insert `"key": json` into an object node that lacks `key`: where `keyOrder` puts it among the
 * keys there (else last), with the line's separators.
 */
export function insertProperty(
  object: Node,
  key: string,
  json: string,
  style: JsonStyle,
  keyOrder: readonly string[] = [],
): LineEdit {
  const props = object.children ?? [];
  const at = insertionIndex(object, key, keyOrder);
  const member = JSON.stringify(key) + style.colon + json;
  const insert = (offset: number, newText: string): LineEdit => ({ start: offset, end: offset, newText });
  if (props.length === 0) return insert(object.offset + 1, member);
  if (at < props.length) return insert((props[at] as Node).offset, member + style.comma);
  const last = props[props.length - 1] as Node;
  return insert(last.offset + last.length, style.comma + member);
}

/** Removes the property at `path` (and one separator next to it); a missing property is a no-op. */
export function removeProperty(text: string, path: JsonPath): string {
  const valueNode = nodeAt(editableTree(text), path);
  const prop = valueNode?.parent;
  if (!valueNode || !prop || prop.type !== 'property' || !prop.parent) return text;
  const siblings = prop.parent.children ?? [];
  const i = siblings.indexOf(prop);
  const next = siblings[i + 1];
  const prev = siblings[i - 1];
  const cut = (start: number, end: number): string => applyLineEdits(text, [{ start, end, newText: '' }]);
  if (next) return cut(prop.offset, next.offset);
  if (prev) return cut(prev.offset + prev.length, prop.offset + prop.length);
  return cut(prop.offset, prop.offset + prop.length);
}

/**
 * Rewrites the elements of the array at `path` as text slices: `transform` gets each element's
 * exact source text and returns the new list (reordered, filtered, or with new elements written by
 * the caller). Untouched elements keep their bytes.
 */
export function rewriteArray(
  text: string,
  path: JsonPath,
  transform: (elements: string[], style: JsonStyle) => string[],
): string {
  const node = nodeAt(editableTree(text), path);
  if (!node || node.type !== 'array')
    throw new LineEditError(`${pathKey(path) || 'The line'} is not a list.`, pathKey(path));
  const style = detectStyle(text);
  const kids = node.children ?? [];
  const elements = kids.map((k) => text.slice(k.offset, k.offset + k.length));
  let sep = style.comma;
  if (kids.length >= 2) sep = text.slice(kids[0]!.offset + kids[0]!.length, kids[1]!.offset);
  const next = transform(elements, style);
  if (kids.length === 0)
    return applyLineEdits(text, [
      { start: node.offset + 1, end: node.offset + node.length - 1, newText: next.join(sep) },
    ]);
  const first = kids[0]!;
  const last = kids[kids.length - 1]!;
  return applyLineEdits(text, [{ start: first.offset, end: last.offset + last.length, newText: next.join(sep) }]);
}

// --- write a whole new value back ---------------------------------------------------------------

/** JSON equality: what JSON.stringify would write the same (1.0 and 1, key order ignored). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function jsonType(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** An added key in an object's path, written after the value splices (it needs the fresh tree). */
interface KeyChange {
  path: JsonPath;
  value?: Json; // absent: remove the key
  keyOrder: string[];
}

/**
 * Rewrites the line so that it holds `value`, changing only what differs from the value it holds:
 * a changed leaf gets new bytes, an added or removed object property is inserted or cut, and an
 * array whose length or element types changed is rewritten whole (so is the root if its type
 * changed). Everything else keeps its bytes — escapes, number spellings, key order, spacing — and
 * values equal as JSON (`1.0` and `1`, `"\u00e9"` and `"é"`) count as unchanged. New text takes
 * the line's separators (detectStyle). Throws LineEditError when the line is not strict JSON.
 */
export function spliceValue(text: string, value: Json): string {
  const root = editableTree(text);
  // What the line holds as JSON writes it (a number too large for a double reads as null).
  const old = JSON.parse(JSON.stringify(JSON.parse(withoutBom(text)))) as unknown;
  const style = detectStyle(text);
  const edits: LineEdit[] = [];
  const keyChanges: KeyChange[] = [];
  const visit = (node: Node, path: JsonPath, before: unknown, after: Json): void => {
    if (sameJson(before, after)) return;
    if (node.type === 'object' && isObject(before) && isObject(after)) {
      const props = new Map<string, Node>(); // the last of duplicate keys, as JSON.parse reads
      for (const p of node.children ?? []) {
        const k = p.children?.[0]?.value;
        if (typeof k === 'string') props.set(k, p);
      }
      const keyOrder = Object.keys(after);
      for (const k of Object.keys(before)) {
        if (!Object.hasOwn(after, k)) keyChanges.push({ path: [...path, k], keyOrder });
      }
      for (const k of keyOrder) {
        const child = props.get(k)?.children?.[1];
        const next = after[k] as Json;
        if (child && Object.hasOwn(before, k)) visit(child, [...path, k], before[k], next);
        else keyChanges.push({ path: [...path, k], value: next, keyOrder });
      }
      return;
    }
    const kids = node.children ?? [];
    if (
      node.type === 'array' &&
      Array.isArray(before) &&
      Array.isArray(after) &&
      before.length === after.length &&
      kids.length === after.length &&
      before.every((b, i) => jsonType(b) === jsonType(after[i]))
    ) {
      after.forEach((a, i) => visit(kids[i] as Node, [...path, i], before[i], a));
      return;
    }
    edits.push(replaceNode(node, stringifyLike(after, style)));
  };
  visit(root, [], old, value);
  // The splices are disjoint (none lies inside another), so they go in at once; a key change may
  // shift what follows, so each is made on the line as it is by then, found again by its path.
  let out = applyLineEdits(text, edits);
  for (const change of keyChanges) {
    if (change.value === undefined) {
      // Duplicate keys: removing the last one JSON.parse read would bring back the one before.
      while (nodeAt(editableTree(out), change.path)) out = removeProperty(out, change.path);
    } else {
      out = setValue(out, change.path, change.value, change.keyOrder);
    }
  }
  return out;
}
