// Readers of a parsed case line that tolerate any shape (editing help must work on broken cases
// too — that is when it is needed most). Positions and edits are the line-edit toolkit's.
import { pathAtOffset } from '../../lineEdit/lineEdit';
import type { Node } from '../../lineEdit/lineEdit';

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

/** The level a diagnostic points into (path levels/<i>/...), or undefined when it is not inside one. */
export function levelIndexAt(root: Node, offset: number): number | undefined {
  const path = pathAtOffset(root, offset);
  return path[0] === 'levels' && typeof path[1] === 'number' ? path[1] : undefined;
}

/** Shorten an event for a menu title or outline label. */
export function shorten(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
