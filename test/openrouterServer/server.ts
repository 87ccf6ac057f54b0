// A local stand-in for OpenRouter's chat completions API (POST /api/v1/chat/completions), for the
// data agents' tests and benchmark. It speaks the protocol as OpenRouter documents it and is as
// unkind as the real service:
// - Bearer auth (401 `{error: {code, message}}` on a wrong key); the error body OpenRouter sends,
//   `{error: {code, message, metadata?}}`, with the HTTP status equal to `code`;
// - structured outputs: `response_format: {type: "json_schema", json_schema: {name, strict, schema}}`.
//   A strict schema must be one providers accept (every object `additionalProperties: false` with
//   every property required): else 400. Without `provider.require_parameters: true` the request may
//   be routed to a provider that ignores response_format — the stand-in then answers in prose, as
//   such a provider does;
// - the web-search server tool `tools: [{type: "openrouter:web_search", parameters?: {max_results}}]`:
//   the answer carries `annotations: [{type: "url_citation", url_citation: {url, title, content,
//   start_index, end_index}}]` for the pages the "model" cites, and costs more;
// - `usage: {prompt_tokens, completion_tokens, total_tokens, cost}` on every answer;
// - faults a test injects, in order or at random: 429 with `Retry-After`, 5xx, 402 (out of credits,
//   with or without Retry-After), a request that hangs until the client gives up, a body that is
//   not JSON, a 200 whose body is an error (a provider failing mid-generation), an answer that
//   breaks the schema, an answer cut off at the token limit (`finish_reason: "length"`).
// What the "model" says is a function the test gives (`respond`): it sees the request and returns
// the JSON content and the pages it cites.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { rng } from '../shared/rng';

export interface Citation {
  url: string;
  title: string;
  content?: string;
}

/** What the scripted model answers: the message content (an object for json_schema requests) and what it cites. */
export interface ModelAnswer {
  content: unknown;
  citations?: Citation[];
}

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name: string; strict?: boolean; schema: Record<string, unknown> } };
  provider?: { require_parameters?: boolean };
  tools?: { type: string; parameters?: { max_results?: number } }[];
  [key: string]: unknown;
}

export type Fault =
  | { kind: 'rate-limit'; retryAfterS?: number }
  | { kind: 'server-error'; status?: 500 | 502 | 503 }
  | { kind: 'credits'; retryAfterS?: number }
  | { kind: 'hang' }
  | { kind: 'malformed-body' }
  | { kind: 'error-in-200' }
  | { kind: 'schema-break' }
  | { kind: 'truncated' };

export interface RandomFaults {
  /** Probability per request of each fault kind; the rest answer normally. */
  rates: Partial<Record<Fault['kind'], number>>;
  /** Seed of the deterministic generator, so a benchmark run can be repeated. */
  seed: number;
  retryAfterS?: number;
}

export interface RecordedRequest {
  body: ChatRequest;
  authorization: string | undefined;
  /** What the stand-in did with it. */
  outcome: Fault['kind'] | 'answered' | 'rejected';
}

export interface StandInOptions {
  apiKey?: string;
  respond: (req: ChatRequest) => ModelAnswer | Promise<ModelAnswer>;
  /** USD per 1k tokens (prompt and completion alike), and per web search call. */
  pricePer1kTokens?: number;
  pricePerSearch?: number;
}

/** Why a schema is not one strict structured outputs accept, or undefined. */
export function strictSchemaProblem(schema: unknown, at = '#'): string | undefined {
  if (typeof schema !== 'object' || schema === null) return undefined;
  const s = schema as Record<string, unknown>;
  if (s.type === 'object' || s.properties !== undefined) {
    if (s.additionalProperties !== false)
      return `${at}: strict mode needs "additionalProperties": false on every object`;
    const props = (s.properties ?? {}) as Record<string, unknown>;
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    for (const k of Object.keys(props)) {
      if (!required.has(k))
        return `${at}/properties/${k}: strict mode needs every property in "required" (use a nullable type for an optional one)`;
      const p = strictSchemaProblem(props[k], `${at}/properties/${k}`);
      if (p) return p;
    }
  }
  for (const key of ['items', 'anyOf', 'oneOf', 'allOf'] as const) {
    const v = s[key];
    const list = Array.isArray(v) ? v : v !== undefined ? [v] : [];
    for (let k = 0; k < list.length; k++) {
      const p = strictSchemaProblem(list[k], `${at}/${key}${Array.isArray(v) ? `/${k}` : ''}`);
      if (p) return p;
    }
  }
  return undefined;
}

export class OpenRouterStandIn {
  readonly requests: RecordedRequest[] = [];
  private readonly server: http.Server;
  private readonly queue: Fault[] = [];
  private random: { faults: RandomFaults; next: () => number } | undefined;
  private hanging = new Set<http.ServerResponse>();
  private counter = 0;
  /** Total USD the stand-in billed (what the client's summed `usage.cost` must equal). */
  billedUsd = 0;

