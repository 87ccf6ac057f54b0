// `psychohistory brainstorm | chronicle | verify`: the data agents (src/agents) from a terminal, each
// run recorded in the workspace's run store as `kind: "collect"` (so `psychohistory runs` and `logs`
// show it). The key comes from OPENROUTER_API_KEY (never an option: it would land in shell history);
// OPENROUTER_BASE_URL points at another OpenAI-compatible endpoint (the tests' stand-in). Ctrl-C
// cancels cleanly: what is written stays, and the same command resumes.
import * as path from 'node:path';
import { brainstorm } from '../agents/brainstormer';
import { chronicle, seedsFromLines } from '../agents/chronicler';
import { recordCollect } from '../agents/collectRun';
import { readDraft } from '../agents/draftFile';
import { OPENROUTER_BASE_URL, OpenRouterClient } from '../agents/openRouterClient';
import type { AgentContext, AgentSummary } from '../agents/runner';
import { verify } from '../agents/verifier';
import { findWorkspaceRoot } from '../jobs/workspace';
import { RunStore, runsRootOf } from '../runs/runStore';
import { onePositional, parseOptions } from './format';
import type { ParseArgsConfig } from 'node:util';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types';
import type { CliCommand, CliIo } from './types';

type Options = NonNullable<ParseArgsConfig['options']>;

const COMMON: Options = {
  model: { type: 'string' as const },
  concurrency: { type: 'string' as const },
  budget: { type: 'string' as const },
  timeout: { type: 'string' as const },
  workspace: { type: 'string' as const, short: 'w' },
  quiet: { type: 'boolean' as const, short: 'q' },
};

const COMMON_USAGE = [
  '  --model M          OpenRouter model id (e.g. openai/gpt-4o-mini), required',
  '  --concurrency N    requests in flight at once (default 4)',
  '  --budget USD       stop once the run has cost this much (usage.cost summed)',
  '  --timeout S        give up on one request after S seconds and retry it (default 120)',
  '  -w, --workspace D  the workspace whose run store records the run (default: found from the current folder)',
  '',
  'OPENROUTER_API_KEY holds the key; OPENROUTER_BASE_URL another OpenAI-compatible endpoint.',
  'exit codes: 0 finished (failed items are listed), 1 stopped early or cancelled (run again to resume), 2 usage error',
];

