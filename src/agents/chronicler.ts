// The Chronicler: for each seed, with OpenRouter's web search, what actually happened next, depth by
// depth, with its sources (URL, title, publication date), plus plausible alternatives that did not
// happen; written as a contract-1 case (review: draft) appended to a case file as each seed is done.
// Evidence is kept only when the search really returned it: a source whose URL is not among the
// answer's `url_citation` annotations, with no real publication date, or published before the seed,
// is dropped (and logged). Candidates are shuffled by a hash of the case id, so the actual does not
// sit at one position. A resumed run skips the seeds whose id the case file already holds.
import { isRealDate } from '../cases/dates';
import { findDuplicates, normalizeEvent } from '../cases/normalize';
import { CaseSchema, URL_PATTERN } from '../contracts/case';
import type { Case, Level, Source } from '../contracts/case';
import { ChronicleAnswerSchema } from './answers';
import type { AnswerSource, ChronicleAnswer } from './answers';
import { appendLine, readDraft, repairTail } from './draftFile';
import type { Citation } from './openRouterClient';
import { describeSummary, forEachItem } from './runner';
import type { AgentContext, AgentSummary } from './runner';

export interface SeedItem {
  id: string;
  seed: { event: string; date: string };
}

export interface ChronicleOptions {
  seeds: SeedItem[];
  /** The case file to append to. */
  out: string;
  /** Levels to chronicle per seed. */
  depth?: number;
  /** Candidates per level (the actual and alternatives). */
  candidates?: number;
  searchResults?: number;
}

export const CHRONICLE_SYSTEM = [
  'You are a careful chronicler. Given a dated seed event, search the web and report what actually happened next,',
  'step by step: depth 1 is the next significant reported event caused by or following the seed, depth 2 what followed',
  'that, and so on. For each step give the event in one short sentence, its date, and the pages that report it, each with',
  'its publication date as the page states it and a quote. Cite only pages your search returned. Add plausible',
  'alternative follow-ups that did NOT happen, mutually exclusive with the actual one and with each other, written in the',
  'same style, so a forecaster cannot tell the actual by its wording. If you cannot find reliable sources, set found to',
  'false. Answer only with the JSON object of the schema.',
].join(' ');

export function chroniclePrompt(seed: SeedItem['seed'], depth: number, alternatives: number): string {
  return [
    `Seed event: ${seed.event}`,
    `Date: ${seed.date}`,
    `Report ${depth} depth${depth === 1 ? '' : 's'}, each with ${alternatives} alternatives.`,
  ].join('\n');
}

/** A deterministic 32-bit hash (FNV-1a) for the candidate shuffle. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < text.length; k++) h = Math.imul(h ^ text.charCodeAt(k), 0x01000193) >>> 0;
  return h;
}

/** The sources of an answer worth keeping, with the reasons the others were dropped. */
export function keepSources(
  sources: readonly AnswerSource[],
  cited: ReadonlySet<string>,
  seedDate: string,
): { kept: Source[]; dropped: string[] } {
  const kept: Source[] = [];
  const dropped: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (!URL_PATTERN.test(s.url)) dropped.push(`${s.url}: not an http(s) URL`);
    else if (!cited.has(s.url)) dropped.push(`${s.url}: not among the search's citations`);
    else if (!isRealDate(s.published))
      dropped.push(`${s.url}: publication date ${JSON.stringify(s.published)} is not a real YYYY-MM-DD date`);
    else if (s.published < seedDate) dropped.push(`${s.url}: published ${s.published}, before the seed (${seedDate})`);
    else if (!seen.has(s.url)) {
      seen.add(s.url);
      kept.push({ url: s.url, title: s.title, published: s.published, ...(s.quote ? { quote: s.quote } : {}) });
    }
  }
  return { kept, dropped };
}

/**
 * The case an answer makes, or why it makes none. Levels stop at the first that cannot be used
 * (no kept source, a date before the step above, fewer than two distinct candidates).
 */