  constructor(private readonly options: StandInOptions) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.baseURL;
  }

  /** The base URL an OpenAI-compatible client takes (like `https://openrouter.ai/api/v1`). */
  get baseURL(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}/api/v1`;
  }

  /** Faults for the next requests, in order (each used once). */
  inject(...faults: Fault[]): void {
    this.queue.push(...faults);
  }

  /** Faults drawn at random for every request after the queue is empty. */
  randomFaults(faults: RandomFaults | undefined): void {
    this.random = faults ? { faults, next: rng(faults.seed) } : undefined;
  }

  count(outcome: RecordedRequest['outcome']): number {
    return this.requests.filter((r) => r.outcome === outcome).length;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private nextFault(): Fault | undefined {
    const queued = this.queue.shift();
    if (queued) return queued;
    if (!this.random) return undefined;
    let x = this.random.next();
    for (const [kind, rate] of Object.entries(this.random.faults.rates) as [Fault['kind'], number][]) {
      if (x < rate) {
        const retryAfterS = this.random.faults.retryAfterS;
        if (kind === 'rate-limit' || kind === 'credits')
          return { kind, ...(retryAfterS !== undefined ? { retryAfterS } : {}) } as Fault;
        if (kind === 'server-error')
          return { kind, status: ([500, 502, 503] as const)[Math.floor(this.random.next() * 3)] };
        return { kind } as Fault;
      }
      x -= rate;
    }
    return undefined;
  }

  private send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  private error(
    res: http.ServerResponse,
    status: number,
    message: string,
    headers: Record<string, string> = {},
    metadata?: Record<string, unknown>,
  ): void {
    this.send(res, status, { error: { code: status, message, ...(metadata ? { metadata } : {}) } }, headers);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url !== '/api/v1/chat/completions') {
      this.error(res, 404, `no route ${req.method ?? ''} ${req.url ?? ''}`);
      return;
    }
    let body: ChatRequest;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ChatRequest;
    } catch {
      this.error(res, 400, 'request body is not JSON');
      return;
    }
    const record: RecordedRequest = { body, authorization: req.headers.authorization, outcome: 'rejected' };
    this.requests.push(record);
    if (this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      this.error(res, 401, 'No auth credentials found');
      return;
    }
    if (typeof body.model !== 'string' || !Array.isArray(body.messages) || body.messages.length === 0) {
      this.error(res, 400, 'model and a non-empty messages array are required');
      return;
    }
    const rf = body.response_format;
    if (rf?.type === 'json_schema') {
      if (!rf.json_schema || typeof rf.json_schema.name !== 'string' || typeof rf.json_schema.schema !== 'object') {
        this.error(res, 400, 'response_format.json_schema needs name and schema');
        return;
      }
      const problem = rf.json_schema.strict ? strictSchemaProblem(rf.json_schema.schema) : undefined;
      if (problem) {
        this.error(res, 400, `Invalid schema for response_format '${rf.json_schema.name}': ${problem}`);
        return;
      }
    }

    const fault = this.nextFault();
    if (fault) record.outcome = fault.kind;
    switch (fault?.kind) {
      case 'rate-limit':
        this.error(
          res,
          429,
          'Rate limit exceeded: too many requests',
          fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {},
        );
        return;
      case 'server-error':
        this.error(
          res,
          fault.status ?? 502,
          fault.status === 503 ? 'No available provider meets your routing requirements' : 'Provider returned error',
        );
        return;
      case 'credits':
        this.error(
          res,
          402,
          'Insufficient credits. Add more using https://openrouter.ai/credits',
          fault.retryAfterS !== undefined ? { 'retry-after': String(fault.retryAfterS) } : {},
          { limit_source: 'openrouter_credits' },
        );
        return;
      case 'hang':
        // Never answers: the client's timeout must give up and retry.
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      case 'malformed-body':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "gen-broken", "choices": [{"message": {"content": "{\\"se');
        return;
      case 'error-in-200':
        this.send(res, 200, {
          id: `gen-${++this.counter}`,
          object: 'chat.completion',
          error: { code: 502, message: 'Upstream provider failed during generation' },
        });
        return;
      default:
        break;
    }

    const answer = await this.options.respond(body);
    const search = body.tools?.find((t) => t.type === 'openrouter:web_search');
    const maxResults = search?.parameters?.max_results ?? 5;
    const citations = search ? (answer.citations ?? []).slice(0, maxResults) : [];
    let content = typeof answer.content === 'string' ? answer.content : JSON.stringify(answer.content);
    const ignoresFormat =
      rf?.type === 'json_schema' && body.provider?.require_parameters !== true && this.counter % 3 === 0;
    if (ignoresFormat) content = `Here is what I found: ${content.slice(0, 80)}`;
    let finish = 'stop';
    if (fault?.kind === 'schema-break')
      content = JSON.stringify({ unexpected: true, note: 'the model wandered off the schema' });
    if (fault?.kind === 'truncated') {
      content = content.slice(0, Math.max(1, Math.floor(content.length / 2)));
      finish = 'length';
    }
    const promptTokens = Math.ceil(JSON.stringify(body.messages).length / 4);
    const completionTokens = Math.ceil(content.length / 4);
    const price = this.options.pricePer1kTokens ?? 0.0006;
    const cost = Number(
      (
        ((promptTokens + completionTokens) / 1000) * price +
        (search ? (this.options.pricePerSearch ?? 0.004) * Math.max(1, citations.length / 5) : 0)
      ).toFixed(8),
    );
    this.billedUsd += cost;
    const annotations = citations.map((c) => {
      const start = Math.max(0, content.indexOf(c.url));
      return {
        type: 'url_citation',
        url_citation: {
          url: c.url,
          title: c.title,
          content: c.content ?? '',
          start_index: start,
          end_index: start + c.url.length,
        },
      };
    });
    if (!fault) record.outcome = 'answered';
    this.send(res, 200, {
      id: `gen-${++this.counter}`,
      provider: 'StandIn',
      model: body.model,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      choices: [
        {
          index: 0,
          finish_reason: finish,
          native_finish_reason: finish,
          message: { role: 'assistant', content, refusal: null, ...(annotations.length > 0 ? { annotations } : {}) },
        },
      ],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        cost,
        is_byok: false,
      },
    });
  }
}