function positiveNumber(value: unknown, name: string, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive number (got ${JSON.stringify(value)})`);
  return n;
}

function list(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
    : undefined;
}

async function runAgent<T extends AgentSummary>(
  io: CliIo,
  values: Record<string, unknown>,
  config: { agent: 'brainstorm' | 'chronicle' | 'verify'; [key: string]: unknown },
  body: (ctx: AgentContext) => Promise<T>,
): Promise<number> {
  const env = io.env ?? process.env;
  const key = env.OPENROUTER_API_KEY;
  if (!key) throw new UsageError('set OPENROUTER_API_KEY to your OpenRouter key (https://openrouter.ai/keys)');
  const model = values.model;
  if (typeof model !== 'string' || model === '')
    throw new UsageError('--model is required (an OpenRouter model id such as openai/gpt-4o-mini)');
  const root = typeof values.workspace === 'string' ? values.workspace : findWorkspaceRoot(io.cwd);
  const store = new RunStore(runsRootOf(root), { report: (p) => io.stderr(`run ${p.id} skipped: ${p.reason}\n`) });
  const quiet = values.quiet === true;
  const ac = new AbortController();
  const onSigint = (): void => {
    io.stderr('\ncancelling: the requests in flight are dropped, what is written stays\n');
    ac.abort();
  };
  process.once('SIGINT', onSigint);
  try {
    const budgetUsd = positiveNumber(values.budget, 'budget', undefined);
    const client = new OpenRouterClient({
      apiKey: key,
      baseURL: env.OPENROUTER_BASE_URL || OPENROUTER_BASE_URL,
      concurrency: positiveNumber(values.concurrency, 'concurrency', 4),
      timeoutMs: (positiveNumber(values.timeout, 'timeout', 120) ?? 120) * 1000,
      ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    });
    const outcome = await recordCollect(
      store,
      { ...config, model, ...(budgetUsd !== undefined ? { budgetUsd } : {}) },
      (hooks) => {
        client.options.log = hooks.log;
        return body({ client, model, signal: ac.signal, log: hooks.log, progress: hooks.progress });
      },
      { echo: (line) => (quiet ? undefined : io.stderr(`${line}\n`)) },
    );
    io.stdout(
      `${outcome.run.id}: ${outcome.run.state}${outcome.run.cost ? ` · $${outcome.run.cost.usd.toFixed(4)}` : ''}${outcome.run.error ? `\n${outcome.run.error}` : ''}\n`,
    );
    return outcome.run.state === 'succeeded' ? EXIT_OK : EXIT_FINDINGS;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** An option of an agent command and the line that documents it in the usage (none: the synopsis says it all). */
type Flag = { type: 'string' | 'boolean'; arg?: string; help?: string };

/**
 * An agent command: its usage is the synopsis, a line per positional and per documented option, then the common
 * options; its own options are parsed with the common ones.
 */
function agentCommand(spec: {
  name: string;
  summary: string;
  synopsis: string[];
  positionals?: Record<string, string>;
  flags: Record<string, Flag>;
  run: (parsed: ReturnType<typeof parseOptions>, io: CliIo) => Promise<number>;
}): CliCommand {
  const line = (name: string, help: string): string => `  ${name.padEnd(19)}${help}`;
  const options = Object.fromEntries(Object.entries(spec.flags).map(([name, { type }]) => [name, { type }]));
  return {
    name: spec.name,
    summary: spec.summary,
    usage: [
      ...spec.synopsis,
      '',
      ...Object.entries(spec.positionals ?? {}).map(([name, help]) => line(name, help)),
      ...Object.entries(spec.flags).flatMap(([name, { arg, help }]) =>
        help ? [line(`--${name}${arg ? ` ${arg}` : ''}`, help)] : [],
      ),
      ...COMMON_USAGE,
    ].join('\n'),
    run: (args, io) => spec.run(parseOptions(args, { ...COMMON, ...options }), io),
  };
}

export const brainstormCommand = agentCommand({
  name: 'brainstorm',
  summary: 'propose dated, checkable seed events into a seed draft file (OpenRouter)',
  synopsis: [
    'usage: psychohistory brainstorm --domains A,B --from YYYY-MM-DD --to YYYY-MM-DD --count N --model M --out FILE.seeds.jsonl',
    '                                [--known CASES.jsonl,…] [common options]',
  ],
  flags: {
    domains: { type: 'string', arg: 'A,B', help: 'comma-separated domains (economy, energy, …), asked in turn' },
    from: { type: 'string', arg: 'YYYY-MM-DD', help: 'the first date a seed event may have' },
    to: { type: 'string', arg: 'YYYY-MM-DD', help: 'the last (inclusive)' },
    count: { type: 'string', arg: 'N', help: 'seeds the file holds when done (default 20)' },
    out: { type: 'string', arg: 'FILE', help: 'the seed draft file; an existing one is continued up to --count' },
    known: { type: 'string', arg: 'FILES', help: 'case files whose seed events are never proposed again' },
  },
  async run({ values }, io) {
    const domains = list(values.domains);
    if (!domains?.length) throw new UsageError('--domains is required');
    const { from, to, out } = values;
    if (typeof from !== 'string' || typeof to !== 'string')
      throw new UsageError('--from and --to are required (YYYY-MM-DD)');
    if (typeof out !== 'string') throw new UsageError('--out is required (a .seeds.jsonl file)');
    const count = positiveNumber(values.count, 'count', 20) ?? 20;
    const known = (list(values.known) ?? []).flatMap((f) =>
      seedsFromLines(readDraft(path.resolve(io.cwd, f))).map((s) => s.seed.event),
    );
    return runAgent(io, values, { agent: 'brainstorm', domains, from, to, count, out }, (ctx) =>
      brainstorm({ domains, from, to, count: Math.round(count), out: path.resolve(io.cwd, out), known }, ctx),
    );
  },
});

export const chronicleCommand = agentCommand({
  name: 'chronicle',
  summary: 'find what happened after each seed, with sources, into a case file (OpenRouter web search)',
  synopsis: [
    'usage: psychohistory chronicle SEEDS.jsonl --out FILE.cases.jsonl --model M [--depth N] [--candidates N] [--ids a,b] [common options]',
  ],
  positionals: { SEEDS: 'a seed draft file (from brainstorm) or a case file: every line with a seed' },
  flags: {
    out: {
      type: 'string',
      arg: 'FILE',
      help: 'the case file to append to; seeds whose id it holds are skipped (resume)',
    },
    depth: { type: 'string', arg: 'N', help: 'levels per case (default 2)' },
    candidates: { type: 'string', arg: 'N', help: 'candidates per level, the actual included (default 4)' },
    ids: { type: 'string', arg: 'a,b', help: 'only these seeds' },
  },
  async run({ values, positionals }, io) {
    const input = onePositional(positionals, 'chronicle needs one SEEDS file');
    if (typeof values.out !== 'string') throw new UsageError('--out is required (a .cases.jsonl file)');
    const ids = list(values.ids);
    const seeds = seedsFromLines(readDraft(path.resolve(io.cwd, input)), ids ? new Set(ids) : undefined);
    if (seeds.length === 0) throw new UsageError(`${input} holds no seeds (lines with "seed": {"event", "date"})`);
    const depth = Math.round(positiveNumber(values.depth, 'depth', 2) ?? 2);
    const candidates = Math.max(2, Math.round(positiveNumber(values.candidates, 'candidates', 4) ?? 4));
    const out = values.out;
    return runAgent(io, values, { agent: 'chronicle', input, out, depth, candidates, seeds: seeds.length }, (ctx) =>
      chronicle({ seeds, out: path.resolve(io.cwd, out), depth, candidates }, ctx),
    );
  },
});

export const verifyCommand = agentCommand({
  name: 'verify',
  summary: 'check each case of a file with a verifier model; record the checks and the verdict in review',
  synopsis: ['usage: psychohistory verify CASES.jsonl --model M [--ids a,b] [--again] [common options]'],
  flags: {
    ids: { type: 'string', arg: 'a,b', help: 'only these cases' },
    again: { type: 'boolean', help: 'also cases that already have a verdict' },
  },
  async run({ values, positionals }, io) {
    const file = onePositional(positionals, 'verify needs one CASES file');
    const ids = list(values.ids);
    return runAgent(io, values, { agent: 'verify', file, ...(ids ? { ids } : {}) }, (ctx) =>
      verify({ file: path.resolve(io.cwd, file), ...(ids ? { ids } : {}), again: values.again === true }, ctx),
    );
  },
});
