// Contract 1's provenance rules (seed/candidate `sources`, `review`) on one line, and the knowledge-
// cutoff rule on a whole file. The Python loader has the same rules (training/psychohistory/
// provenance.py) and the shared corpus test/fixtures/verdict/corpus.json holds both to one verdict:
// - error `invalid-date`: a source's `published` is shaped YYYY-MM-DD but is not a real date;
// - warning `source-before-event`: a source published before the seed date (a report of the seed, or
//   of what followed it, cannot predate the seed);
// - warning `verified-without-sources`: a `verified` case whose actual, at some depth, lacks two
//   sources (distinct URLs) published on or after the seed date;
// - warning `eval-before-cutoff`: an `eval` case dated on or before the base model's knowledge cutoff
//   (it measures recall, not forecasting). The cutoff is a setting, so this rule runs per file.
import { calendarProblem, isDateShaped, isRealDate } from './dates';
import { parseJsonTree } from './jsonSyntax';
import { diagnostic, Locator } from './locator';
import type { Case } from '../contracts/case';
import cutoffs from '../../schemas/knowledge-cutoffs.json';
import type { CaseDiagnostic, CaseDiagnosticCode } from './types';

type Json = Record<string, unknown>;

/** The codes this module writes; the verdict corpus compares exactly these warnings across the halves. */
export const PROVENANCE_WARNING_CODES: readonly CaseDiagnosticCode[] = [
  'source-before-event',
  'verified-without-sources',
  'eval-before-cutoff',
];

/** How many independent dated sources a verified actual needs. */
export const MIN_VERIFIED_SOURCES = 2;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface DatedSource {
  url: string;
  published: string;
  path: (string | number)[];
}

/** The well-typed sources of an array, with their paths; the schema check reports the rest. */
function sourcesAt(value: unknown, path: (string | number)[]): DatedSource[] {
  if (!Array.isArray(value)) return [];
  const out: DatedSource[] = [];
  value.forEach((s: unknown, k) => {
    if (isObject(s) && typeof s.url === 'string' && typeof s.published === 'string' && isDateShaped(s.published)) {
      out.push({ url: s.url, published: s.published, path: [...path, k] });
    }
  });
  return out;
}

export function provenanceDiagnostics(value: unknown, locator: Locator): CaseDiagnostic[] {
  const out: CaseDiagnostic[] = [];
  if (!isObject(value) || !isObject(value.seed)) return out;
  const seed = value.seed;
  const seedDate = typeof seed.date === 'string' && isRealDate(seed.date) ? seed.date : undefined;
  const all: DatedSource[] = [...sourcesAt(seed.sources, ['seed', 'sources'])];
  const actuals: { depth: number; sources: DatedSource[] }[] = [];
  const levels = Array.isArray(value.levels) ? value.levels : [];
  levels.forEach((level: unknown, li) => {
    if (!isObject(level) || !Array.isArray(level.candidates)) return;
    level.candidates.forEach((c: unknown, ci) => {
      if (!isObject(c)) return;
      const sources = sourcesAt(c.sources, ['levels', li, 'candidates', ci, 'sources']);
      all.push(...sources);
      if (c.label === 1) actuals.push({ depth: li + 1, sources });
    });
  });

  for (const s of all) {
    const problem = calendarProblem(s.published);
    const where = [...s.path, 'published'];
    if (problem) {
      out.push(
        diagnostic(
          locator.value(where),
          'error',
          'invalid-date',
          `${pathText(where)} "${s.published}" is not a real calendar date: ${problem}`,
        ),
      );
    } else if (seedDate && s.published < seedDate) {
      out.push(
        diagnostic(
          locator.value(where),
          'warning',
          'source-before-event',
          `${pathText(where)} ${s.published} is before the seed date ${seedDate}: a source cannot report an event before it happened; check the date or the source`,
        ),
      );
    }
  }

  const review = value.review;
  if (seedDate && isObject(review) && review.status === 'verified') {
    for (const a of actuals) {
      const urls = new Set(
        a.sources.filter((s) => isRealDate(s.published) && s.published >= seedDate).map((s) => s.url),
      );
      if (urls.size < MIN_VERIFIED_SOURCES) {
        out.push(
          diagnostic(
            locator.value(['review', 'status']),
            'warning',
            'verified-without-sources',
            `verified, but the actual at depth ${a.depth} has ${urls.size} source${urls.size === 1 ? '' : 's'} published on or after ${seedDate} (needs ${MIN_VERIFIED_SOURCES}): add sources or set review.status to "draft"`,
          ),
        );
      }
    }
  }
  return out;
}

const NO_TREE = new Locator(undefined, 0);

/** True when the line's provenance rules find nothing (the fast path's question; no ranges needed). */
export function provenanceClean(value: unknown): boolean {
  return provenanceDiagnostics(value, NO_TREE).length === 0;
}

function pathText(path: (string | number)[]): string {
  return path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? p : `.${p}`)).join('');
}

/** A knowledge cutoff: YYYY-MM-DD, or YYYY-MM for the month's last day. Undefined when not one. */
export function parseCutoff(text: string): string | undefined {
  const t = text.trim();
  if (/^[0-9]{4}-[0-9]{2}$/.test(t)) {
    const year = Number(t.slice(0, 4));
    const month = Number(t.slice(5, 7));
    if (month < 1 || month > 12) return undefined;
    const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
    return `${t}-${String(last).padStart(2, '0')}`;
  }
  return isRealDate(t) ? t : undefined;
}

/**
 * The cutoff the rule uses: the setting when it names one (YYYY-MM or YYYY-MM-DD), else the base
 * model's from schemas/knowledge-cutoffs.json (shared with the Python loader), else none.
 */
export function knowledgeCutoff(setting: string, baseModel: string): string | undefined {
  if (setting.trim() !== '') return parseCutoff(setting);
  return (cutoffs.models as Record<string, string>)[baseModel];
}

/** What the cutoff rule reads of a file (a CaseDocument satisfies it). */
export interface CasesOfFile {
  readonly lineCount: number;
  lineText(line: number): string;
  lineResult(line: number): { case?: Case };
}

/**
 * `eval-before-cutoff` for the valid cases of a file (0-based lines): an eval case dated on or
 * before `cutoff` (YYYY-MM-DD); none when there is no cutoff.
 */
export function cutoffDiagnostics(doc: CasesOfFile, cutoff: string | undefined): CaseDiagnostic[] {
  if (!cutoff) return [];
  const out: CaseDiagnostic[] = [];
  for (let line = 0; line < doc.lineCount; line++) {
    const text = doc.lineText(line);
    // Only lines that can be eval cases are parsed again: this runs on every publish of a large file.
    if (!text.includes('"eval"')) continue;
    const c = doc.lineResult(line).case;
    if (c?.split !== 'eval' || c.seed.date > cutoff) continue;
    const d = diagnostic(
      new Locator(parseJsonTree(text).root, text.length).value(['seed', 'date']),
      'warning',
      'eval-before-cutoff',
      `eval case dated ${c.seed.date}, on or before the base model's knowledge cutoff ${cutoff}: the model may have read what happened, so this measures recall; move it to "train" or use a case after the cutoff`,
    );
    d.range.start.line = line;
    d.range.end.line = line;
    out.push(d);
  }
  return out;
}
