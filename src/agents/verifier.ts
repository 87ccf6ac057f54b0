// The verification layer: a separate verifier call per case (with web search) judges ambiguity,
// resolvability, that the seed text does not reveal the outcome, that the sources are independent and
// dated after the event, and that the alternatives did not also happen; checks computed here from the
// case itself join them (two sources from distinct sites on or after the seed date for every actual,
// the seed does not name an actual). All land in `review.checks`; a case is `verified` only when every
// check passes and the verifier answered every one it was asked, else `rejected` — a person can still
// accept or reject it in the table.
//
// Results go first to a journal beside the file (`<file>.verify.jsonl`, one line per case, appended as
// each finishes) and are merged into the case file atomically at the end, touching only the `review`
// of those lines: a crash or cancel loses nothing (the next run merges the journal and skips those
// cases) and a line is never written twice.
import * as fs from 'node:fs';
import { jaccard, NEAR_DUPLICATE_JACCARD, normalizeEvent, tokenSet } from '../cases/normalize';
import { MIN_VERIFIED_SOURCES as MIN_SOURCES_FOR_VERIFIED } from '../cases/provenanceRules';
import { CaseSchema } from '../contracts/case';
import type { Case, Review } from '../contracts/case';
import { VERIFIER_CHECKS, VerifyAnswerSchema } from './answers';
import { appendLine, readDraft, repairTail, writeAtomic } from './draftFile';
import { describeSummary, forEachItem } from './runner';
import type { AgentContext, AgentSummary } from './runner';

export const VERIFY_SYSTEM = [
  'You verify one case of a forecasting dataset before it is used for training. The case has a seed event with its date',
  'and, per depth, candidate follow-ups of which exactly one (label 1) is what actually happened, with its sources.',
  'Search the web and judge each check strictly: unambiguous (the seed and the actual are each one clear event);',
  'resolvable (the actual can be confirmed from public dated sources); seed-does-not-reveal-outcome (the seed text',
  "does not state or imply the actual); sources-independent (the actual's sources are separate outlets, not copies of",
  'one report); sources-after-event (each source was published on or after the event it reports); alternatives-did-not-',
  'happen (none of the label-0 candidates also happened). Answer every check. Answer only with the JSON object of the schema.',
].join(' ');

export function verifyPrompt(c: Case): string {
  return JSON.stringify({ seed: c.seed, levels: c.levels });
}

function host(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/** The checks that need no model: evidence counts and dates, and the seed not naming an actual. */
export function localChecks(c: Case): NonNullable<Review['checks']> {
  const short: string[] = [];
  const leaks: string[] = [];
  const seedTokens = tokenSet(normalizeEvent(c.seed.event));
  for (const level of c.levels) {
    const actual = level.candidates.find((x) => x.label === 1);
    if (!actual) continue;
    const hosts = new Set((actual.sources ?? []).filter((s) => s.published >= c.seed.date).map((s) => host(s.url)));
    if (hosts.size < MIN_SOURCES_FOR_VERIFIED) short.push(`depth ${level.depth} has ${hosts.size}`);
    const normalized = normalizeEvent(actual.event);
    if (
      normalizeEvent(c.seed.event).includes(normalized) ||
      jaccard(seedTokens, tokenSet(normalized)) > NEAR_DUPLICATE_JACCARD
    )
      leaks.push(`depth ${level.depth}`);
  }
  return [
    {
      name: 'dated-sources',
      ok: short.length === 0,
      detail:
        short.length === 0
          ? `every actual has ${MIN_SOURCES_FOR_VERIFIED}+ sources from distinct sites on or after ${c.seed.date}`
          : `needs ${MIN_SOURCES_FOR_VERIFIED} sources from distinct sites on or after ${c.seed.date}: ${short.join(', ')}`,
    },
    {
      name: 'seed-names-no-actual',
      ok: leaks.length === 0,
      detail:
        leaks.length === 0
          ? 'the seed text does not contain an actual'
          : `the seed text contains the actual of ${leaks.join(', ')}`,
    },
  ];
}

export interface VerifyOptions {
  /** The case file to verify (updated in place). */
  file: string;
  /** Only these ids (a selection); default every case not yet verified or rejected. */
  ids?: string[];
  /** Verify again cases that already have a verdict. */
  again?: boolean;
  searchResults?: number;
}

export function journalOf(file: string): string {
  return `${file}.verify.jsonl`;
}

interface JournalEntry {
  id: string;
  review: Review;
}

/**
 * Merge journal entries into the case file: each line whose id has an entry gets that `review`
 * (the rest of the line as it was), every other line keeps its bytes; then the journal goes.
 */
export function mergeJournal(file: string): number {
  const journal = journalOf(file);
  if (!fs.existsSync(journal)) return 0;
  repairTail(journal);
  const reviews = new Map<string, Review>();
  for (const l of readDraft(journal)) {
    const e = l.value as JournalEntry | undefined;
    if (e && typeof e.id === 'string' && e.review) reviews.set(e.id, e.review);
  }
  const text = fs.readFileSync(file, 'utf8');
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  let merged = 0;
  const lines = text.split(/\r\n|\n/).map((line) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      return line;
    }
    const id = (v as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' || !reviews.has(id)) return line;
    merged++;
    return JSON.stringify({ ...(v as object), review: reviews.get(id) });
  });
  writeAtomic(file, lines.join(eol));
  fs.rmSync(journal, { force: true });
  return merged;
}

