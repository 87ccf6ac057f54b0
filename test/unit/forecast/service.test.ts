// The forecast feature's core against the real service: `python -m psychohistory serve` on the tiny
// base, started by LocalService (the class Start Local Forecast Service uses) on loopback, spoken to
// by ForecastClient. What the real service cannot be made to do on demand (a 500, an answer outside
// the contract, silence) comes from a small HTTP server at the same boundary. Needs training/.venv.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ForecastClient, ServiceError } from '../../../src/forecast/client';
import { LocalService, serveArgs, type Running } from '../../../src/forecast/localService';
import { levelCandidates, nextOpenDepth } from '../../../src/forecast/predictions';

const training = path.join(__dirname, '../../../training');
const python = path.join(training, '.venv', 'bin', 'python');
const hasService = fs.existsSync(python) && fs.existsSync(path.join(training, 'psychohistory', 'serve.py'));
const FAST = ['--num_samples=4', '--max_new_tokens=6', '--max_depth=3', '--max_breadth=3'];

async function expectServiceError(
  p: Promise<unknown>,
  kind: ServiceError['kind'],
  action: ServiceError['action'] | undefined,
  text: RegExp,
): Promise<ServiceError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ServiceError);
  const e = err as ServiceError;
  expect({ kind: e.kind, action: e.action }).toEqual({ kind, action });
  expect(e.message).toMatch(text);
  return e;
}

