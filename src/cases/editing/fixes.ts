// Quick-fix computations for one case line. Pure: each fix is a list of edits inside the line's
// text, so the VS Code shell applies it as one WorkspaceEdit on that line (undo reverts it) and
// the unit tests check that the fixed line is a valid case. Edits touch only the values that
// change, so key order, spacing and everything else on the line stay as the user wrote them.
import type { CaseDiagnosticCode } from '../types';
import { MAX_LINE_LENGTH } from '../lineCheck';
import { normalizeEvent } from '../normalize';
import { normalizeDate } from './dates';
import {
  applyLineEdits,
  detectStyle,
  insertFirstProperty,
  insertProperty,
  nodeAt,
  parseLine,
  pathAtOffset,
  removeArrayElement,
  replaceNode,
} from '../../lineEdit/lineEdit';
import type { LineEdit, ParsedLine } from '../../lineEdit/lineEdit';
import { isRecord, levelIndexAt, levelsOf, shorten } from './caseShape';

export interface LineFix {
  title: string;
  /** The diagnostic code this fix resolves. */
  code: CaseDiagnosticCode;
  edits: LineEdit[];
  /** VS Code runs a preferred fix from "Auto Fix" and marks it in the menu. */
  isPreferred: boolean;
}

/** What a fix needs from a diagnostic: its code and where on the line it starts. */
export interface LineDiagnosticRef {
  code: CaseDiagnosticCode | string;
  character: number;
}

function labelOf(label: unknown): number | undefined {
  return label === 0 || label === 1 ? label : undefined;
}

/** Levels whose count of label-1 candidates is not exactly one. */
function levelsWithoutSingleActual(parsed: ParsedLine): number[] {
  return levelsOf(parsed.value)
    .map((level, i) => ({ i, actuals: level.candidates.filter((c) => labelOf(c.label) === 1).length }))
    .filter((l) => l.actuals !== 1)
    .map((l) => l.i);
}

/** "Make X the actual outcome": X gets label 1 and every other candidate of the level 0. */
export function actualFixes(parsed: ParsedLine, levelIndex: number): LineFix[] {
  const level = levelsOf(parsed.value)[levelIndex];
  const arrayNode = nodeAt(parsed.root, ['levels', levelIndex, 'candidates']);
  if (!level || !arrayNode || arrayNode.type !== 'array') return [];
  // Every candidate must be an object, or "the others get 0" cannot be written safely.
  if ((arrayNode.children ?? []).some((c) => c.type !== 'object')) return [];
  const depth = typeof level.depth === 'number' ? level.depth : levelIndex + 1;
  const style = detectStyle(parsed.text);
  const fixes: LineFix[] = [];
  level.candidates.forEach((candidate, chosen) => {
    const edits: LineEdit[] = [];
    for (let k = 0; k < level.candidates.length; k++) {
      const want = k === chosen ? 1 : 0;
      const candNode = nodeAt(parsed.root, ['levels', levelIndex, 'candidates', k]);
      if (!candNode) return;
      const labelNode = nodeAt(parsed.root, ['levels', levelIndex, 'candidates', k, 'label']);
      if (labelNode) {
        if (labelOf(level.candidates[k]?.label) !== want || labelNode.type !== 'number') {
          edits.push(replaceNode(labelNode, String(want)));
        }
      } else {
        // Missing label: add it at the end of the candidate object, in the line's separators.
        edits.push(insertProperty(candNode, 'label', String(want), style));
      }
    }
    const name = candidate.event !== undefined ? `"${shorten(candidate.event, 50)}"` : `candidate ${chosen + 1}`;
    fixes.push({
      title: `Make ${name} the actual outcome (depth ${String(depth)})`,
      code: 'no-actual',
      edits,
      isPreferred: false,
    });
  });
  return fixes;
}

/** Renumber the levels' depths 1, 2, 3… in their order on the line. */
export function renumberDepthsFix(parsed: ParsedLine): LineFix | undefined {
  const levels = levelsOf(parsed.value);
  const edits: LineEdit[] = [];
  const style = detectStyle(parsed.text);
  for (let i = 0; i < levels.length; i++) {
    const levelNode = nodeAt(parsed.root, ['levels', i]);
    if (!levelNode || levelNode.type !== 'object') return undefined;
    const depthNode = nodeAt(parsed.root, ['levels', i, 'depth']);
    if (!depthNode) edits.push(insertFirstProperty(levelNode, 'depth', String(i + 1), style));
    else if (levels[i]?.depth !== i + 1) edits.push(replaceNode(depthNode, String(i + 1)));
  }
  if (edits.length === 0) return undefined;
  return { title: `Renumber depths 1..${String(levels.length)}`, code: 'depth-sequence', edits, isPreferred: true };
}