export function caseFromAnswer(
  item: SeedItem,
  answer: ChronicleAnswer,
  citations: readonly Citation[],
  opts: { candidates: number; model: string; now: Date },
): { case?: Case; notes: string[] } {
  const notes: string[] = [];
  if (!answer.found) return { notes: ['the search found no reliable account of what followed'] };
  const cited = new Set(citations.map((c) => c.url));
  const seedSources = keepSources(answer.seedSources, cited, item.seed.date);
  notes.push(...seedSources.dropped.map((d) => `seed source dropped: ${d}`));
  const levels: Level[] = [];
  let lastDate = item.seed.date;
  for (const [i, l] of answer.levels.entries()) {
    const depth = i + 1;
    if (!isRealDate(l.actual.date) || l.actual.date < lastDate) {
      notes.push(
        `depth ${depth}: date ${JSON.stringify(l.actual.date)} is not a real date on or after ${lastDate}; stopped there`,
      );
      break;
    }
    const src = keepSources(l.actual.sources, cited, item.seed.date);
    notes.push(...src.dropped.map((d) => `depth ${depth} source dropped: ${d}`));
    if (src.kept.length === 0) {
      notes.push(`depth ${depth}: no source left for the actual; stopped there`);
      break;
    }
    // Alternatives that repeat the actual or each other (the cases' duplicate rules) are dropped.
    const events = [l.actual.event.trim(), ...l.alternatives.map((a) => a.trim()).filter((a) => a !== '')];
    const dupes = new Set(findDuplicates(events).map((d) => d.index));
    const alternatives = events
      .slice(1)
      .filter((_, k) => !dupes.has(k + 1))
      .slice(0, Math.max(1, opts.candidates - 1));
    if (alternatives.length === 0 || normalizeEvent(l.actual.event) === '') {
      notes.push(`depth ${depth}: fewer than two distinct candidates; stopped there`);
      break;
    }
    const candidates = [
      { event: l.actual.event.trim(), label: 1 as const, sources: src.kept },
      ...alternatives.map((event) => ({ event, label: 0 as const })),
    ];
    // Seeded rotation and swap: the actual's position depends on the case, not on the model's habit.
    const h = hash(`${item.id}#${depth}`);
    const at = h % candidates.length;
    const actual = candidates.shift() as (typeof candidates)[number];
    candidates.splice(at, 0, actual);
    levels.push({ depth, candidates });
    lastDate = l.actual.date;
  }
  if (levels.length === 0) return { notes: [...notes, 'no usable level'] };
  const c: Case = {
    id: item.id,
    seed: { ...item.seed, ...(seedSources.kept.length > 0 ? { sources: seedSources.kept } : {}) },
    levels,
    provenance: { agent: 'chronicler', model: opts.model, createdAt: opts.now.toISOString() },
    review: { status: 'draft' },
  };
  const checked = CaseSchema.safeParse(c);
  if (!checked.success)
    return { notes: [...notes, `the case breaks contract 1: ${checked.error.issues[0]?.message ?? ''}`] };
  return { case: checked.data, notes };
}

/** Ids (and seed keys) already in a case file, so a resumed run does not chronicle them twice. */
function doneIds(file: string): Set<string> {
  const ids = new Set<string>();
  for (const l of readDraft(file)) {
    const v = l.value as { id?: unknown } | undefined;
    if (v && typeof v.id === 'string') ids.add(v.id);
  }
  return ids;
}

export async function chronicle(
  opts: ChronicleOptions,
  ctx: AgentContext,
): Promise<AgentSummary & { written: Case[] }> {
  const now = ctx.now ?? (() => new Date());
  if (repairTail(opts.out) === 'cut') ctx.log(`${opts.out}: its last line was torn by an earlier run and was cut off`);
  const done = doneIds(opts.out);
  const depth = Math.max(1, opts.depth ?? 2);
  const k = Math.max(2, opts.candidates ?? 4);
  const written: Case[] = [];
  const summary = await forEachItem(
    opts.seeds,
    (s) => s.id,
    async (item) => {
      if (done.has(item.id)) return 'skipped';
      const res = await ctx.client.structured(
        {
          model: ctx.model,
          system: CHRONICLE_SYSTEM,
          user: chroniclePrompt(item.seed, depth, k - 1),
          schema: ChronicleAnswerSchema,
          schemaName: 'chronicle',
          webSearch: { maxResults: opts.searchResults ?? 8 },
        },
        ctx.signal,
      );
      const made = caseFromAnswer(item, res.value, res.citations, { candidates: k, model: ctx.model, now: now() });
      for (const n of made.notes) ctx.log(`${item.id}: ${n}`);
      if (!made.case) return { failed: made.notes[made.notes.length - 1] ?? 'no case' };
      // Checked again just before writing: two workers never chronicle the same id, but a seed list may repeat one.
      if (done.has(item.id)) return 'skipped';
      appendLine(opts.out, made.case);
      done.add(item.id);
      written.push(made.case);
      return 'done';
    },
    ctx,
  );
  ctx.log(describeSummary('chronicled', summary));
  return { ...summary, written };
}

/**
 * The seeds of a seed draft file or a case file (any line with an id, or none, and a seed with an
 * event and a date); lines without a seed are skipped. A line without an id is named by its line.
 */
export function seedsFromLines(
  lines: readonly { line: number; value: unknown }[],
  ids?: ReadonlySet<string>,
): SeedItem[] {
  const out: SeedItem[] = [];
  for (const l of lines) {
    const v = l.value as { id?: unknown; seed?: { event?: unknown; date?: unknown } } | undefined;
    if (
      !v ||
      typeof v !== 'object' ||
      !v.seed ||
      typeof v.seed.event !== 'string' ||
      typeof v.seed.date !== 'string' ||
      !isRealDate(v.seed.date)
    )
      continue;
    const id = typeof v.id === 'string' && v.id !== '' ? v.id : `line-${l.line + 1}`;
    if (ids && !ids.has(id)) continue;
    out.push({ id, seed: { event: v.seed.event, date: v.seed.date } });
  }
  return out;
}
