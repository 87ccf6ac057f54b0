// HTTP client of the forecast service (GUIDE contract 5; training/psychohistory/serve.py). Every answer
// is parsed with the contract's zod schema, so a service that drifted from the contract is an error
// here, not a blank view. Every failure becomes a ServiceError whose message says what happened and
// whose `action` names the way out the editor offers as a button (and the tests check).
import type { z } from 'zod';
import {
  ForecastListSchema,
  ForecastResponseSchema,
  HealthSchema,
  OutcomeResponseSchema,
  TrackResponseSchema,
  type ForecastList,
  type ForecastRequest,
  type ForecastResponse,
  type Health,
  type OutcomeRequest,
  type OutcomeResponse,
  type TrackResponse,
} from '../contracts/service';

export type ServiceErrorKind =
  | 'no-service' // no URL configured and no local service running
  | 'unreachable' // connection refused, DNS, reset
  | 'timeout' // no answer within the client's timeout
  | 'auth' // 401
  | 'too-large' // 413
  | 'rate-limited' // 429 (token bucket or full queue)
  | 'refused' // 400 / 422: the request broke a rule; the reason says which
  | 'not-found' // 404
  | 'conflict' // 409
  | 'server' // 5xx (504: the service's own timeout)
  | 'bad-answer'; // not JSON, or not the contract

/** What the editor offers next to the message. */
export type ServiceAction =
  'setToken' | 'setProxyToken' | 'startLocalService' | 'openSettings' | 'retry' | 'showServiceLog';

