// The OpenRouter client against the local stand-in (test/openrouterServer), over real HTTP: what it
// sends (json_schema strict, provider.require_parameters, the web-search tool), what it reads
// (annotations, usage.cost) and what it does with every failure the service can give.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AnswerError,
  BudgetError,
  CancelledError,
  Limiter,
  OpenRouterClient,
  retryAfterMs,
  ServiceError,
  strictJsonSchema,
} from '../../../src/agents/openRouterClient';
import type { ClientOptions } from '../../../src/agents/openRouterClient';
import { OpenRouterStandIn } from '../../openrouterServer/server';
import type { ModelAnswer } from '../../openrouterServer/server';

const Answer = z.strictObject({ event: z.string(), date: z.string(), note: z.string().nullable() });
const KEY = 'sk-or-test';

let server: OpenRouterStandIn;
let answer: ModelAnswer;
let waits: number[];

beforeEach(async () => {
  answer = {
    content: { event: 'Rates rise', date: '2023-02-01', note: null },
    citations: [{ url: 'https://a.example/1', title: 'A', content: 'rates rose' }],
  };
  server = new OpenRouterStandIn({ apiKey: KEY, respond: () => answer });
  await server.start();
  waits = [];
});
afterEach(async () => server.stop());

function client(extra: Partial<ClientOptions> = {}): OpenRouterClient {
  return new OpenRouterClient({
    apiKey: KEY,
    baseURL: server.baseURL,
    backoffMs: 10,
    timeoutMs: 2000,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...extra,
  });
}

const req = { model: 'test/model', system: 'sys', user: 'what happened?', schema: Answer, schemaName: 'answer' };

