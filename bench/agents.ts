// `npm run bench -- agents`: 100 seeds brainstormed → chronicled → verified against the local
// OpenRouter stand-in, with 429s (Retry-After), 5xx, hung requests, malformed bodies, errors inside
// 200s and answers that break the schema injected at random (seeded). Prints per stage the counts,
// the retries by cause, the requests and faults the stand-in saw, cost and time; then checks the
// invariants the issue asks for — no unhandled error, every seed chronicled once, every case
// verified, the file valid — and exits 1 when one fails. Waits are real but short (Retry-After 0–1 s,
// a 1.5 s timeout for hung requests), so the time shown is mostly the retries'.
import * as fs from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeedDraftSchema } from '../src/agents/answers';
import { brainstorm } from '../src/agents/brainstormer';
import { chronicle } from '../src/agents/chronicler';
import { readDraft } from '../src/agents/draftFile';
import { OpenRouterClient } from '../src/agents/openRouterClient';
import type { AgentContext, AgentSummary } from '../src/agents/runner';
import { verify } from '../src/agents/verifier';
import { validateText } from '../src/cases/caseDocument';
import { OpenRouterStandIn } from '../test/openrouterServer/server';
import type { RecordedRequest } from '../test/openrouterServer/server';
import { World } from '../test/openrouterServer/world';

const SEEDS = 100;
const KEY = 'sk-or-bench';
const RATES = {
  'rate-limit': 0.08,
  'server-error': 0.06,
  hang: 0.02,
  'malformed-body': 0.02,
  'error-in-200': 0.02,
  'schema-break': 0.03,
  truncated: 0.02,
} as const;

let unhandled = 0;
process.on('unhandledRejection', (err) => {
  unhandled++;
  console.error('unhandled rejection:', err);
});
process.on('uncaughtException', (err) => {
  unhandled++;
  console.error('uncaught exception:', err);
});

async function main(): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-agents-'));
  const server = new OpenRouterStandIn({ apiKey: KEY, respond: new World({ repeatShare: 0.1 }).respond });
  await server.start();
  server.randomFaults({ rates: RATES, seed: 2026, retryAfterS: 1 });
  const errors: string[] = [];
  const ctx = (): AgentContext => ({
    client: new OpenRouterClient({
      apiKey: KEY,
      baseURL: server.baseURL,
      concurrency: 8,
      timeoutMs: 1500,
      backoffMs: 50,
      maxBackoffMs: 500,
      maxRetries: 8,
    }),
    model: 'bench/model',
    log: (line) => {
      if (/internal error/.test(line)) errors.push(line);
    },
  });
  const rows: string[][] = [];
  const stage = async <T extends AgentSummary>(name: string, fn: (c: AgentContext) => Promise<T>): Promise<T> => {
    const before = server.requests.length;
    const t0 = performance.now();
    const c = ctx();
    const s = await fn(c);
    const seconds = (performance.now() - t0) / 1000;
    const seen = server.requests.slice(before);
    const faults = (k: RecordedRequest['outcome']): number => seen.filter((r) => r.outcome === k).length;
    rows.push([
      name,
      `${s.done}/${s.total}`,
      String(s.failed),
      String(seen.length),
      `${faults('rate-limit')}/${faults('server-error')}/${faults('hang')}/${faults('malformed-body') + faults('error-in-200')}/${faults('schema-break') + faults('truncated')}`,
      `${s.retries} (${Object.entries(s.retriesBy)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')})`,
      `$${s.costUsd.toFixed(4)}`,
      `${seconds.toFixed(1)} s`,
      s.stopped ?? '',
    ]);
    return s;
  };
  try {
    const seedsFile = join(dir, 'bench.seeds.jsonl');
    const casesFile = join(dir, 'bench.cases.jsonl');
    await stage('brainstorm', (c) =>
      brainstorm(
        {
          domains: ['economy', 'energy', 'politics', 'technology'],
          from: '2018-01-01',
          to: '2022-12-31',
          count: SEEDS,
          out: seedsFile,
        },
        c,
      ),
    );
    const seeds = readDraft(seedsFile).map((l) => SeedDraftSchema.parse(l.value));
    const chronicled = await stage('chronicle', (c) => chronicle({ seeds, out: casesFile, depth: 2 }, c));
    // Whatever a fault cost the first pass, a resume completes it without duplicates.
    if (chronicled.done < seeds.length)
      await stage('chronicle (resume)', (c) => chronicle({ seeds, out: casesFile, depth: 2 }, c));
    const verified = await stage('verify', (c) => verify({ file: casesFile }, c));
    if (verified.done + verified.skipped < verified.total)
      await stage('verify (resume)', (c) => verify({ file: casesFile }, c));

    const header = [
      'stage',
      'done',
      'failed',
      'requests',
      '429/5xx/hang/malformed/schema',
      'retries',
      'cost',
      'time',
      'stopped',
    ];
    const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? '').length)));
    console.log([header, ...rows].map((r) => r.map((x, k) => x.padEnd(widths[k] ?? 0)).join('  ')).join('\n'));

    const cases = readDraft(casesFile).map((l) => l.value as { id: string; review?: { status: string } });
    const ids = cases.map((c) => c.id);
    const statuses = cases.reduce<Record<string, number>>(
      (m, c) => ({ ...m, [c.review?.status ?? 'none']: (m[c.review?.status ?? 'none'] ?? 0) + 1 }),
      {},
    );
    const problems = validateText(fs.readFileSync(casesFile, 'utf8')).filter((d) => d.severity === 'error');
    console.log(
      `\nseeds ${seeds.length}, cases ${cases.length} (unique ids ${new Set(ids).size}), review ${JSON.stringify(statuses)}, validation errors ${problems.length}`,
    );
    console.log(
      `stand-in: ${server.requests.length} requests, billed $${server.billedUsd.toFixed(4)}; unhandled errors ${unhandled}, internal errors ${errors.length}`,
    );
    const failures = [
      unhandled > 0 && `${unhandled} unhandled errors`,
      errors.length > 0 && `${errors.length} internal errors`,
      seeds.length !== SEEDS && `${seeds.length} seeds, not ${SEEDS}`,
      cases.length !== seeds.length && `${cases.length} cases for ${seeds.length} seeds`,
      new Set(ids).size !== ids.length && 'duplicate case ids',
      (statuses.draft ?? 0) > 0 && `${statuses.draft} cases left unverified`,
      problems.length > 0 && `${problems.length} validation errors`,
    ].filter((x): x is string => typeof x === 'string');
    if (failures.length > 0) {
      console.log(`FAILED: ${failures.join('; ')}`);
      return 1;
    }
    console.log('OK: every seed chronicled once and verified, the file valid, no unhandled error');
    return 0;
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then((code) => process.exit(code));
