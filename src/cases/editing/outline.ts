// The outline model of a case file: one symbol per case named by its seed event (detail: date and
// split), its levels as children ("depth 1 — actual: …"). Lines that are not valid cases show as
// "line N (invalid)" so the outline doubles as a list of broken lines; blank lines are skipped.
// Pure: the VS Code DocumentSymbolProvider only maps this to DocumentSymbols.
import type { Case } from '../../contracts/case';
import type { LineResult } from '../types';
import { nodeAt, parseLoose } from '../../lineEdit/lineEdit';
import { levelsOf, shorten } from './caseShape';

/** What the outline needs from a case document (CaseDocument satisfies it). */
export interface CaseLines {
  readonly lineCount: number;
  lineText(line: number): string;
  lineResult(line: number): LineResult;
}

/** A level of a case: on the case's line, so it carries no line of its own. */
export interface OutlineLevel {
  name: string;
  detail: string;
  /** Character range of the level object on the case's line. */
  start: number;
  end: number;
}

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: 'case' | 'invalid';
  line: number;
  /** Character range on `line` covered by the symbol, and the part to select when chosen. */
  start: number;
  end: number;
  selectionStart: number;
  selectionEnd: number;
  /** Shared between equal lines: treat as read-only. */
  children: readonly OutlineLevel[];
}

/** A symbol as computed from one line's text alone; `line` is set per request. */
type Template = Omit<OutlineSymbol, 'line'>;

function caseTemplate(text: string, value: Case, withLevels: boolean): Template {
  const event = value.seed.event;
  const name = shorten(event, 100);
  // The review status shows beside the date and split, so a reviewer sees drafts and rejections at a glance.
  const detail = [value.seed.date, value.split, value.review?.status]
    .filter((x): x is string => typeof x === 'string')
    .join(' · ');
  const whole = { start: 0, end: text.length, selectionStart: 0, selectionEnd: text.length };
  // Offsets need a syntax tree of the line: only built where children are shown.
  // The core has already parsed the value; the tree is built only for its offsets.
  const root = withLevels ? parseLoose(text) : undefined;
  if (!root) return { name, detail, kind: 'case', ...whole, children: [] };
  const eventNode = nodeAt(root, ['seed', 'event']);
  const children = levelsOf(value).map((level, i) => {
    const node = nodeAt(root, ['levels', i]);
    const actual = value.levels[i]?.candidates.find((c) => c.label === 1);
    const sources = actual?.sources?.length ?? 0;
    const depth = typeof level.depth === 'number' ? level.depth : i + 1;
    const start = node ? node.offset : 0;
    const end = node ? node.offset + node.length : text.length;
    return {
      name: `depth ${String(depth)} — actual: ${shorten(actual?.event ?? '?', 80)}`,
      detail: `${String(level.candidates.length)} candidates${sources > 0 ? ` · ${String(sources)} source${sources === 1 ? '' : 's'}` : ''}`,
      start,
      end,
    };
  });
  return {
    name,
    detail,
    kind: 'case',
    ...whole,
    selectionStart: eventNode ? eventNode.offset : 0,
    selectionEnd: eventNode ? eventNode.offset + eventNode.length : text.length,
    children,
  };
}

/**
 * Symbols by line text, so after a one-line edit the outline of a big file costs map look-ups,
 * not a re-parse of every line (VS Code asks for the outline again after each change).
 */
export class OutlineCache {
  private map = new Map<string, Template>();
  private withLevels: boolean | undefined;

  /** The cache for one mode; switching mode (the file crossed the size limit) empties it. */
  use(withLevels: boolean): Map<string, Template> {
    if (this.withLevels !== withLevels) {
      this.map = new Map();
      this.withLevels = withLevels;
    }
    return this.map;
  }

  /** Drop entries of lines that no longer exist once the cache outgrows the file. */
  prune(lineCount: number, keep: Set<string>): void {
    if (this.map.size <= lineCount * 2 + 1000) return;
    for (const key of this.map.keys()) if (!keep.has(key)) this.map.delete(key);
  }
}

/** Files longer than this get one symbol per case without level children (VS Code stays responsive). */
export const MAX_LINES_WITH_LEVELS = 20_000;

export function outlineOf(
  doc: CaseLines,
  cache: OutlineCache = new OutlineCache(),
  maxLinesWithLevels = MAX_LINES_WITH_LEVELS,
): OutlineSymbol[] {
  const withLevels = doc.lineCount <= maxLinesWithLevels;
  const templates = cache.use(withLevels);
  const seen = new Set<string>();
  const out: OutlineSymbol[] = [];
  for (let line = 0; line < doc.lineCount; line++) {
    const text = doc.lineText(line);
    if (text.trim().length === 0 || (line === 0 && text === '\ufeff')) continue;
    seen.add(text);
    let t = templates.get(text);
    if (!t) {
      t = templateOf(text, doc.lineResult(line), withLevels);
      templates.set(text, t);
    }
    // Names with a line number are set here, so one template serves equal lines anywhere.
    const name = t.kind === 'invalid' ? `line ${String(line + 1)} (invalid)` : t.name || `line ${String(line + 1)}`;
    out.push({
      name,
      detail: t.detail,
      kind: t.kind,
      line,
      start: t.start,
      end: t.end,
      selectionStart: t.selectionStart,
      selectionEnd: t.selectionEnd,
      children: t.children,
    });
  }
  cache.prune(doc.lineCount, seen);
  return out;
}

function templateOf(text: string, result: LineResult, withLevels: boolean): Template {
  if (result.case) return caseTemplate(text, result.case, withLevels);
  const firstError = result.diagnostics.find((d) => d.severity === 'error');
  return {
    name: '',
    detail: firstError ? shorten(firstError.message, 80) : '',
    kind: 'invalid',
    start: 0,
    end: text.length,
    selectionStart: 0,
    selectionEnd: text.length,
    children: [],
  };
}