describe.skipIf(!hasService)('forecast client and local service against the real service (tiny base, loopback)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-forecast-'));
  const main = new LocalService();
  const strict = new LocalService();
  let served: Running;
  let limited: Running;
  let out = '';
  const strictExits: string[] = [];
  let client: ForecastClient;

  beforeAll(async () => {
    const start = (svc: LocalService, db: string, extra: string[]) =>
      svc.start({
        python,
        cwd: training,
        args: serveArgs({ baseModel: 'tiny', adapter: '', db: path.join(dir, db), extra: [...FAST, ...extra] }),
        output: (t) => (out += t),
        readyTimeoutMs: 240_000,
        onUnexpectedExit: (how) => strictExits.push(how),
      });
    [served, limited] = await Promise.all([
      start(main, 'main.db', ['--burst=1000', '--rate=1000']),
      start(strict, 'strict.db', ['--burst=2', '--rate=0.05']),
    ]);
    client = new ForecastClient({ url: served.url, token: served.token, timeoutMs: 120_000, local: true });
  }, 300_000);

  afterAll(() => {
    main.stop(1000);
    strict.stop(1000);
  });

  it('starts the service, waits for /healthz and knows its model version', async () => {
    expect(served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(served.models).toEqual(['tiny']);
    expect(main.running?.url).toBe(served.url);
    const health = await client.health();
    expect(health).toMatchObject({ ok: true, models: ['tiny'], bShare: 0 });
  });

  it('forecasts, lists the forecast as open, records outcomes level by level, and track scores them', async () => {
    const f = await client.forecast({
      seed: { event: 'Port workers strike', date: '2023-03-01' },
      depth: 2,
      breadth: 2,
    });
    expect(f.cached).toBe(false);
    expect(f.children.length).toBeGreaterThan(0);
    const again = await client.forecast({
      seed: { event: '  port WORKERS strike!', date: '2023-03-01' },
      depth: 2,
      breadth: 2,
    });
    expect(again).toMatchObject({ id: f.id, cached: true });

    let item = (await client.forecasts()).forecasts.find((x) => x.id === f.id)!;
    expect(item).toMatchObject({ open: true, outcomes: [], request: { depth: 2, breadth: 2 } });
    expect(nextOpenDepth(item)).toBe(1);
    const first = levelCandidates(item, 1);
    expect(first.map((n) => n.event).sort()).toEqual(f.children.map((n) => n.event).sort());

    const r = await client.recordOutcome({ id: f.id, depth: 1, event: first[0]!.event });
    expect(r).toMatchObject({ id: f.id, depth: 1, inForecast: true, model: 'tiny' });
    expect(r.perplexity).toBeGreaterThan(1);
    item = (await client.forecasts()).forecasts.find((x) => x.id === f.id)!;
    const deepest = Math.max(...f.children.map((n) => (n.children.length ? 2 : 1)));
    if (deepest === 2) {
      expect(nextOpenDepth(item)).toBe(2);
      // depth 2 offers the children of the node whose outcome was recorded
      expect(
        levelCandidates(item, 2)
          .map((n) => n.event)
          .sort(),
      ).toEqual(first[0]!.children.map((n) => n.event).sort());
      await client.recordOutcome({ id: f.id, depth: 2, event: 'Something nobody forecast' });
      expect((await client.forecasts()).forecasts.some((x) => x.id === f.id)).toBe(false);
      expect((await client.forecasts(false)).forecasts.find((x) => x.id === f.id)?.open).toBe(false);
    }
    const track = await client.track();
    const tiny = track.models.find((m) => m.model === 'tiny')!;
    expect(tiny.resolved).toBeGreaterThanOrEqual(1);
    expect(tiny.brier).not.toBeNull();
    expect(tiny.series.at(-1)?.resolved).toBe(tiny.resolved);
  });

  it('says what went wrong, with the way out: 401, 413, 422, 404, 409', async () => {
    const wrong = new ForecastClient({ url: served.url, token: 'not-the-token', timeoutMs: 30_000 });
    await expectServiceError(
      wrong.track(),
      'auth',
      'setToken',
      /refused the token \(401: wrong bearer token\).*Set Forecast Service Token/,
    );
    const none = new ForecastClient({ url: served.url, token: undefined, timeoutMs: 30_000 });
    await expectServiceError(none.forecasts(), 'auth', 'setToken', /401: missing bearer token/);
    await expectServiceError(
      client.forecast({ seed: { event: 'x'.repeat(20_000), date: '2023-01-01' }, depth: 1, breadth: 1 }),
      'too-large',
      undefined,
      /413: request body over 16384 bytes/,
    );
    await expectServiceError(
      client.forecast({ seed: { event: 'Rates rise', date: '2023-02-30' }, depth: 1, breadth: 1 }),
      'refused',
      undefined,
      /\(422\): seed\/date: '2023-02-30' is not a real calendar date/,
    );
    await expectServiceError(
      client.forecast({ seed: { event: 'Rates rise', date: '2023-02-01' }, depth: 4, breadth: 1 }),
      'refused',
      undefined,
      /max_depth 3/,
    );
    await expectServiceError(
      client.recordOutcome({ id: 'no-such-forecast', depth: 1, event: 'x' }),
      'not-found',
      undefined,
      /404\): no forecast with id 'no-such-forecast'/,
    );
    const f = await client.forecast({
      seed: { event: 'Drought in the south', date: '2022-07-01' },
      depth: 1,
      breadth: 2,
    });
    await client.recordOutcome({ id: f.id, depth: 1, event: 'Crops fail' });
    await expectServiceError(
      client.recordOutcome({ id: f.id, depth: 1, event: 'Crops fail' }),
      'conflict',
      undefined,
      /409\): forecast .* already has an outcome at depth 1/,
    );
  });

  it('a token over its rate limit gets 429 with the Retry-After seconds', async () => {
    const c = new ForecastClient({ url: limited.url, token: limited.token, timeoutMs: 30_000 });
    await c.track();
    await c.track();
    const e = await expectServiceError(
      c.track(),
      'rate-limited',
      'retry',
      /429: rate limit: 2 requests at once.*Try again in \d+ s/,
    );
    expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Stop (as on deactivate): the process ends and the port closes; not reported as a crash.
    strict.stop(5000);
    expect(strict.running).toBeUndefined();
    await expect
      .poll(
        () =>
          c.health().then(
            () => 'up',
            (err: ServiceError) => err.kind,
          ),
        { timeout: 15_000 },
      )
      .toBe('unreachable');
    expect(strictExits).toEqual([]);
  });

  it('a service that dies is reported, and then unreachable with the error pointing at its output', async () => {
    const svc = new LocalService();
    let exited: (how: string) => void = () => undefined;
    const died = new Promise<string>((r) => (exited = r));
    const r = await svc.start({
      python,
      cwd: training,
      args: serveArgs({ baseModel: 'tiny', adapter: '', db: path.join(dir, 'stop.db'), extra: FAST }),
      output: () => undefined,
      readyTimeoutMs: 240_000,
      onUnexpectedExit: (how) => exited(how),
    });
    process.kill(r.pid, 'SIGKILL'); // as the OOM killer would
    expect(await died).toBe('SIGKILL');
    expect(svc.running).toBeUndefined();
    const c = new ForecastClient({ url: r.url, token: r.token, timeoutMs: 5_000, local: true });
    await expectServiceError(
      c.health(),
      'unreachable',
      'showServiceLog',
      /Cannot reach the forecast service at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  }, 300_000);

  it('a service that cannot start rejects with the reason from its output', async () => {
    const svc = new LocalService();
    const lines: string[] = [];
    const started = svc.start({
      python,
      cwd: training,
      args: serveArgs({ baseModel: 'tiny', adapter: '', db: path.join(dir, 'bad.db'), extra: ['--no_such_option=1'] }),
      output: (t) => lines.push(t),
      readyTimeoutMs: 60_000,
    });
    await expect(started).rejects.toThrow(/exited \(code 2\) before it was ready[\s\S]*no_such_option/);
    expect(svc.running).toBeUndefined();
  });
});

