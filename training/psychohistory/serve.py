"""The forecast service (GUIDE contract 5): one FastAPI app that serves a base model plus adapter(s).

  POST /v1/forecast   {seed: {event, date}, depth, breadth, model?} -> a contract-4 tree + {id, model, cached}
  POST /v1/outcomes   {id, depth, event}                            -> what happened, and whether the tree had it
  GET  /v1/forecasts  the newest forecasts with their outcomes so far (?open=true: only those awaiting one)
  GET  /v1/track      per model version: forecasts, resolved, Brier, skill, ECE, match rate, cumulative per day
  POST /v1/chat/completions  OpenAI's chat shape, so the data agents can use the served model as theirs
  GET  /healthz       the model versions held, queue depth (no auth)
  GET  /metrics       Prometheus text: requests, latencies, cache hits, 429s, batches (no auth)

Trees come from generate.grow_trees, the generate job's tree code: one worker thread owns the models and grows every
tree waiting (up to `max_batch`) together, level by level, one batched sampling call per level — so concurrent
requests share forward passes. Requests pass, in order: the body size limit (413), the bearer token (401), the
token's bucket (429 + Retry-After), JSON parsing (400), the contract-5 JSON Schema exported from zod and the
service's own limits (422); then the cache (memory, then the database: identical normalised seed, date, depth,
breadth and model version within `cache_ttl_s`), then the model queue (429 when `max_queue` trees wait; 504 after
`timeout_s`). Every forecast and outcome is written to SQLite (servestore.py) before it is answered.

Chat completions pass the same checks and queue: the messages in the chat template of arm A (or the `model` asked),
greedy at temperature 0, at most `max_chat_tokens`, no constrained decoding (a `response_format` is ignored, like
any field OpenAI's shape does not need here), not recorded.

Local: python -m psychohistory serve --adapter=runs/sft/adapter --port=8000 (tokens in PSYCHOHISTORY_TOKENS or
--tokens_file). On Modal the same `create_app` runs behind @modal.asgi_app (modal_app.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import hashlib
import hmac
import json
import logging
import math
import os
import queue
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from fastapi import FastAPI, Request  # module level: FastAPI resolves the endpoints' annotations here
from fastapi.responses import JSONResponse, PlainTextResponse

from . import metrics, schemas
from .config import ServeConfig, make_config
from .events import now_iso
from .servestore import Conflict, NotFound, Store, iso, resolved_levels

log = logging.getLogger("psychohistory.serve")


class ApiError(Exception):
    def __init__(self, status: int, reason: str, headers: dict | None = None):
        super().__init__(reason)
        self.status, self.reason, self.headers = status, reason, headers or {}


# ---- models -------------------------------------------------------------------------------------------------------


@dataclass
class Arm:
    version: str  # model version: base, or base+adapter@digest of the adapter's files
    adapter: str  # adapter dir ("" = bare base)
    model: object = None
    tokenizer: object = None


def model_version(base_model: str, adapter: str) -> str:
    if not adapter:
        return base_model
    h = hashlib.sha256()
    for f in sorted(Path(adapter).iterdir()):
        if f.is_file() and (f.suffix in (".safetensors", ".bin") or f.name == "adapter_config.json"):
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return f"{base_model}+{Path(adapter).resolve().name}@{h.hexdigest()[:8]}"


def load_arms(cfg: ServeConfig) -> list[Arm]:
    """Arm A (cfg.adapter, or the bare base), and arm B when cfg.adapter_b is set ("base" = the bare base)."""
    import torch

    from . import fastpath, modeling

    if cfg.cpu_threads and not torch.cuda.is_available():
        torch.set_num_threads(cfg.cpu_threads)  # measured: tiny on 2 busy cores, 1 thread ~15x faster than 2
    arms = [Arm(model_version(cfg.base_model, cfg.adapter), cfg.adapter)]
    if cfg.adapter_b:
        b = "" if cfg.adapter_b == "base" else cfg.adapter_b
        arms.append(Arm(model_version(cfg.base_model, b), b))
        if arms[1].version == arms[0].version:
            raise ValueError(f"adapter_b={cfg.adapter_b!r} is the same model as arm A ({arms[0].version})")
    fastpath.check(cfg.fast_forward)
    for arm in arms:
        arm.model, arm.tokenizer = modeling.load(
            cfg.base_model, arm.adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit
        )
        fastpath.enable(arm.model, cfg.fast_forward)
    return arms


# ---- batching -----------------------------------------------------------------------------------------------------


class QueueFull(Exception):
    pass


class Batcher:
    """One worker thread owns the models; it takes every tree waiting (up to max_batch, after waiting batch_wait_ms
    for company), groups them by arm and grows each group in one grow_trees call."""

    def __init__(self, cfg: ServeConfig, arms: list[Arm], stats: "Stats"):
        self.cfg, self.arms, self.stats = cfg, {a.version: a for a in arms}, stats
        self.q: queue.Queue = queue.Queue()
        self.waiting = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._loop, name="forecast-batcher", daemon=True)
        self.thread.start()

    def submit(self, version: str, spec) -> concurrent.futures.Future:
        """Queue a TreeSpec to grow, or a callable fn(arm) to run on the worker (the model is the worker's only)."""
        with self.lock:
            if self.waiting >= self.cfg.max_queue:
                raise QueueFull(f"{self.waiting} forecasts are waiting for the model (max_queue)")
            self.waiting += 1
        fut: concurrent.futures.Future = concurrent.futures.Future()
        self.q.put((version, spec, fut))
        return fut

    def stop(self):
        self.q.put(None)
        self.thread.join(timeout=30)

    def _loop(self):
        import torch
        from .generate import grow_trees

        torch.manual_seed(self.cfg.seed)
        while True:
            item = self.q.get()
            if item is None:
                return
            batch = [item]
            deadline = time.monotonic() + self.cfg.batch_wait_ms / 1000
            while len(batch) < self.cfg.max_batch:
                try:
                    nxt = self.q.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    break
                if nxt is None:
                    self.q.put(None)
                    break
                batch.append(nxt)
            live = [b for b in batch if b[2].set_running_or_notify_cancel()]
            for version, fn, f in [b for b in live if callable(b[1])]:
                try:
                    f.set_result(fn(self.arms[version]))
                except Exception as e:
                    f.set_exception(e)
            live = [b for b in live if not callable(b[1])]
            for version in {v for v, _, _ in live}:
                group = [(s, f) for v, s, f in live if v == version]
                arm = self.arms[version]
                try:
                    grow_trees(
                        arm.model,
                        arm.tokenizer,
                        [s for s, _ in group],
                        self.cfg.num_samples,
                        self.cfg.temperature,
                        self.cfg.max_new_tokens,
                    )
                    self.stats.batch(len(group))
                    for s, f in group:
                        f.set_result(s.children)
                except Exception as e:  # a failed batch fails its requests (500), not the service
                    log.exception("batch of %d failed", len(group))
                    for _, f in group:
                        f.set_exception(e)
            with self.lock:
                self.waiting -= len(batch)


# ---- rate limits --------------------------------------------------------------------------------------------------


class TokenBuckets:
    """A bucket of `burst` requests per bearer token, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.state: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until the bucket holds one request again."""
        now = time.monotonic()
        with self.lock:
            level, then = self.state.get(key, (float(self.burst), now))
            level = min(float(self.burst), level + (now - then) * self.rate)
            if level >= 1.0:
                self.state[key] = (level - 1.0, now)
                return 0.0
            self.state[key] = (level, now)
            return (1.0 - level) / self.rate if self.rate > 0 else 3600.0


def load_tokens(cfg: ServeConfig) -> list[str]:
    text = Path(cfg.tokens_file).read_text() if cfg.tokens_file else os.environ.get("PSYCHOHISTORY_TOKENS", "")
    return [t.strip() for t in text.replace(",", "\n").splitlines() if t.strip()]


# ---- monitoring ---------------------------------------------------------------------------------------------------

MEMORY_CACHE_MAX = 10_000  # trees held in memory; the database holds every one
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
ROUTES = ("/v1/forecast", "/v1/forecasts", "/v1/outcomes", "/v1/track", "/v1/chat/completions", "/healthz", "/metrics")


class Stats:
    """In-process counters, exported as Prometheus text by GET /metrics."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: dict[tuple[str, str, int], int] = {}
        self.latency: dict[str, list] = {}  # path -> [bucket counts..., sum, count]
        self.cache = {"hit": 0, "miss": 0}
        self.rate_limited = 0
        self.forecasts: dict[str, int] = {}
        self.batches = 0
        self.batched_trees = 0

    def request(self, method: str, path: str, status: int, seconds: float):
        path = path if path in ROUTES else "other"
        with self.lock:
            k = (method, path, status)
            self.requests[k] = self.requests.get(k, 0) + 1
            h = self.latency.setdefault(path, [0] * len(BUCKETS) + [0.0, 0])
            for i, b in enumerate(BUCKETS):
                if seconds <= b:
                    h[i] += 1
            h[-2] += seconds
            h[-1] += 1
            if status == 429:
                self.rate_limited += 1

    def cache_result(self, hit: bool, version: str):
        with self.lock:
            self.cache["hit" if hit else "miss"] += 1
            if not hit:
                self.forecasts[version] = self.forecasts.get(version, 0) + 1

    def batch(self, n: int):
        with self.lock:
            self.batches += 1
            self.batched_trees += n

    def prometheus(self, queue_depth: int, db: dict) -> str:
        p = "psychohistory_"
        with self.lock:
            out = [
                f"# HELP {p}requests_total HTTP requests by method, path and status.",
                f"# TYPE {p}requests_total counter",
            ]
            out += [
                f'{p}requests_total{{method="{m}",path="{path}",status="{s}"}} {n}'
                for (m, path, s), n in sorted(self.requests.items())
            ]
            out += [f"# HELP {p}request_seconds Request latency.", f"# TYPE {p}request_seconds histogram"]
            for path, h in sorted(self.latency.items()):
                out += [f'{p}request_seconds_bucket{{path="{path}",le="{b}"}} {h[i]}' for i, b in enumerate(BUCKETS)]
                out += [
                    f'{p}request_seconds_bucket{{path="{path}",le="+Inf"}} {h[-1]}',
                    f'{p}request_seconds_sum{{path="{path}"}} {h[-2]:.6f}',
                    f'{p}request_seconds_count{{path="{path}"}} {h[-1]}',
                ]
            total = self.cache["hit"] + self.cache["miss"]
            out += [
                f"# TYPE {p}cache_hits_total counter",
                f"{p}cache_hits_total {self.cache['hit']}",
                f"# TYPE {p}cache_misses_total counter",
                f"{p}cache_misses_total {self.cache['miss']}",
                f"# HELP {p}cache_hit_ratio Share of forecast answers served from the cache.",
                f"# TYPE {p}cache_hit_ratio gauge",
                f"{p}cache_hit_ratio {self.cache['hit'] / total if total else 0}",
                f"# HELP {p}rate_limited_total Requests answered 429 (token bucket or full queue).",
                f"# TYPE {p}rate_limited_total counter",
                f"{p}rate_limited_total {self.rate_limited}",
                f"# TYPE {p}forecasts_computed_total counter",
            ]
            out += [f'{p}forecasts_computed_total{{model="{v}"}} {n}' for v, n in sorted(self.forecasts.items())]
            out += [
                f"# TYPE {p}batches_total counter",
                f"{p}batches_total {self.batches}",
                f"# HELP {p}batched_trees_total Trees grown, summed over batches (÷ batches = mean batch).",
                f"# TYPE {p}batched_trees_total counter",
                f"{p}batched_trees_total {self.batched_trees}",
                f"# TYPE {p}queue_depth gauge",
                f"{p}queue_depth {queue_depth}",
                f"# TYPE {p}db_forecasts gauge",
                f"{p}db_forecasts {db['forecasts']}",
                f"# TYPE {p}db_outcomes gauge",
                f"{p}db_outcomes {db['outcomes']}",
            ]
        return "\n".join(out) + "\n"


# ---- request checks -----------------------------------------------------------------------------------------------


class BodyLimit:
    """ASGI middleware: bodies over `max_bytes` are answered 413 before the app sees them (Content-Length or
    counted as they arrive). The rest of an oversized body is read and dropped, up to a cap, so the client gets the
    answer instead of a reset connection."""

    DRAIN_CAP = 64 * 2**20

    def __init__(self, app, max_bytes: int):
        self.app, self.max = app, max_bytes

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max):
            return await self._refuse(receive, send, int(length) if length.isdigit() else 0)
        seen = 0
        started = False

        async def counted():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.max:
                    raise _TooLarge()
            return msg

        async def tracked_send(msg):
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(receive, send, seen)

    async def _refuse(self, receive, send, seen: int):
        drained = seen
        while drained < self.DRAIN_CAP:
            msg = await receive()
            if msg["type"] != "http.request":
                break
            drained += len(msg.get("body", b""))
            if not msg.get("more_body"):
                break
        body = json.dumps({"error": f"request body over {self.max} bytes (max_body_bytes)"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def parse_json(raw: bytes):
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ApiError(400, f"malformed JSON: {e}") from None


def parse_body(raw: bytes, schema: str) -> dict:
    body = parse_json(raw)
    errs = schemas.errors(schema, body)
    if errs:
        raise ApiError(422, "; ".join(errs))
    return body


def check_forecast(body: dict, cfg: ServeConfig):
    seed = body["seed"]
    if not seed["event"].strip():
        raise ApiError(422, "seed/event: empty")
    try:
        date.fromisoformat(seed["date"])
    except ValueError:
        raise ApiError(422, f"seed/date: {seed['date']!r} is not a real calendar date") from None
    if body["depth"] > cfg.max_depth:
        raise ApiError(422, f"depth: {body['depth']} is over this service's max_depth {cfg.max_depth}")
    if body["breadth"] > cfg.max_breadth:
        raise ApiError(422, f"breadth: {body['breadth']} is over this service's max_breadth {cfg.max_breadth}")


def check_chat(body, cfg: ServeConfig) -> tuple[list[dict], int, float]:
    """(messages, max tokens, temperature) of a chat completion request; fields not named here are ignored."""
    if not isinstance(body, dict):
        raise ApiError(422, "(top level): not an object")
    msgs = body.get("messages")
    roles = ("system", "developer", "user", "assistant")
    if not isinstance(msgs, list) or not msgs:
        raise ApiError(422, "messages: a non-empty list of {role, content} is required")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in roles or not isinstance(m.get("content"), str):
            raise ApiError(422, f"messages/{i}: needs role ({', '.join(roles)}) and text content")
    if body.get("stream"):
        raise ApiError(422, "stream: not supported here; ask without streaming")
    n = next((body[k] for k in ("max_completion_tokens", "max_tokens") if body.get(k) is not None), cfg.max_chat_tokens)
    t = 0 if body.get("temperature") is None else body["temperature"]  # null is absent, as in OpenAI's API
    if type(n) is not int or n < 1:
        raise ApiError(422, f"max_tokens: {n!r} is not a positive whole number")
    if type(t) not in (int, float) or not 0 <= t <= 2:
        raise ApiError(422, f"temperature: {t!r} is not a number from 0 to 2")
    return [{"role": m["role"], "content": m["content"]} for m in msgs], min(n, cfg.max_chat_tokens), float(t)


def complete_chat(arm: Arm, messages: list[dict], max_tokens: int, temperature: float) -> dict:
    """One completion, on the worker: its text, prompt and completion tokens, and whether the token limit cut it."""
    import torch

    from .prompts import render_chat

    tok = arm.tokenizer
    ids = tok(render_chat(tok, messages), add_special_tokens=False, return_tensors="pt").input_ids
    ids = ids.to(next(arm.model.parameters()).device)
    sample = dict(do_sample=True, temperature=temperature) if temperature > 0 else dict(do_sample=False)
    with torch.no_grad():
        out = arm.model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_tokens,
            pad_token_id=tok.pad_token_id,
            eos_token_id=tok.eos_token_id,
            **sample,
        )
    new = out[0, ids.shape[1] :].tolist()
    cut = len(new) >= max_tokens and new[-1] != tok.eos_token_id
    text = tok.decode(new, skip_special_tokens=True).strip()
    return {"content": text, "prompt": ids.shape[1], "completion": len(new), "length": cut}


def request_key(body: dict, version: str | None) -> str:
    """The cache key: normalised seed event, date, depth, breadth, and (once routed) the model version."""
    parts = [metrics.normalize(body["seed"]["event"]), body["seed"]["date"], body["depth"], body["breadth"], version]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def route(body: dict, arms: list[Arm], b_share: float) -> Arm:
    """The asked model version, else A/B by a hash of the request (the same request always gets the same arm)."""
    if "model" in body:
        for arm in arms:
            if arm.version == body["model"]:
                return arm
        raise ApiError(
            422, f"model: {body['model']!r} is not served here; served: {', '.join(a.version for a in arms)}"
        )
    if len(arms) == 1:
        return arms[0]
    u = int(request_key(body, None)[:8], 16) / 2**32
    return arms[1] if u < b_share else arms[0]


# ---- the app ------------------------------------------------------------------------------------------------------


def create_app(cfg: ServeConfig, arms: list[Arm] | None = None, tokens: list[str] | None = None):
    tokens = load_tokens(cfg) if tokens is None else tokens
    if not tokens:
        raise ValueError("no bearer tokens: set PSYCHOHISTORY_TOKENS (comma list) or --tokens_file=PATH")
    if not 0.0 <= cfg.b_share <= 1.0:
        raise ValueError(f"b_share={cfg.b_share}: use a share between 0 and 1")
    arms = arms if arms is not None else load_arms(cfg)
    store = Store(cfg.db)
    stats = Stats()
    batcher = Batcher(cfg, arms, stats)
    buckets = TokenBuckets(cfg.rate, cfg.burst)
    memory: dict[str, tuple[float, str, dict]] = {}  # cache key -> (expires, id, tree)
    inflight: dict[str, asyncio.Future] = {}  # cache key -> the computation identical requests await

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        batcher.stop()
        store.close()

    app = FastAPI(
        title="PsychoHistory forecast service", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.cfg, app.state.store, app.state.stats, app.state.batcher = cfg, store, stats, batcher
    app.state.arms = arms

    def auth(request: Request) -> str:
        header = request.headers.get("authorization", "")
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer" or not given:
            raise ApiError(401, "missing bearer token (Authorization: Bearer <token>)", {"WWW-Authenticate": "Bearer"})
        ok = [t for t in tokens if hmac.compare_digest(t.encode(), given.strip().encode())]
        if not ok:
            raise ApiError(401, "wrong bearer token", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        wait = buckets.take(hashlib.sha256(ok[0].encode()).hexdigest())
        if wait:
            raise ApiError(
                429,
                f"rate limit: {cfg.burst} requests at once, {cfg.rate}/s after that",
                {"Retry-After": str(max(1, math.ceil(wait)))},
            )
        return ok[0]

    @app.exception_handler(ApiError)
    async def api_error(request: Request, e: ApiError):
        return JSONResponse({"error": e.reason}, status_code=e.status, headers=e.headers)

    @app.middleware("http")
    async def measure(request: Request, call_next):
        t0 = time.perf_counter()
        try:
            response = await call_next(request)
        except Exception:
            stats.request(request.method, request.url.path, 500, time.perf_counter() - t0)
            raise
        stats.request(request.method, request.url.path, response.status_code, time.perf_counter() - t0)
        return response

    def busy(e: QueueFull) -> ApiError:
        return ApiError(429, str(e), {"Retry-After": str(max(1, math.ceil(cfg.timeout_s / 10)))})

    def answer(fid: str, tree: dict, version: str, cached: bool) -> dict:
        return {**tree, "id": fid, "model": version, "cached": cached}

    def remember(key: str, expires: float, fid: str, tree: dict):
        """The memory half of the cache, bounded: expired entries go first, then the oldest (the database keeps
        everything, so an evicted entry is still a cache hit, one query away)."""
        if len(memory) >= MEMORY_CACHE_MAX:
            now = time.time()
            for k in [k for k, v in memory.items() if v[0] <= now]:
                del memory[k]
            while len(memory) >= MEMORY_CACHE_MAX:
                del memory[next(iter(memory))]
        memory[key] = (expires, fid, tree)

    def from_cache(key: str, version: str) -> dict | None:
        if cfg.cache_ttl_s <= 0:
            return None
        hit = memory.get(key)
        if hit and hit[0] > time.time():
            store.hit(hit[1])
            return answer(hit[1], hit[2], version, True)
        found = store.cached(key, cfg.cache_ttl_s)  # after a restart the database still has it
        if found:
            fid, tree, created = found
            remember(key, created + cfg.cache_ttl_s, fid, tree)
            return answer(fid, tree, version, True)
        return None

    @app.post("/v1/forecast")
    async def forecast(request: Request):
        auth(request)
        body = parse_body(await request.body(), "forecast-request")
        check_forecast(body, cfg)
        arm = route(body, arms, cfg.b_share)
        key = request_key(body, arm.version)
        cached = from_cache(key, arm.version)
        if cached:
            stats.cache_result(True, arm.version)
            return cached
        if key in inflight:  # an identical request is being computed: share its answer
            fid, tree = await asyncio.shield(inflight[key])
            stats.cache_result(True, arm.version)
            return answer(fid, tree, arm.version, True)
        from .generate import TreeSpec

        spec = TreeSpec(
            case={"seed": body["seed"], "levels": []}, depth=body["depth"], breadth=body["breadth"], expand="all"
        )
        try:
            fut = batcher.submit(arm.version, spec)
        except QueueFull as e:
            raise busy(e) from None
        shared = asyncio.get_running_loop().create_future()
        inflight[key] = shared
        try:
            try:
                children = await asyncio.wait_for(asyncio.wrap_future(fut), cfg.timeout_s)
            except asyncio.TimeoutError:
                raise ApiError(504, f"forecast not computed within timeout_s={cfg.timeout_s}") from None
            tree = {"seed": body["seed"], "model": arm.version, "createdAt": now_iso(), "children": children}
            fid = uuid.uuid4().hex
            store.add_forecast(fid, key, arm.version, body, tree)  # recorded before it is answered
            if cfg.cache_ttl_s > 0:
                remember(key, time.time() + cfg.cache_ttl_s, fid, tree)
            shared.set_result((fid, tree))
        except BaseException as e:
            shared.set_exception(e if isinstance(e, Exception) else ApiError(503, "cancelled"))
            shared.exception()  # retrieved: no "never retrieved" warning when nobody shared it
            raise
        finally:
            inflight.pop(key, None)
        stats.cache_result(False, arm.version)
        return answer(fid, tree, arm.version, False)

    @app.post("/v1/outcomes", status_code=201)
    async def outcomes(request: Request):
        auth(request)
        body = parse_body(await request.body(), "outcome-request")
        try:
            recorded = store.add_outcome(body["id"], body["depth"], body["event"].strip())
        except NotFound as e:
            raise ApiError(404, str(e)) from None
        except Conflict as e:
            raise ApiError(409, str(e)) from None
        f = store.forecast(body["id"])
        level = resolved_levels(f["tree"], store.outcomes_of(body["id"]))[body["depth"]]
        ppl = await live_perplexity(f, body["depth"], body["event"].strip(), level["earlier"])
        return {
            "id": body["id"],
            "depth": body["depth"],
            "event": body["event"].strip(),
            "model": f["model"],
            "recordedAt": iso(recorded),
            "inForecast": level["inForecast"],
            "perplexity": ppl,
        }

    async def live_perplexity(f: dict, depth: int, event: str, earlier: list[str]) -> float | None:
        """The outcome's perplexity under the model that made the forecast (teacher-forced, evaluation's
        actual_nll), stored with the outcome; None when that model is not served here or is too busy."""
        if f["model"] not in {a.version for a in arms}:
            return None
        from . import prompts
        from .evaluate import actual_nll

        user = prompts.generation_user_from(prompts.context_from(f["tree"]["seed"], earlier), depth)
        try:
            fut = batcher.submit(f["model"], lambda arm: actual_nll(arm.model, arm.tokenizer, [user], [event])[0])
            nll, ntok = await asyncio.wait_for(asyncio.wrap_future(fut), cfg.timeout_s)
        except (QueueFull, asyncio.TimeoutError):
            return None  # the outcome is recorded; only its perplexity is missing
        store.set_nll(f["id"], depth, nll, ntok)
        return math.exp(min(700.0, nll / ntok))

    @app.post("/v1/chat/completions")
    async def chat(request: Request):
        auth(request)
        body = parse_json(await request.body())
        messages, max_tokens, temperature = check_chat(body, cfg)
        arm = next((a for a in arms if a.version == body.get("model")), arms[0])
        try:
            fut = batcher.submit(arm.version, lambda a: complete_chat(a, messages, max_tokens, temperature))
            r = await asyncio.wait_for(asyncio.wrap_future(fut), cfg.timeout_s)
        except QueueFull as e:
            raise busy(e) from None
        except asyncio.TimeoutError:
            raise ApiError(504, f"completion not computed within timeout_s={cfg.timeout_s}") from None
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": arm.version,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": r["content"]},
                    "finish_reason": "length" if r["length"] else "stop",
                }
            ],
            "usage": {
                "prompt_tokens": r["prompt"],
                "completion_tokens": r["completion"],
                "total_tokens": r["prompt"] + r["completion"],
                "cost": 0,
            },
        }

    @app.get("/v1/track")
    async def track(request: Request):
        auth(request)
        return store.track()

    @app.get("/v1/forecasts")
    async def forecasts(request: Request):
        auth(request)
        q = request.query_params
        unknown = set(q) - {"open", "limit"}
        if unknown:
            raise ApiError(422, f"unknown query parameter(s): {', '.join(sorted(unknown))} (known: open, limit)")
        if q.get("open", "true") not in ("true", "false"):
            raise ApiError(422, f"open: {q['open']!r} is not true or false")
        limit = q.get("limit", "200")
        if not limit.isdigit() or not 1 <= int(limit) <= 1000:
            raise ApiError(422, f"limit: {limit!r} is not a whole number from 1 to 1000")
        return store.listing(q.get("open", "true") == "true", int(limit))

    @app.get("/healthz")
    async def healthz():
        return {
            "ok": True,
            "models": [a.version for a in arms],
            "bShare": cfg.b_share if len(arms) > 1 else 0.0,
            "queue": batcher.waiting,
            **store.counts(),
        }

    @app.get("/metrics")
    async def prometheus():
        return PlainTextResponse(
            stats.prometheus(batcher.waiting, store.counts()), media_type="text/plain; version=0.0.4"
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, e: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return JSONResponse({"error": f"internal error: {type(e).__name__}"}, status_code=500)

    return BodyLimit(app, cfg.max_body_bytes)


def main(overrides: dict) -> int:
    """python -m psychohistory serve: load, bind, print the address, serve until SIGINT/SIGTERM."""
    import socket

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = make_config("serve", overrides)
    try:
        app = create_app(cfg)
    except (ValueError, FileNotFoundError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    # proto named: asyncio sets TCP_NODELAY only on sockets that say IPPROTO_TCP (without it every answer on a
    # kept-alive connection waited ~40 ms for a delayed ACK)
    sock = socket.socket(socket.AF_INET6 if ":" in cfg.host else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((cfg.host, cfg.port))
    sock.listen(2048)  # listening before the address is printed: a client that reads it can connect at once
    host, port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_keep_alive=5, lifespan="on"))
    print(f"serving {', '.join(a.version for a in app.app.state.arms)} on http://{host}:{port}", flush=True)
    server.run(sockets=[sock])
    return 0
