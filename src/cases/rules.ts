// Contract 1's rules that JSON Schema cannot express, checked on one line: exactly one actual per
// level, depths 1, 2, 3…, real calendar dates (errors), and duplicate or near-duplicate candidates
// in a level (warnings). Each rule looks only at the parts that are well-typed, so a line shows all
// its problems at once without repeating what the schema check already says.
// File-level rules (ids, seeds, splits, position bias, blank lines) live in caseDocument.ts.
import { calendarProblem, isDateShaped } from './dates';
import { diagnostic, formatPath } from './locator';
import type { Locator } from './locator';
import { findDuplicates } from './normalize';
import type { CaseDiagnostic } from './types';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isNonBlank(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0) return false;
  const c = v.charCodeAt(0);
  // Printable ASCII is never whitespace; otherwise ask trim() as zod's .trim() does.
  return (c > 0x20 && c < 0x7f) || v.trim().length > 0;
}

function ordinal(k: number): string {
  return `candidates[${k}]`;
}

export function ruleDiagnostics(value: unknown, locator: Locator): CaseDiagnostic[] {
  const out: CaseDiagnostic[] = [];
  if (!isObject(value)) return out;

  const seed = value.seed;
  if (isObject(seed) && typeof seed.date === 'string' && isDateShaped(seed.date)) {
    const problem = calendarProblem(seed.date);
    if (problem) {
      out.push(
        diagnostic(
          locator.value(['seed', 'date']),
          'error',
          'invalid-date',
          `seed.date "${seed.date}" is not a real calendar date: ${problem}`,
        ),
      );
    }
  }

  const levels = value.levels;
  if (!Array.isArray(levels)) return out;
  levels.forEach((level: unknown, li: number) => {
    if (!isObject(level)) return;
    const depth = level.depth;
    if (typeof depth === 'number' && Number.isSafeInteger(depth) && depth >= 1 && depth !== li + 1) {
      out.push(
        diagnostic(
          locator.value(['levels', li, 'depth']),
          'error',
          'depth-sequence',
          `levels[${li}].depth must be ${li + 1} (got ${depth}): depths start at 1 and rise by 1 from level to level`,
        ),
      );
    }
    const candidates = level.candidates;
    if (!Array.isArray(candidates)) return;
    const objects = candidates.every(isObject);
    if (objects && candidates.every((c: Json) => c.label === 0 || c.label === 1)) {
      const actuals: number[] = [];
      candidates.forEach((c: Json, ci: number) => {
        if (c.label === 1) actuals.push(ci);
      });
      if (actuals.length === 0) {
        candidates.forEach((_c: Json, ci: number) => {
          out.push(
            diagnostic(
              locator.value(['levels', li, 'candidates', ci, 'label']),
              'error',
              'no-actual',
              `levels[${li}] has no actual: set "label": 1 on the one candidate that happened (all ${candidates.length} have 0)`,
            ),
          );
        });
      } else if (actuals.length > 1) {
        const which = actuals.map(ordinal).join(', ');
        for (const ci of actuals) {
          out.push(
            diagnostic(
              locator.value(['levels', li, 'candidates', ci, 'label']),
              'error',
              'multiple-actuals',
              `levels[${li}] has ${actuals.length} actuals (${which}): exactly one candidate per level has label 1, set the others to 0`,
            ),
          );
        }
      }
    }
    if (objects && candidates.every((c: Json) => isNonBlank(c.event))) {
      const events = candidates.map((c: Json) => c.event as string);
      for (const dup of findDuplicates(events)) {
        const where = formatPath(['levels', li, 'candidates', dup.index, 'event']);
        const other = JSON.stringify(events[dup.of]);
        out.push(
          dup.exact
            ? diagnostic(
                locator.value(['levels', li, 'candidates', dup.index, 'event']),
                'warning',
                'duplicate-candidate',
                `${where} duplicates ${ordinal(dup.of)} ${other}: remove one of them`,
              )
            : diagnostic(
                locator.value(['levels', li, 'candidates', dup.index, 'event']),
                'warning',
                'near-duplicate-candidate',
                `${where} is nearly the same as ${ordinal(dup.of)} ${other} (token overlap > 60%): make the candidates distinct events`,
              ),
        );
      }
    }
  });
  return out;
}
