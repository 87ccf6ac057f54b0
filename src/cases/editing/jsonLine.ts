// Shared helpers for editing one JSONL line as text: a jsonc-parser tree with exact offsets,
// edits as offset ranges inside the line, and small readers of the parsed value that tolerate
// any shape (editing help must work on broken cases too — that is when it is needed most).
import { findNodeAtLocation, findNodeAtOffset, getNodePath, parseTree } from 'jsonc-parser';
import type { JSONPath, Node } from 'jsonc-parser';

/** One text replacement inside a line: [start, end) are UTF-16 offsets in the line's text. */
export interface LineEdit {
  start: number;
  end: number;
  newText: string;
}

/** A parsed line: `value` is what JSON.parse gives, `root` the tree with offsets into the line. */
export interface ParsedLine {
  text: string;
  value: unknown;
  root: Node;
}

/** A BOM at the start of line 0 is not part of the JSON; a space keeps every offset the same. */
function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
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

/** Error-tolerant tree, for completion on half-typed lines. */
export function parseLoose(text: string): Node | undefined {
  return parseTree(withoutBom(text), [], { allowTrailingComma: true, disallowComments: false });
}

export function nodeAt(root: Node, path: JSONPath): Node | undefined {
  return findNodeAtLocation(root, path);
}

/** The JSON path of the deepest node at `offset` (a diagnostic's start), or [] when outside. */
export function pathAtOffset(root: Node, offset: number): JSONPath {
  const node = findNodeAtOffset(root, offset);
  return node ? getNodePath(node) : [];
}

/** The level a diagnostic points into (path levels/<i>/...), or undefined when it is not inside one. */
export function levelIndexAt(root: Node, offset: number): number | undefined {
  const path = pathAtOffset(root, offset);
  return path[0] === 'levels' && typeof path[1] === 'number' ? path[1] : undefined;
}

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
 * without touching the rest of the object.
 */
export function insertFirstProperty(object: Node, key: string, json: string): LineEdit {
  const hasProps = (object.children ?? []).length > 0;
  const at = object.offset + 1;
  return { start: at, end: at, newText: `${JSON.stringify(key)}: ${json}${hasProps ? ', ' : ''}` };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The levels of a parsed value, each with its candidates, whatever shape they have. */
export function levelsOf(value: unknown): { depth: unknown; candidates: { event?: string; label: unknown }[] }[] {
  const levels = isRecord(value) ? asArray(value['levels']) : [];
  return levels.map((level) => {
    const rec = isRecord(level) ? level : {};
    const candidates = asArray(rec['candidates']).map((c) => {
      const cr = isRecord(c) ? c : {};
      return { event: asString(cr['event']), label: cr['label'] };
    });
    return { depth: rec['depth'], candidates };
  });
}

/** Shorten an event for a menu title or outline label. */
export function shorten(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
