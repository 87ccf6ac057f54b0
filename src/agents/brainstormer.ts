// The Brainstormer: proposes distinct, dated, checkable seed events in given domains and a date
// window, de-duplicated against the seeds already known (the draft file itself and any case files
// named) by the cases' near-duplicate rules, and appends each accepted one to a seed draft file
// (`*.seeds.jsonl`) as it comes, with its provenance. Re-running it on the same file continues.
import { isRealDate } from '../cases/dates';
import { BrainstormAnswerSchema, SeedDraftSchema } from './answers';
import type { SeedDraft } from './answers';
import { SeedIndex } from './dedupe';
import { appendLine, readDraft, repairTail } from './draftFile';
import { describeSummary, forEachItem } from './runner';
import type { AgentContext, AgentSummary } from './runner';

export interface BrainstormOptions {
  domains: string[];
  from: string; // YYYY-MM-DD
  to: string; // YYYY-MM-DD
  count: number;
  /** The seed draft file to append to. */
  out: string;
  /** Seed events already taken (from case files), never proposed again. */
  known?: string[];
  /** Seeds asked for per call. */
  batchSize?: number;
}

export const BRAINSTORM_SYSTEM = [
  'You propose seed events for a forecasting dataset. A seed event is one concrete public event on a known day',
  '(an announcement, a decision, a vote, a disaster, a product launch), stated so that it does NOT reveal what',
  'happened after it. Each must be checkable: what followed it was reported by several dated public sources.',
  'Prefer events with a clear, reported next step. Avoid vague trends, ongoing situations and events without a day.',
  'Answer only with the JSON object of the schema.',
].join(' ');

export function brainstormPrompt(
  domain: string,
  from: string,
  to: string,
  n: number,
  avoid: readonly string[],
): string {
  const lines = [
    `Domain: ${domain}.`,
    `Dates: between ${from} and ${to} inclusive.`,
    `Propose ${n} distinct seed events.`,
  ];
  if (avoid.length > 0) lines.push('Do not repeat or paraphrase any of these:', ...avoid.map((e) => `- ${e}`));
  return lines.join('\n');
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** Why a proposed seed is refused, or undefined when it is taken. */
export function seedProblem(event: string, date: string, from: string, to: string, today: string): string | undefined {
  if (event.trim() === '') return 'empty event';
  if (!isRealDate(date)) return `date ${JSON.stringify(date)} is not a real YYYY-MM-DD date`;
  if (date < from || date > to) return `date ${date} is outside ${from}..${to}`;
  if (date > today) return `date ${date} is in the future`;
  return undefined;
}

/** Rounds of calls at most, each asking for the seeds still missing. */
export const MAX_ROUNDS = 8;

export async function brainstorm(
  opts: BrainstormOptions,
  ctx: AgentContext,
): Promise<AgentSummary & { written: SeedDraft[] }> {
  if (!isRealDate(opts.from) || !isRealDate(opts.to) || opts.from > opts.to)
    throw new Error(`the date window ${opts.from}..${opts.to} is not two YYYY-MM-DD dates in order`);
  if (opts.domains.length === 0) throw new Error('name at least one domain');
  const now = ctx.now ?? (() => new Date());
  const today = now().toISOString().slice(0, 10);
  const repaired = repairTail(opts.out);
  if (repaired === 'cut') ctx.log(`${opts.out}: its last line was torn by an earlier run and was cut off`);
  const index = new SeedIndex();
  const ids = new Set<string>();
  let have = 0;
  for (const l of readDraft(opts.out)) {
    const parsed = SeedDraftSchema.safeParse(l.value);
    if (!parsed.success) continue;
    index.add(parsed.data.seed.event);
    ids.add(parsed.data.id);
    have++;
  }
  for (const e of opts.known ?? []) index.add(e);
  const want = Math.max(0, opts.count - have);
  if (have > 0) ctx.log(`${opts.out} already holds ${have} seeds: asking for ${want} more`);
  const batch = Math.max(1, opts.batchSize ?? 10);
  const written: SeedDraft[] = [];
  let accepted = 0;
  // Rounds of batches, round-robin over the domains; later rounds make up for duplicates refused,
  // until a round adds nothing (the model has run out of new ideas for this window) or MAX_ROUNDS.
  let summary: AgentSummary | undefined;
  for (let round = 0; round < MAX_ROUNDS && accepted < want; round++) {
    const before = accepted;
    const missing = want - accepted;
    const batches = Array.from({ length: Math.ceil(missing / batch) }, (_, k) => ({
      k,
      domain: opts.domains[k % opts.domains.length] as string,
      n: Math.min(batch, missing - k * batch),
    }));
    const r = await forEachItem(
      batches,
      (b) => `round ${round + 1} batch ${b.k + 1} (${b.domain})`,
      async (b) => {
        if (accepted >= want) return 'skipped';
        const avoid = [...written.slice(-40).map((w) => w.seed.event)];
        const res = await ctx.client.structured(
          {
            model: ctx.model,
            system: BRAINSTORM_SYSTEM,
            user: brainstormPrompt(b.domain, opts.from, opts.to, b.n, avoid),
            schema: BrainstormAnswerSchema,
            schemaName: 'seed_events',
            temperature: 0.9,
          },
          ctx.signal,
        );
        let took = 0;
        for (const s of res.value.seeds) {
          if (accepted >= want) break;
          const problem = seedProblem(s.event, s.date, opts.from, opts.to, today);
          const dup = problem ? undefined : index.duplicateOf(s.event);
          if (problem || dup !== undefined) {
            ctx.log(`refused ${JSON.stringify(s.event)}: ${problem ?? `repeats ${JSON.stringify(dup)}`}`);
            continue;
          }
          let id = `${s.date}-${slug(s.event)}`;
          for (let k = 2; ids.has(id); k++) id = `${s.date}-${slug(s.event)}-${k}`;
          const draft: SeedDraft = {
            id,
            seed: { event: s.event.trim(), date: s.date },
            domain: b.domain,
            checkable: s.checkable,
            provenance: { agent: 'brainstormer', model: ctx.model, createdAt: now().toISOString() },
          };
          appendLine(opts.out, draft);
          index.add(s.event);
          ids.add(id);
          written.push(draft);
          accepted++;
          took++;
        }
        return took > 0 || accepted >= want ? 'done' : { failed: 'every proposal was a repeat or out of the window' };
      },
      ctx,
    );
    summary = summary ? merge(summary, r) : r;
    if (r.stopped || accepted === before) break;
  }
  const s =
    summary ??
    (await forEachItem(
      [],
      () => '',
      async () => 'done' as const,
      ctx,
    ));
  // The run's count is seeds, not calls.
  const out = { ...s, total: want, done: accepted, written };
  if (accepted < want && out.stopped === undefined)
    out.stopped = `the model proposed only ${accepted} new seeds of the ${want} asked for in this window and these domains`;
  ctx.log(describeSummary('brainstormed', out));
  return out;
}

function merge(a: AgentSummary, b: AgentSummary): AgentSummary {
  return {
    ...b,
    total: a.total + b.total,
    done: a.done + b.done,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    failures: [...a.failures, ...b.failures],
    cancelled: a.cancelled || b.cancelled,
  };
}