export async function verify(
  opts: VerifyOptions,
  ctx: AgentContext,
): Promise<AgentSummary & { verified: number; rejected: number }> {
  const now = ctx.now ?? (() => new Date());
  const recovered = mergeJournal(opts.file);
  if (recovered > 0) ctx.log(`merged ${recovered} verdicts an earlier run left in ${journalOf(opts.file)}`);
  const wanted = opts.ids ? new Set(opts.ids) : undefined;
  const cases: Case[] = [];
  for (const l of readDraft(opts.file)) {
    const parsed = CaseSchema.safeParse(l.value);
    if (!parsed.success || !parsed.data.id) continue;
    if (wanted && !wanted.has(parsed.data.id)) continue;
    cases.push(parsed.data);
  }
  let verified = 0;
  let rejected = 0;
  const summary = await forEachItem(
    cases,
    (c) => c.id ?? '?',
    async (c) => {
      const status = c.review?.status;
      if (!opts.again && (status === 'verified' || status === 'rejected')) return 'skipped';
      const res = await ctx.client.structured(
        {
          model: ctx.model,
          system: VERIFY_SYSTEM,
          user: verifyPrompt(c),
          schema: VerifyAnswerSchema,
          schemaName: 'verification',
          webSearch: { maxResults: opts.searchResults ?? 5 },
        },
        ctx.signal,
      );
      const byName = new Map(res.value.checks.map((x) => [x.name, x]));
      const modelChecks = VERIFIER_CHECKS.map(
        (name) => byName.get(name) ?? { name, ok: false, detail: 'the verifier did not answer this check' },
      );
      const checks = [...modelChecks, ...localChecks(c)];
      const ok = checks.every((x) => x.ok);
      const review: Review = { status: ok ? 'verified' : 'rejected', checks, reviewedAt: now().toISOString() };
      appendLine(journalOf(opts.file), { id: c.id ?? '', review } satisfies JournalEntry);
      if (ok) verified++;
      else {
        rejected++;
        ctx.log(
          `${c.id ?? '?'}: rejected: ${checks
            .filter((x) => !x.ok)
            .map((x) => `${x.name} (${x.detail ?? ''})`)
            .join('; ')}`,
        );
      }
      return 'done';
    },
    ctx,
  );
  const merged = mergeJournal(opts.file);
  ctx.log(
    `${describeSummary('verified', summary)}: ${verified} verified, ${rejected} rejected (${merged} lines updated)`,
  );
  return { ...summary, verified, rejected };
}