/** Rewrite seed.date as YYYY-MM-DD when it names exactly one date. */
export function dateFix(parsed: ParsedLine): LineFix | undefined {
  const dateNode = nodeAt(parsed.root, ['seed', 'date']);
  const seed = isRecord(parsed.value) ? parsed.value['seed'] : undefined;
  const date = isRecord(seed) ? seed['date'] : undefined;
  if (!dateNode || typeof date !== 'string') return undefined;
  const iso = normalizeDate(date);
  if (iso === undefined || iso === date) return undefined;
  return {
    title: `Rewrite date as ${iso}`,
    code: 'invalid-date',
    edits: [replaceNode(dateNode, JSON.stringify(iso))],
    isPreferred: true,
  };
}

/**
 * Remove a candidate that duplicates an earlier one of the same level. Of a group of duplicates
 * the actual (label 1) is kept, else the first; a removal that would leave fewer than two
 * candidates is not offered because its result would not be a valid case.
 */
export function duplicateCandidateFixes(parsed: ParsedLine, levelIndex: number): LineFix[] {
  const level = levelsOf(parsed.value)[levelIndex];
  const arrayNode = nodeAt(parsed.root, ['levels', levelIndex, 'candidates']);
  if (!level || !arrayNode || arrayNode.type !== 'array') return [];
  const groups = new Map<string, number[]>();
  level.candidates.forEach((c, i) => {
    if (c.event === undefined) return;
    const key = normalizeEvent(c.event);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const depth = typeof level.depth === 'number' ? level.depth : levelIndex + 1;
  const fixes: LineFix[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const keep = members.find((i) => labelOf(level.candidates[i]?.label) === 1) ?? members[0];
    for (const i of members) {
      // Each fix removes one candidate; fewer than two left would not be a valid case.
      if (i === keep || level.candidates.length - 1 < 2) continue;
      const edit = removeArrayElement(arrayNode, i);
      if (!edit) continue;
      const event = level.candidates[i]?.event ?? '';
      fixes.push({
        title: `Remove duplicate candidate "${shorten(event, 50)}" (depth ${String(depth)}, candidate ${String(i + 1)})`,
        code: 'duplicate-candidate',
        edits: [edit],
        isPreferred: members.length === 2,
      });
    }
  }
  return fixes;
}

/**
 * Every fix for the given diagnostics of one line, without duplicates. A diagnostic that points
 * into a level (its start lies inside levels/<i>) limits the fix to that level; one on the whole
 * line applies to every offending level.
 */
export function fixesForLine(text: string, diagnostics: readonly LineDiagnosticRef[]): LineFix[] {
  if (text.length > MAX_LINE_LENGTH) return []; // the core reports it; parsing it here could stall the host
  const parsed = parseLine(text);
  if (!parsed || !isRecord(parsed.value)) return [];
  const out = new Map<string, LineFix>();
  const add = (fix: LineFix | undefined): void => {
    if (fix && fix.edits.length > 0 && !out.has(fix.title)) out.set(fix.title, fix);
  };
  for (const d of diagnostics) {
    const level = levelIndexAt(parsed.root, d.character);
    switch (d.code) {
      case 'no-actual':
      case 'multiple-actuals': {
        const offending = levelsWithoutSingleActual(parsed);
        const targets = level !== undefined && offending.includes(level) ? [level] : offending;
        for (const i of targets) for (const f of actualFixes(parsed, i)) add({ ...f, code: d.code });
        break;
      }
      case 'depth-sequence':
        add(renumberDepthsFix(parsed));
        break;
      case 'invalid-date':
        add(dateFix(parsed));
        break;
      case 'schema': {
        // Schema errors that the same fixes repair: a date in the wrong format (the pattern on
        // seed.date), a level without a usable depth, a candidate without a label.
        const path = pathAtOffset(parsed.root, d.character);
        if (path[0] === 'seed' && path[1] === 'date') add(dateFix(parsed));
        if (level !== undefined && (path.length === 2 || path[2] === 'depth')) add(renumberDepthsFix(parsed));
        if (level !== undefined && path[2] === 'candidates' && levelsWithoutSingleActual(parsed).includes(level)) {
          for (const f of actualFixes(parsed, level)) add({ ...f, code: 'schema' });
        }
        break;
      }
      case 'duplicate-candidate': {
        const targets = level !== undefined ? [level] : levelsOf(parsed.value).map((_, i) => i);
        for (const i of targets) for (const f of duplicateCandidateFixes(parsed, i)) add(f);
        break;
      }
      default:
        break;
    }
  }
  return [...out.values()];
}

/** The line after a fix (used by tests and by callers that need the result text). */
export function applyFix(text: string, fix: LineFix): string {
  return applyLineEdits(text, fix.edits);
}
