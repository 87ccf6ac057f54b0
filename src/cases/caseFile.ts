// A case file from disk, as bytes: the one verdict `psychohistory validate` and the Python loader
// (training/psychohistory/data.py) agree on. Reading text with Node's 'utf8' would turn invalid
// UTF-8 into U+FFFD silently, and a tokenizer would meet it only after the model has loaded; here
// each line's bytes are checked, and a bad one is an error at its line and column. A FIFO (or any
// non-regular file) is refused at once: it is opened non-blocking and checked before any read.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { CaseDocument } from './caseDocument';
import { diagnostic } from './locator';
import type { CaseDiagnostic } from './types';

/**
 * Offset of the first byte in `bytes[from, to)` that starts an ill-formed UTF-8 sequence (the
 * sequence's lead byte, as Python's UnicodeDecodeError.start reports it), or -1 when it is all
 * well-formed. Follows the Unicode table of well-formed sequences: no overlongs, no surrogates,
 * nothing past U+10FFFF.
 */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let i = from;
  while (i < to) {
    const c = bytes[i] as number;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) [need, lo] = [2, 0xa0];
    else if (c === 0xed) [need, hi] = [2, 0x9f];
    else if (c >= 0xe1 && c <= 0xef) need = 2;
    else if (c === 0xf0) [need, lo] = [3, 0x90];
    else if (c === 0xf4) [need, hi] = [3, 0x8f];
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else return i;
    for (let k = 1; k <= need; k++) {
      const b = i + k < to ? (bytes[i + k] as number) : -1;
      if (b < (k === 1 ? lo : 0x80) || b > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return -1;
}

// ignoreBOM: keep a leading U+FEFF for CaseDocument, which drops exactly one (the default would
// drop it here, and CaseDocument a second one).
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/**
 * Every diagnostic of a case file's bytes. One leading byte order mark is dropped (CaseDocument does
 * that); lines end at \r\n, \r or \n as in the editor. A line that is not UTF-8 gets an
 * `invalid-utf8` error (column: characters before the bad byte + 1) and is otherwise left out, so
 * it counts for nothing else (no id, no seed), as in the Python loader.
 */
export function checkCaseBytes(bytes: Uint8Array): CaseDiagnostic[] {
  if (firstInvalidUtf8(bytes) < 0) return new CaseDocument(decoder.decode(bytes)).diagnostics();
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const lines: string[] = [];
  const bad: CaseDiagnostic[] = [];
  let start = bom;
  for (let k = bom; k <= bytes.length; k++) {
    const c = k < bytes.length ? bytes[k] : -1;
    if (c !== 0x0a && c !== 0x0d && c !== -1) continue;
    const at = firstInvalidUtf8(bytes, start, k);
    if (at < 0) {
      lines.push(decoder.decode(bytes.subarray(start, k)));
    } else {
      const column = decoder.decode(bytes.subarray(start, at)).length;
      const line = lines.length;
      const b = (bytes[at] as number).toString(16).padStart(2, '0');
      bad.push({
        ...diagnostic(
          { start: column, end: column + 1 },
          'error',
          'invalid-utf8',
          `not valid UTF-8 (byte 0x${b} at byte ${at - start + 1} of the line): save the file as UTF-8`,
        ),
        range: { start: { line, character: column }, end: { line, character: column + 1 } },
      });
      lines.push('');
    }
    if (c === 0x0d && bytes[k + 1] === 0x0a) k++;
    start = k + 1;
  }
  return [...new CaseDocument((bom ? '\ufeff' : '') + lines.join('\n')).diagnostics(), ...bad].sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
}

/** Thrown for a path that is not a readable regular file; the message says which and why. */
export class CaseFileError extends Error {}

/** The bytes of a regular file; a FIFO, socket, device or directory is refused without blocking on it. */
export async function readCaseFile(path: string): Promise<Uint8Array> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CaseFileError(
      code === 'ENOENT'
        ? `${path} does not exist`
        : `${path} cannot be read: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      const kind = info.isFIFO() ? 'a FIFO' : info.isDirectory() ? 'a directory' : 'not a regular file';
      throw new CaseFileError(`${path} is ${kind}: pass a regular .jsonl file`);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
