// OpenRouter's OpenAI-compatible chat completions, through the `openai` package with `baseURL`, as the
// data agents need them: structured outputs from a zod schema (`json_schema`, strict, with
// `provider.require_parameters` so no provider that ignores the format is chosen), the web-search server
// tool with its `url_citation` annotations, retries with backoff that honour `Retry-After`, a
// concurrency limit shared by every call of a run, cancellation by AbortSignal, and `usage.cost`
// summed. Pure: no `vscode`, so the CLI, the extension and the tests use the same client. The `openai` package
// loads on the first call (the build ships it as dist/openai.js, like the Modal SDK): activating the extension
// never parses it.
import type OpenAI from 'openai';
import { z } from 'zod';

export const OPENROUTER_BASE_URL = 'https://openrouter.ai/api/v1';

export interface ClientOptions {
  apiKey: string;
  baseURL?: string;
  /** Calls in flight at once, over the whole run. */
  concurrency?: number;
  /** Retries of one call after the first attempt. */
  maxRetries?: number;
  /** Give up on one attempt after this long (a hung connection), then retry. */
  timeoutMs?: number;
  /** First backoff; doubles per retry, with jitter, capped at maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After honoured; a longer wait fails the call instead of stalling the run. */
  maxRetryAfterMs?: number;
  /** Stop (BudgetError) once the summed cost reaches this many USD. */
  budgetUsd?: number;
  /** Waits (tests pass a fast clock). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  log?: (line: string) => void;
}

export interface Citation {
  url: string;
  title: string;
  content: string;
}

export interface StructuredRequest<T> {
  model: string;
  system: string;
  user: string;
  /** A zod object schema; every field required (strict mode: use `.nullable()` for optional ones). */
  schema: z.ZodType<T>;
  schemaName: string;
  /** Use the web-search server tool, with at most this many results. */
  webSearch?: { maxResults: number };
  maxTokens?: number;
  temperature?: number;
}

export interface StructuredResult<T> {
  value: T;
  citations: Citation[];
  costUsd: number;
  attempts: number;
}

/** The answer could not be used (schema, truncation, not JSON) after every retry. */
export class AnswerError extends Error {
  override readonly name = 'AnswerError';
}

/** The service refused for good: auth, credits without Retry-After, a bad request. */
export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
  }
}

/** The run's budget is spent. */
export class BudgetError extends Error {
  override readonly name = 'BudgetError';
}