export class ServiceError extends Error {
  constructor(
    message: string,
    readonly kind: ServiceErrorKind,
    readonly action?: ServiceAction,
    readonly status?: number,
    /** Seconds the service asked to wait (429's Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ClientOptions {
  /** Base URL, e.g. http://127.0.0.1:8000 (a trailing slash is fine). */
  url: string;
  /** Bearer token; undefined sends none (the service answers 401, which the error explains). */
  token: string | undefined;
  /** Per request, milliseconds; a forecast on a busy CPU takes seconds. */
  timeoutMs: number;
  /** A Modal Proxy Auth Token (Modal-Key / Modal-Secret headers) for a deployed service behind requires_proxy_auth. */
  proxyAuth?: { key: string; secret: string };
  /** Whether this URL is the service this editor started (then a failure points at its log). */
  local?: boolean;
  fetch?: typeof fetch;
}

export class ForecastClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly o: ClientOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.fetchImpl = o.fetch ?? fetch;
  }

  get url(): string {
    return this.base;
  }

  health(): Promise<Health> {
    return this.call('GET', '/healthz', undefined, HealthSchema);
  }

  forecast(req: ForecastRequest): Promise<ForecastResponse> {
    return this.call('POST', '/v1/forecast', req, ForecastResponseSchema);
  }

  /** Forecasts newest first; `open` (default) keeps those still awaiting an outcome. */
  forecasts(open = true, limit = 200): Promise<ForecastList> {
    return this.call('GET', `/v1/forecasts?open=${open}&limit=${limit}`, undefined, ForecastListSchema);
  }

  recordOutcome(req: OutcomeRequest): Promise<OutcomeResponse> {
    return this.call('POST', '/v1/outcomes', req, OutcomeResponseSchema);
  }

  track(): Promise<TrackResponse> {
    return this.call('GET', '/v1/track', undefined, TrackResponseSchema);
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: S,
  ): Promise<z.infer<S>> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.o.token) headers.Authorization = `Bearer ${this.o.token}`;
    if (this.o.proxyAuth) {
      headers['Modal-Key'] = this.o.proxyAuth.key;
      headers['Modal-Secret'] = this.o.proxyAuth.secret;
    }
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
    } catch (err) {
      throw this.transportError(err);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.transportError(err);
    }
    if (!res.ok) throw this.statusError(res, text);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ServiceError(
        `${this.base}${path} answered ${res.status} with something that is not JSON (${snippet(text)}) — is ${this.base} the PsychoHistory forecast service?`,
        'bad-answer',
        'openSettings',
        res.status,
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join('/') : '(top level)';
      throw new ServiceError(
        `${this.base}${path} answered outside contract 5: ${where}: ${issue?.message ?? 'invalid'} — is the service older or newer than this extension?`,
        'bad-answer',
        undefined,
        res.status,
      );
    }
    return parsed.data as z.infer<S>;
  }

  private transportError(err: unknown): ServiceError {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new ServiceError(
        `No answer from the forecast service at ${this.base} within ${Math.round(this.o.timeoutMs / 1000)} s (psychohistory.service.timeoutSeconds). A forecast on a CPU can take long; try again or ask for a smaller tree.`,
        'timeout',
        'retry',
      );
    }
    const code = e?.cause?.code ?? e?.message ?? String(err);
    return new ServiceError(
      `Cannot reach the forecast service at ${this.base} (${code}). ${this.o.local ? 'The local service may have stopped: see its output.' : 'Start one with "Start Local Forecast Service", or check psychohistory.service.url.'}`,
      'unreachable',
      this.o.local ? 'showServiceLog' : 'startLocalService',
    );
  }

  private statusError(res: Response, text: string): ServiceError {
    const reason = errorReason(text);
    const s = res.status;
    // Modal's proxy answers before the service does, in text: "modal-http: missing credentials for proxy authorization".
    if (s === 401 && /proxy authori[sz]ation/i.test(reason)) {
      return new ServiceError(
        `Modal's proxy in front of ${this.base} refused the request (401: ${reason}). Set the workspace's Proxy Auth Token (wk-… / ws-…) with "Set Modal Proxy Auth Token".`,
        'auth',
        'setProxyToken',
        s,
      );
    }
    if (s === 401)
      return new ServiceError(
        `The forecast service at ${this.base} refused the token (401: ${reason}). Set it with "Set Forecast Service Token".`,
        'auth',
        'setToken',
        s,
      );
    if (s === 413)
      return new ServiceError(
        `The request is larger than the forecast service accepts (413: ${reason}). Shorten the seed text.`,
        'too-large',
        undefined,
        s,
      );
    if (s === 429) {
      const after = retryAfter(res.headers.get('retry-after'));
      const wait = after !== undefined ? `Try again in ${after} s` : 'Try again shortly';
      return new ServiceError(
        `The forecast service is busy or this token is over its rate limit (429: ${reason}). ${wait}.`,
        'rate-limited',
        'retry',
        s,
        after,
      );
    }
    if (s === 400 || s === 422)
      return new ServiceError(`The forecast service refused the request (${s}): ${reason}`, 'refused', undefined, s);
    if (s === 404)
      return new ServiceError(`Not found on the forecast service (404): ${reason}`, 'not-found', undefined, s);
    if (s === 409)
      return new ServiceError(`The forecast service already has that (409): ${reason}`, 'conflict', undefined, s);
    if (s >= 500) {
      const what = s === 504 ? 'did not finish in time' : 'failed';
      return new ServiceError(
        `The forecast service ${what} (${s}: ${reason}). ${this.o.local ? 'Its output has the cause.' : 'Try again; if it persists, look at the service log.'}`,
        'server',
        this.o.local ? 'showServiceLog' : 'retry',
        s,
      );
    }
    return new ServiceError(`The forecast service answered ${s}: ${reason}`, 'bad-answer', undefined, s);
  }
}

/** `{"error": reason}` as the service answers, else the start of whatever came back. */
function errorReason(text: string): string {
  try {
    const j = JSON.parse(text) as unknown;
    if (j && typeof j === 'object' && 'error' in j && typeof j.error === 'string') return j.error;
    if (j && typeof j === 'object' && 'detail' in j) return JSON.stringify(j.detail).slice(0, 300);
  } catch {
    // not JSON: show the text
  }
  return snippet(text) || 'no reason given';
}

function snippet(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 120 ? `${t.slice(0, 120)}…` : t;
}

/** Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110). */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