describe('forecast client against a misbehaving server at the same boundary', () => {
  let server: http.Server;
  let url = '';
  let reply: (res: http.ServerResponse) => void = (res) => res.end();

  beforeAll(async () => {
    server = http.createServer((_req, res) => reply(res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const json =
    (status: number, body: unknown, headers: Record<string, string> = {}) =>
    (res: http.ServerResponse) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };

  it('5xx: the reason, and retry (remote) or the service output (local)', async () => {
    reply = json(500, { error: 'internal error: RuntimeError' });
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'server',
      'retry',
      /failed \(500: internal error: RuntimeError\)/,
    );
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000, local: true }).track(),
      'server',
      'showServiceLog',
      /Its output has the cause/,
    );
    reply = json(504, { error: 'forecast not computed within timeout_s=120' });
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).forecasts(),
      'server',
      'retry',
      /did not finish in time \(504: forecast not computed/,
    );
    reply = (res) => {
      res.writeHead(502, { 'Content-Type': 'text/html' });
      res.end('<html><body>Bad gateway</body></html>');
    };
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'server',
      'retry',
      /502: <html><body>Bad gateway/,
    );
  });

  it('429 with an HTTP-date Retry-After, and without one', async () => {
    reply = json(
      429,
      { error: '64 forecasts are waiting for the model (max_queue)' },
      { 'Retry-After': new Date(Date.now() + 30_000).toUTCString() },
    );
    const e = await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'rate-limited',
      'retry',
      /max_queue\)\)\. Try again in \d+ s/,
    );
    expect(e.retryAfterSeconds).toBeGreaterThan(20);
    reply = json(429, { error: 'busy' });
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'rate-limited',
      'retry',
      /Try again shortly/,
    );
  });

  it('an answer that is not JSON, or not the contract, is a bad answer naming the field', async () => {
    reply = (res) => res.end('hello');
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'bad-answer',
      'openSettings',
      /not JSON \(hello\).*is http:\/\/127\.0\.0\.1:\d+ the PsychoHistory forecast service/,
    );
    reply = json(200, { models: [{ model: 'm', forecasts: 'three' }] });
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 5000 }).track(),
      'bad-answer',
      undefined,
      /outside contract 5: models\/0\/forecasts/,
    );
  });

  it('silence past the timeout is a timeout with retry', async () => {
    reply = () => undefined; // never answers
    await expectServiceError(
      new ForecastClient({ url, token: 't', timeoutMs: 300 }).health(),
      'timeout',
      'retry',
      /No answer from the forecast service at .* within 0 s/,
    );
  });
});

describe('forecast client behind Modal proxy auth', () => {
  it('sends the Proxy Auth Token as Modal-Key / Modal-Secret, and a proxy 401 points at it', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.headers);
      if (req.headers['modal-key'] !== 'wk-1' || req.headers['modal-secret'] !== 'ws-1') {
        res.writeHead(401, { 'Content-Type': 'text/plain' });
        res.end('modal-http: missing credentials for proxy authorization');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, models: ['m'], bShare: 0, queue: 0, forecasts: 0, outcomes: 0 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await expectServiceError(
        new ForecastClient({ url, token: 't', timeoutMs: 5000 }).health(),
        'auth',
        'setProxyToken',
        /Modal's proxy .* refused the request \(401: modal-http: missing credentials for proxy authorization\).*Set Modal Proxy Auth Token/,
      );
      const ok = await new ForecastClient({
        url,
        token: 't',
        proxyAuth: { key: 'wk-1', secret: 'ws-1' },
        timeoutMs: 5000,
      }).health();
      expect(ok.models).toEqual(['m']);
      expect(seen.at(-1)).toMatchObject({ authorization: 'Bearer t', 'modal-key': 'wk-1', 'modal-secret': 'ws-1' });
    } finally {
      server.close();
    }
  });
});
