// "Edit line as formatted JSON": a long case line is unreadable on one line, so the user edits it
// pretty-printed in a side editor and it is written back as ONE line. Pure halves of that round
// trip: pretty-print, compact back (refusing anything that is not strict JSON, so a save can never
// write a broken line), and find the line again if the file changed meanwhile. The write-back
// splices only what the user changed into the replaced line (the line-edit toolkit's spliceValue):
// the rest keeps its bytes, though the side editor showed it as JSON.stringify writes it.
import { LineEditError, detectStyle, spliceValue, stringifyLike } from '../../lineEdit/lineEdit';
import type { Json } from '../../lineEdit/lineEdit';

export type WriteBack = { ok: true; line: string } | { ok: false; message: string };

/** The text for the side editor: pretty JSON when the line parses, else the line as it is, to repair. */
export function formatForEditing(lineText: string): { text: string; parsed: boolean } {
  const clean = lineText.charCodeAt(0) === 0xfeff ? lineText.slice(1) : lineText;
  try {
    return { text: `${JSON.stringify(JSON.parse(clean), null, 2)}\n`, parsed: true };
  } catch {
    return { text: clean, parsed: false };
  }
}

/**
 * The edited text as one JSONL line: the line it replaces with only the changed values, keys and
 * arrays spliced in, in that line's separators (a line that is not JSON is replaced whole).
 * Refuses (with a message for the user) anything JSON.parse rejects: comments, trailing commas,
 * single quotes, several values, or nothing at all.
 */
export function compactForWriteBack(edited: string, originalLine: string): WriteBack {
  const text = edited.charCodeAt(0) === 0xfeff ? edited.slice(1) : edited;
  if (text.trim().length === 0) return { ok: false, message: 'The edited JSON is empty; nothing was written back.' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err);
    return { ok: false, message: `The edited text is not valid JSON (${detail}); the case line was left unchanged.` };
  }
  try {
    return { ok: true, line: spliceValue(originalLine, value as Json) };
  } catch (err) {
    if (!(err instanceof LineEditError)) throw err;
    return { ok: true, line: stringifyLike(value, detectStyle(originalLine)) };
  }
}

/**
 * Where the line being edited is now: at `expectedLine` if it still holds `originalText`, else the
 * only other line that does (lines were inserted or removed above it). Undefined when it changed
 * or is no longer unique — writing then would overwrite the wrong case.
 */
export function locateLine(
  lines: { lineCount: number; lineText(line: number): string },
  expectedLine: number,
  originalText: string,
): number | undefined {
  if (expectedLine < lines.lineCount && lines.lineText(expectedLine) === originalText) return expectedLine;
  let found: number | undefined;
  for (let i = 0; i < lines.lineCount; i++) {
    if (lines.lineText(i) !== originalText) continue;
    if (found !== undefined) return undefined;
    found = i;
  }
  return found;
}
