// The agents' output files, written so that nothing is lost or duplicated when a run fails, is
// cancelled or is resumed: each item is one complete JSONL line appended in one write, in the order
// it finished; a line torn by a crash (no newline, not JSON) is cut off before the next run appends,
// and a resumed run skips the ids already in the file.
import * as fs from 'node:fs';

export interface DraftLine {
  line: number; // 0-based
  text: string;
  value: unknown; // the parsed JSON, or undefined when the line is not JSON
}

/** The lines of a JSONL file (none when it does not exist). */
export function readDraft(file: string): DraftLine[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const lines = text.split(/\r\n|\r|\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((t, line) => {
    let value: unknown;
    try {
      value = t.trim() === '' ? undefined : JSON.parse(t);
    } catch {
      value = undefined;
    }
    return { line, text: t, value };
  });
}

/**
 * Make the file safe to append to: a last line without its newline is either completed (it is
 * JSON: the write finished but for the newline) or cut off (torn by a crash). Returns what it did.
 */
export function repairTail(file: string): 'none' | 'completed' | 'cut' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw err;
  }
  if (text === '' || text.endsWith('\n') || text.endsWith('\r')) return 'none';
  const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
  try {
    JSON.parse(text.slice(cut));
    fs.appendFileSync(file, '\n');
    return 'completed';
  } catch {
    fs.truncateSync(file, Buffer.byteLength(text.slice(0, cut), 'utf8'));
    return 'cut';
  }
}

/** Append one item as one line, in one write. */
export function appendLine(file: string, value: unknown): void {
  fs.appendFileSync(file, `${JSON.stringify(value)}\n`);
}

/** Replace a file's content atomically (temp file + rename), so a reader never sees half of it. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}