/** Cancelled through the AbortSignal. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
}

export interface ClientStats {
  calls: number;
  attempts: number;
  retries: number;
  /** Retries by cause: 429, 5xx, 402, timeout, network, answer. */
  retriesBy: Record<string, number>;
  costUsd: number;
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new CancelledError('cancelled'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new CancelledError('cancelled'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A counting semaphore: at most `limit` holders at once, served in arrival order. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * A zod schema as the JSON Schema strict structured outputs accept: draft-07 shape, no `$schema`,
 * every object closed with all its properties required (zod's optional fields are refused here, at
 * the source, rather than by the provider at run time).
 */
export function strictJsonSchema(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { target: 'draft-7', io: 'output' }) as Record<string, unknown>;
  delete json.$schema;
  const check = (s: unknown, at: string): void => {
    if (typeof s !== 'object' || s === null) return;
    const o = s as Record<string, unknown>;
    if (o.type === 'object') {
      const props = Object.keys((o.properties ?? {}) as object);
      const required = new Set((o.required ?? []) as string[]);
      const missing = props.filter((p) => !required.has(p));
      if (missing.length > 0)
        throw new Error(
          `${at}: strict structured outputs need every property required (${missing.join(', ')} optional): use .nullable()`,
        );
      o.additionalProperties = false;
    }
    for (const [k, v] of Object.entries(o)) {
      if (Array.isArray(v)) v.forEach((x, i) => check(x, `${at}/${k}/${i}`));
      else if (typeof v === 'object') check(v, `${at}/${k}`);
    }
  };
  check(json, '#');
  return json;
}

function header(headers: unknown, name: string): string | null {
  if (headers && typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  return null;
}

/** Retry-After as milliseconds (seconds or an HTTP date), or undefined. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface RawCompletion {
  choices?: { finish_reason?: string | null; message?: { content?: string | null; annotations?: unknown[] } }[];
  usage?: { cost?: number };
  error?: { code?: number; message?: string };
}

type OpenAISdk = typeof OpenAI;

let sdk: Promise<OpenAISdk> | undefined;

function loadOpenAI(): Promise<OpenAISdk> {
  sdk ??= import('openai').then(
    (m) => m.default,
    (err: unknown) => {
      sdk = undefined;
      throw err;
    },
  );
  return sdk;
}

export class OpenRouterClient {
  private openai: { sdk: OpenAISdk; client: OpenAI } | undefined;
  private readonly limiter: Limiter;
  private readonly sleep: NonNullable<ClientOptions['sleep']>;
  readonly stats: ClientStats = { calls: 0, attempts: 0, retries: 0, retriesBy: {}, costUsd: 0 };

  constructor(readonly options: ClientOptions) {
    this.limiter = new Limiter(Math.max(1, options.concurrency ?? 4));
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** The SDK and its client, made on the first call. */
  private async connection(): Promise<{ sdk: OpenAISdk; client: OpenAI }> {
    if (this.openai) return this.openai;
    const sdk = await loadOpenAI();
    // The SDK's own retries are off: they would not count, cap or log the waits, nor retry answers.
    const client = new sdk({
      apiKey: this.options.apiKey,
      baseURL: this.options.baseURL ?? OPENROUTER_BASE_URL,
      maxRetries: 0,
      timeout: this.options.timeoutMs ?? 120_000,
      defaultHeaders: { 'X-Title': 'PsychoHistory' },
    });
    this.openai = { sdk, client };
    return this.openai;
  }

  private retried(cause: string): void {
    this.stats.retries++;
    this.stats.retriesBy[cause] = (this.stats.retriesBy[cause] ?? 0) + 1;
  }

  private backoff(attempt: number): number {
    const base = this.options.backoffMs ?? 1000;
    const cap = this.options.maxBackoffMs ?? 30_000;
    return Math.min(cap, base * 2 ** attempt) * (0.5 + Math.random() / 2);
  }

  /** One structured call: retried until it gives a valid answer, or fails with a reason a person can act on. */
  async structured<T>(req: StructuredRequest<T>, signal?: AbortSignal): Promise<StructuredResult<T>> {
    const jsonSchema = strictJsonSchema(req.schema);
    this.stats.calls++;
    const { sdk: api, client } = await this.connection();
    return this.limiter.run(async () => {
      const maxRetries = this.options.maxRetries ?? 6;
      let lastProblem = '';
      let cost = 0;
      for (let attempt = 0; ; attempt++) {
        if (signal?.aborted) throw new CancelledError('cancelled');
        const budget = this.options.budgetUsd;
        if (budget !== undefined && this.stats.costUsd >= budget) {
          throw new BudgetError(
            `the run's budget of $${budget.toFixed(2)} is spent ($${this.stats.costUsd.toFixed(4)})`,
          );
        }
        this.stats.attempts++;
        let wait: number | undefined;
        let cause = '';
        try {
          const body = {
            model: req.model,
            messages: [
              { role: 'system' as const, content: req.system },
              { role: 'user' as const, content: req.user },
            ],
            response_format: {
              type: 'json_schema' as const,
              json_schema: { name: req.schemaName, strict: true, schema: jsonSchema },
            },
            max_tokens: req.maxTokens ?? 4000,
            temperature: req.temperature ?? 0.2,
            // OpenRouter's extensions ride along in the body: only providers that honour json_schema,
            // the web-search server tool.
            provider: { require_parameters: true },
            ...(req.webSearch
              ? { tools: [{ type: 'openrouter:web_search', parameters: { max_results: req.webSearch.maxResults } }] }
              : {}),
          };
          const completion = (await client.chat.completions.create(
            body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming,
            { signal },
          )) as unknown as RawCompletion;
          const usd =
            typeof completion.usage?.cost === 'number' && Number.isFinite(completion.usage.cost)
              ? completion.usage.cost
              : 0;
          cost += usd;
          this.stats.costUsd += usd;
          const parsed = this.parse(completion, req.schema);
          if (parsed.ok)
            return { value: parsed.value, citations: parsed.citations, costUsd: cost, attempts: attempt + 1 };
          lastProblem = parsed.problem;
          cause = parsed.cause;
        } catch (err) {
          if (signal?.aborted) throw new CancelledError('cancelled');
          if (err instanceof api.APIConnectionTimeoutError) {
            cause = 'timeout';
            lastProblem = `no answer within ${((this.options.timeoutMs ?? 120_000) / 1000).toFixed(0)} s`;
          } else if (err instanceof api.APIError && err.status !== undefined) {
            const status = err.status;
            const message = messageOf(err, api);
            const after = retryAfterMs(header(err.headers, 'retry-after'));
            if (status === 429 || status >= 500 || status === 408) {
              cause = status === 429 ? '429' : status === 408 ? 'timeout' : '5xx';
              wait = after;
              lastProblem = `HTTP ${status}: ${message}`;
            } else if (status === 402 && after !== undefined) {
              cause = '402';
              wait = after;
              lastProblem = `HTTP 402: ${message}`;
            } else if (status === 402) {
              throw new BudgetError(
                `OpenRouter says the credits are spent (HTTP 402: ${message}): add credits, then run again to resume`,
              );
            } else if (status === 401 || status === 403) {
              // Pointed at another OpenAI-compatible service (the forecast service, a proxy): say which one.
              const base = this.options.baseURL ?? OPENROUTER_BASE_URL;
              const who = base === OPENROUTER_BASE_URL ? 'OpenRouter' : `the service at ${base}`;
              throw new ServiceError(
                `${who} refused the key (HTTP ${status}: ${message}): run "PsychoHistory: Set OpenRouter Key" with its key (or set OPENROUTER_API_KEY)`,
                status,
              );
            } else {
              throw new ServiceError(`OpenRouter refused the request (HTTP ${status}: ${message})`, status);
            }
          } else if (err instanceof api.APIConnectionError || err instanceof SyntaxError) {
            cause = err instanceof SyntaxError ? 'malformed' : 'network';
            lastProblem =
              err instanceof SyntaxError
                ? `the response was not JSON (${err.message})`
                : `cannot reach ${this.options.baseURL ?? OPENROUTER_BASE_URL} (${messageOf(err, api)})`;
          } else {
            throw err;
          }
        }
        if (attempt >= maxRetries) {
          const what = cause === 'answer' ? AnswerError : ServiceError;
          throw new what(`gave up after ${attempt + 1} attempts: ${lastProblem}`, undefined);
        }
        const maxAfter = this.options.maxRetryAfterMs ?? 120_000;
        if (wait !== undefined && wait > maxAfter) {
          throw new ServiceError(
            `OpenRouter asks to wait ${(wait / 1000).toFixed(0)} s (${lastProblem}), longer than ${(maxAfter / 1000).toFixed(0)} s: run again later to resume`,
            undefined,
          );
        }
        this.retried(cause);
        const delay = wait ?? this.backoff(attempt);
        this.options.log?.(`retry ${attempt + 1}/${maxRetries} in ${(delay / 1000).toFixed(1)} s: ${lastProblem}`);
        await this.sleep(delay, signal);
      }
    });
  }

  private parse<T>(
    completion: RawCompletion,
    schema: z.ZodType<T>,
  ): { ok: true; value: T; citations: Citation[] } | { ok: false; problem: string; cause: string } {
    if (completion.error)
      return {
        ok: false,
        problem: `provider error in the answer: ${completion.error.message ?? 'unknown'} (${String(completion.error.code ?? '?')})`,
        cause: '5xx',
      };
    const choice = completion.choices?.[0];
    const content = choice?.message?.content;
    if (typeof content !== 'string')
      return { ok: false, problem: 'the answer has no message content', cause: 'answer' };
    if (choice?.finish_reason === 'length')
      return { ok: false, problem: 'the answer was cut off at the token limit', cause: 'answer' };
    let json: unknown;
    try {
      json = JSON.parse(content);
    } catch {
      return { ok: false, problem: `the answer is not JSON: ${JSON.stringify(content.slice(0, 80))}`, cause: 'answer' };
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        problem: `the answer breaks the schema at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}`,
        cause: 'answer',
      };
    }
    return { ok: true, value: parsed.data, citations: citationsOf(choice?.message?.annotations) };
  }
}

function messageOf(err: unknown, sdk: OpenAISdk): string {
  if (err instanceof sdk.APIError) {
    const body = err.error as { message?: string } | undefined;
    return body?.message ?? err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

/** The `url_citation` annotations of an answer (OpenRouter's chat shape), de-duplicated by URL. */
export function citationsOf(annotations: unknown[] | undefined): Citation[] {
  const out = new Map<string, Citation>();
  for (const a of annotations ?? []) {
    if (typeof a !== 'object' || a === null) continue;
    const rec = a as { type?: string; url_citation?: { url?: unknown; title?: unknown; content?: unknown } };
    const c = rec.type === 'url_citation' ? rec.url_citation : undefined;
    if (!c || typeof c.url !== 'string' || out.has(c.url)) continue;
    out.set(c.url, {
      url: c.url,
      title: typeof c.title === 'string' ? c.title : '',
      content: typeof c.content === 'string' ? c.content : '',
    });
  }
  return [...out.values()];
}
