// The outline model of a case file: one symbol per case named by its seed event (detail: date and
// split), its levels as children ("depth 1 — actual: …"). Lines that are not valid cases show as
// "line N (invalid)" so the outline doubles as a list of broken lines; blank lines are skipped.
// Pure: the VS Code DocumentSymbolProvider only maps this to DocumentSymbols.
import type { LineResult } from '../types';
import { levelsOf, nodeAt, parseLine, shorten } from './jsonLine';

/** What the outline needs from a case document (CaseDocument satisfies it). */
export interface CaseLines {
  readonly lineCount: number;
  lineText(line: number): string;
  lineResult(line: number): LineResult;
}

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: 'case' | 'level' | 'invalid';
  line: number;
  /** Character range on `line` covered by the symbol, and the part to select when chosen. */
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  children: OutlineSymbol[];
}

function caseSymbol(line: number, text: string): OutlineSymbol | undefined {
  const parsed = parseLine(text);
  if (!parsed) return undefined;
  const eventNode = nodeAt(parsed.root, ['seed', 'event']);
  const value = parsed.value as { seed?: { event?: unknown; date?: unknown }; split?: unknown };
  const event = typeof value.seed?.event === 'string' ? value.seed.event : '';
  const detail = [value.seed?.date, value.split].filter((x): x is string => typeof x === 'string').join(' · ');
  const children = levelsOf(parsed.value).map((level, i): OutlineSymbol => {
    const node = nodeAt(parsed.root, ['levels', i]);
    const actual = level.candidates.find((c) => c.label === 1);
    const depth = typeof level.depth === 'number' ? level.depth : i + 1;
    const start = node ? node.offset : 0;
    const end = node ? node.offset + node.length : text.length;
    return {
      name: `depth ${String(depth)} — actual: ${shorten(actual?.event ?? '?', 80)}`,
      detail: `${String(level.candidates.length)} candidates`,
      kind: 'level',
      line,
      start,
      end,
      selectionStart: start,
      selectionEnd: end,
      children: [],
    };
  });
  return {
    name: shorten(event, 100) || `line ${String(line + 1)}`,
    detail,
    kind: 'case',
    line,
    start: 0,
    end: text.length,
    selectionStart: eventNode ? eventNode.offset : 0,
    selectionEnd: eventNode ? eventNode.offset + eventNode.length : text.length,
    children,
  };
}

export function outlineOf(doc: CaseLines): OutlineSymbol[] {
  const out: OutlineSymbol[] = [];
  for (let line = 0; line < doc.lineCount; line++) {
    const text = doc.lineText(line);
    if (text.trim().length === 0 || (line === 0 && text === '\ufeff')) continue;
    const result = doc.lineResult(line);
    const symbol = result.case ? caseSymbol(line, text) : undefined;
    if (symbol) {
      out.push(symbol);
      continue;
    }
    const firstError = result.diagnostics.find((d) => d.severity === 'error');
    out.push({
      name: `line ${String(line + 1)} (invalid)`,
      detail: firstError ? shorten(firstError.message, 80) : '',
      kind: 'invalid',
      line,
      start: 0,
      end: text.length,
      selectionStart: 0,
      selectionEnd: text.length,
      children: [],
    });
  }
  return out;
}