describe('the OpenRouter client', () => {
  it('sends strict json_schema with require_parameters and the web-search tool, and reads citations and cost', async () => {
    const c = client();
    const r = await c.structured({ ...req, webSearch: { maxResults: 3 } });
    expect(r.value).toEqual({ event: 'Rates rise', date: '2023-02-01', note: null });
    expect(r.citations).toEqual([{ url: 'https://a.example/1', title: 'A', content: 'rates rose' }]);
    const sent = server.requests[0]!;
    expect(sent.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body.response_format?.type).toBe('json_schema');
    expect(sent.body.response_format?.json_schema?.strict).toBe(true);
    expect(sent.body.response_format?.json_schema?.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['event', 'date', 'note'],
    });
    expect(sent.body.provider).toEqual({ require_parameters: true });
    expect(sent.body.tools).toEqual([{ type: 'openrouter:web_search', parameters: { max_results: 3 } }]);
    expect(r.costUsd).toBeGreaterThan(0);
    expect(c.stats.costUsd).toBeCloseTo(server.billedUsd, 10);
  });

  it('waits as Retry-After says on 429, backs off on 5xx, and counts the retries', async () => {
    server.inject(
      { kind: 'rate-limit', retryAfterS: 7 },
      { kind: 'server-error', status: 502 },
      { kind: 'server-error', status: 503 },
    );
    const c = client();
    const r = await c.structured(req);
    expect(r.attempts).toBe(4);
    expect(waits[0]).toBe(7000);
    expect(waits.slice(1).every((w) => w > 0 && w < 1000)).toBe(true);
    expect(c.stats.retriesBy).toEqual({ '429': 1, '5xx': 2 });
  });

  it('retries an answer that breaks the schema, is cut off, is not JSON, or is an error inside a 200', async () => {
    server.inject(
      { kind: 'schema-break' },
      { kind: 'truncated' },
      { kind: 'malformed-body' },
      { kind: 'error-in-200' },
    );
    const c = client();
    const r = await c.structured(req);
    expect(r.attempts).toBe(5);
    expect(c.stats.retriesBy).toEqual({ answer: 2, malformed: 1, '5xx': 1 });
  });

  it('gives up on a hung request after its timeout and retries it', async () => {
    server.inject({ kind: 'hang' });
    const c = client({ timeoutMs: 300 });
    const r = await c.structured(req);
    expect(r.attempts).toBe(2);
    expect(c.stats.retriesBy).toEqual({ timeout: 1 });
  });

  it('says why when every retry fails', async () => {
    server.inject(...Array.from({ length: 3 }, () => ({ kind: 'schema-break' as const })));
    await expect(client({ maxRetries: 2 }).structured(req)).rejects.toThrow(AnswerError);
    server.inject(...Array.from({ length: 3 }, () => ({ kind: 'server-error' as const })));
    await expect(client({ maxRetries: 2 }).structured(req)).rejects.toThrow(
      /gave up after 3 attempts: HTTP 502: Provider returned error/,
    );
  });

  it('stops on 402 without Retry-After (credits spent), waits on 402 with it', async () => {
    server.inject({ kind: 'credits' });
    await expect(client().structured(req)).rejects.toThrow(BudgetError);
    server.inject({ kind: 'credits', retryAfterS: 2 });
    const r = await client().structured(req);
    expect(r.attempts).toBe(2);
    expect(waits).toContain(2000);
  });

  it('refuses a Retry-After longer than it will wait', async () => {
    server.inject({ kind: 'rate-limit', retryAfterS: 3600 });
    await expect(client({ maxRetryAfterMs: 60_000 }).structured(req)).rejects.toThrow(/asks to wait 3600 s/);
  });

  it('names the fix for a refused key', async () => {
    const c = client({ apiKey: 'wrong' });
    await expect(c.structured(req)).rejects.toThrow(ServiceError);
    await expect(c.structured(req)).rejects.toThrow(/Set OpenRouter Key/);
    // Not OpenRouter's address (here the stand-in's; a user's own forecast service alike): the message says which.
    await expect(c.structured(req)).rejects.toThrow(`the service at ${server.baseURL} refused the key`);
  });

  it('stops at its budget', async () => {
    const c = client({ budgetUsd: 1e-9 });
    await c.structured(req);
    await expect(c.structured(req)).rejects.toThrow(BudgetError);
  });

  it('is cancelled by its signal, also while waiting to retry', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(client().structured(req, ac.signal)).rejects.toThrow(CancelledError);
    server.inject({ kind: 'rate-limit', retryAfterS: 30 });
    const late = new AbortController();
    const real = new OpenRouterClient({ apiKey: KEY, baseURL: server.baseURL });
    const pending = real.structured(req, late.signal);
    setTimeout(() => late.abort(), 100);
    await expect(pending).rejects.toThrow(CancelledError);
  });

  it('refuses a schema strict mode cannot take, before any request', () => {
    expect(() => strictJsonSchema(z.object({ a: z.string().optional() }))).toThrow(/use .nullable\(\)/);
    expect(strictJsonSchema(z.object({ a: z.string() }))).toMatchObject({ additionalProperties: false });
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('3')).toBe(3000);
    expect(retryAfterMs(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('the concurrency limit', () => {
  it('never lets more than its limit run at once', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 20 }, () =>
        limiter.run(async () => {
          peak = Math.max(peak, ++active);
          await new Promise((r) => setTimeout(r, 5));
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
  });
});

describe('the stand-in is as strict as OpenRouter', () => {
  it('refuses a non-strict schema and ignores the format without require_parameters', async () => {
    const base = { model: 'm', messages: [{ role: 'user', content: 'x' }] };
    const post = (body: unknown): Promise<Response> =>
      fetch(`${server.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const loose = await post({
      ...base,
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'x', strict: true, schema: { type: 'object', properties: { a: { type: 'string' } } } },
      },
    });
    expect(loose.status).toBe(400);
    const bodies = [];
    for (let k = 0; k < 3; k++) {
      const r = await post({
        ...base,
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'x', strict: true, schema: strictJsonSchema(Answer) },
        },
      });
      bodies.push(((await r.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content);
    }
    expect(bodies.some((b) => b.startsWith('Here is what I found'))).toBe(true);
  });
});
