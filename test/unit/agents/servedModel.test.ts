// The Brainstormer against a real model: the forecast service (`python -m psychohistory serve` on the tiny
// base, started by LocalService as Start Local Forecast Service starts it) answering OpenAI chat
// completions, with no constrained decoding. A model this small writes no valid JSON: the run must end
// with a reason that names what was wrong with the answers, keep the seed already in the draft file, write
// nothing that is not a valid seed, and report its cost as a number. Needs training/.venv (scripts/setup.sh).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SeedDraftSchema } from '../../../src/agents/answers';
import type { SeedDraft } from '../../../src/agents/answers';
import { brainstorm, seedProblem } from '../../../src/agents/brainstormer';
import { readDraft } from '../../../src/agents/draftFile';
import { OpenRouterClient } from '../../../src/agents/openRouterClient';
import { LocalService, serveArgs } from '../../../src/forecast/localService';

const training = path.join(__dirname, '../../../training');
const python = path.join(training, '.venv', 'bin', 'python');
const hasVenv = fs.existsSync(python);
const FROM = '2019-01-01';
const TO = '2021-12-31';
const NOW = new Date('2026-01-10T12:00:00Z');
/** What the client says of an answer it cannot use (openRouterClient.ts, parse), or the Brainstormer of one it can. */
const ANSWER_PROBLEM =
  /^gave up after 3 attempts: the answer (is not JSON|breaks the schema|was cut off at the token limit|has no message content)|^every proposal was a repeat or out of the window$/;

const earlier: SeedDraft = {
  id: '2020-03-16-central-bank-cuts-rates-to-zero',
  seed: { event: 'Central bank cuts rates to zero', date: '2020-03-16' },
  domain: 'Economy',
  checkable: 'Rate decisions and what followed are reported by dated news.',
  provenance: { agent: 'brainstormer', model: 'earlier/model', createdAt: '2026-01-01T00:00:00.000Z' },
};

describe('the Brainstormer against the forecast service as a real model (tiny base, loopback)', () => {
  it.skipIf(!hasVenv)(
    hasVenv
      ? 'ends with a reason naming what was wrong, keeps what the file held, writes only valid seeds, counts cost'
      : 'skipped: training/.venv does not exist (bash scripts/setup.sh makes it)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-served-model-'));
      const out = path.join(dir, 'ideas.seeds.jsonl');
      fs.writeFileSync(out, `${JSON.stringify(earlier)}\n`);
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const service = new LocalService();
      let output = '';
      try {
        const served = await service.start({
          python,
          cwd: training,
          args: serveArgs({
            baseModel: 'tiny',
            adapter: '',
            db: path.join(dir, 'serve.db'),
            extra: ['--max_chat_tokens=48', '--burst=1000', '--rate=1000'],
          }),
          output: (t) => (output += t),
          readyTimeoutMs: 240_000,
        });
        const client = new OpenRouterClient({
          apiKey: served.token,
          baseURL: `${served.url}/v1`,
          maxRetries: 2,
          backoffMs: 1,
          sleep: async () => {},
          timeoutMs: 60_000,
          concurrency: 1,
        });
        const logs: string[] = [];
        const r = await brainstorm(
          { domains: ['Economy'], from: FROM, to: TO, count: 3, out },
          { client, model: served.models[0]!, log: (l) => logs.push(l), now: () => NOW },
        );
        expect(logs).toContain(`${out} already holds 1 seeds: asking for 2 more`);

        // done, partial or failed: whatever the real model's text leads to, the file holds only valid seeds
        const lines = readDraft(out);
        const seeds = lines.map((l) => SeedDraftSchema.parse(l.value));
        expect(seeds[0]).toEqual(earlier);
        expect(seeds.slice(1)).toEqual(r.written);
        for (const s of r.written)
          expect(seedProblem(s.seed.event, s.seed.date, FROM, TO, '2026-01-10')).toBeUndefined();
        expect(r.done).toBe(r.written.length);
        if (r.done < 2) {
          expect(r.stopped).toMatch(/the model proposed only \d new seeds of the 2 asked for/);
          expect(r.failures.length).toBeGreaterThan(0);
          for (const f of r.failures) {
            expect(f.reason).toMatch(ANSWER_PROBLEM);
            expect(logs).toContain(`${f.id}: failed: ${f.reason}`);
          }
        }

        // every attempt was answered (200) by the served model; cost is a number: the service's 0
        expect(r.costUsd).toBe(0);
        expect(client.stats.costUsd).toBe(0);
        expect(r.calls).toBeGreaterThan(0);
        expect(client.stats.attempts).toBe(r.calls + r.retries);
        const metrics = await (await fetch(`${served.url}/metrics`)).text();
        expect(metrics).toContain(
          `psychohistory_requests_total{method="POST",path="/v1/chat/completions",status="200"} ${client.stats.attempts}`,
        );
        expect(logs.at(-1)).toMatch(/^brainstormed \d+ of 2, .*\$0\.0000/);
        expect(unhandled).toEqual([]);
      } catch (err) {
        if (err instanceof Error) err.message += `\n--- service output ---\n${output.slice(-3000)}`;
        throw err;
      } finally {
        process.off('unhandledRejection', onUnhandled);
        service.stop(1000);
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});
