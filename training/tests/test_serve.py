"""The forecast service (contract 5) over real HTTP on loopback: `python -m psychohistory serve` in a child process on
the tiny base model, spoken to with httpx. Covers the tree, the cache (and that a restart keeps it), auth, rate
limits, bad input, outcomes, track, metrics, batching and A/B routing; plus the pure pieces in-process."""

import concurrent.futures
import json
import math
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from psychohistory import schemas, servestore
from psychohistory.serve import TokenBuckets, request_key

TRAINING = Path(__file__).resolve().parents[1]
TOKEN, OTHER = "test-token-1", "test-token-2"
FAST = ["--num_samples=4", "--max_new_tokens=6", "--max_depth=3", "--max_breadth=3"]


class Server:
    def __init__(self, db: Path, *args: str):
        env = {**os.environ, "PSYCHOHISTORY_TOKENS": f"{TOKEN},{OTHER}", "TOKENIZERS_PARALLELISM": "false"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "psychohistory", "serve", "--port=0", f"--db={db}", *FAST, *args],
            cwd=TRAINING,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines = []
        deadline = time.time() + 240
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"serving (.*) on (http://\S+)", line)
            if m:
                self.url, self.models = m.group(2), m.group(1).split(", ")
                self.log = lines
                threading.Thread(target=lambda: lines.extend(self.proc.stdout), daemon=True).start()  # keep draining
                break
        else:
            self.proc.kill()
        assert hasattr(self, "url"), "".join(lines)
        self.client = httpx.Client(base_url=self.url, timeout=120, headers={"Authorization": f"Bearer {TOKEN}"})

    def post(self, path, body=None, **kw):
        return self.client.post(path, json=body, **kw) if body is not None else self.client.post(path, **kw)

    def stop(self):
        self.client.close()
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def seed_body(event="Tech layoffs", date="2023-01-15", depth=2, breadth=2, **extra):
    return {"seed": {"event": event, "date": date}, "depth": depth, "breadth": breadth, **extra}


def tree_shape(nodes, depth=1):
    """(deepest level, widest node) of a tree."""
    if not nodes:
        return depth - 1, 0
    sub = [tree_shape(n["children"], depth + 1) for n in nodes]
    return max(d for d, _ in sub), max([len(nodes)] + [w for _, w in sub])


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    db = tmp_path_factory.mktemp("serve") / "serve.db"
    s = Server(db, "--burst=1000", "--rate=1000")
    yield s, db
    if s.proc.poll() is None:
        s.stop()


def test_forecast_is_a_contract_4_tree_and_identical_requests_are_cached(served):
    s, _ = served
    t0 = time.perf_counter()
    r = s.post("/v1/forecast", seed_body(depth=3, breadth=2))
    computed = time.perf_counter() - t0
    assert r.status_code == 200, r.text
    body = r.json()
    assert schemas.errors("forecast-response", body) == []
    assert schemas.errors("forecast-tree", {k: body[k] for k in ("seed", "model", "createdAt", "children")}) == []
    assert body["cached"] is False and body["model"] == s.models[0]
    depth, width = tree_shape(body["children"])
    assert 1 <= depth <= 3 and 1 <= width <= 2
    assert all(0 <= n["probability"] <= 1 for n in body["children"])
    # the same seed after normalisation (case, spacing, punctuation): the cached answer, same id
    t0 = time.perf_counter()
    again = s.post("/v1/forecast", seed_body(event="  tech LAYOFFS! ", depth=3, breadth=2)).json()
    assert again["cached"] is True and again["id"] == body["id"] and again["children"] == body["children"]
    assert time.perf_counter() - t0 < computed
    # another date, depth or breadth is another forecast
    for other in (seed_body(depth=3, breadth=2, date="2023-01-16"), seed_body(depth=2, breadth=2)):
        assert s.post("/v1/forecast", other).json()["cached"] is False


def test_bad_input_is_a_4xx_with_a_reason_and_the_service_keeps_serving(served):
    s, db = served
    before = s.client.get("/healthz").json()
    ok = seed_body()
    cases = [
        ("malformed JSON", dict(content=b'{"seed": {', headers={"Content-Type": "application/json"}), 400, "malformed"),
        ("unknown field", dict(json={**ok, "temperature": 2}), 422, "temperature"),
        ("unknown seed field", dict(json={**ok, "seed": {**ok["seed"], "where": "x"}}), 422, "where"),
        ("impossible date", dict(json=seed_body(date="2023-02-30")), 422, "calendar"),
        ("date format", dict(json=seed_body(date="15/01/2023")), 422, "date"),
        ("depth 1000", dict(json=seed_body(depth=1000)), 422, "depth"),
        ("depth over max_depth", dict(json=seed_body(depth=4)), 422, "max_depth"),
        ("breadth 0", dict(json=seed_body(breadth=0)), 422, "breadth"),
        ("empty event", dict(json=seed_body(event="   ")), 422, "event"),
        ("unknown model", dict(json=seed_body(model="gpt-9")), 422, "not served"),
        ("not an object", dict(json=[1, 2]), 422, "object"),
        (
            "10 MB body",
            dict(content=b"x" * 10_000_000, headers={"Content-Type": "application/json"}),
            413,
            "max_body_bytes",
        ),
    ]
    for name, kw, status, reason in cases:
        r = s.client.post("/v1/forecast", **kw)
        assert r.status_code == status, (name, r.status_code, r.text)
        assert reason in r.json()["error"], (name, r.text)
    for headers, reason in (
        ({"Authorization": "Bearer wrong"}, "wrong"),
        ({"Authorization": ""}, "missing"),
        ({"Authorization": f"Basic {TOKEN}"}, "missing"),
    ):
        r = s.client.post("/v1/forecast", json=ok, headers=headers)
        assert r.status_code == 401 and reason in r.json()["error"] and "WWW-Authenticate" in r.headers
    r = s.post("/v1/outcomes", {"id": "no-such-forecast", "depth": 1, "event": "x"})
    assert r.status_code == 404 and "no forecast" in r.json()["error"]
    r = s.post("/v1/outcomes", {"id": "x", "depth": 1, "event": "x", "extra": 1})
    assert r.status_code == 422
    # still serving, nothing recorded by the refused requests, the database whole
    after = s.client.get("/healthz").json()
    assert after["forecasts"] == before["forecasts"] and after["outcomes"] == before["outcomes"]
    assert s.post("/v1/forecast", seed_body(event="Still serving")).status_code == 200
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_outcomes_resolve_levels_and_track_scores_them(served):
    s, _ = served
    f = s.post("/v1/forecast", seed_body(event="Central bank raises rates", depth=2, breadth=3)).json()
    top = max(f["children"], key=lambda n: n["probability"])
    r = s.post("/v1/outcomes", {"id": f["id"], "depth": 1, "event": top["event"]})
    assert r.status_code == 201 and r.json()["inForecast"] is True and r.json()["model"] == f["model"]
    assert r.json()["perplexity"] > 1  # the outcome teacher-forced through the model that forecast it
    again = s.post("/v1/outcomes", {"id": f["id"], "depth": 1, "event": "something else"})
    assert again.status_code == 409 and "already" in again.json()["error"]
    deeper = s.post("/v1/outcomes", {"id": f["id"], "depth": 3, "event": "x"})
    assert deeper.status_code == 409 and "level" in deeper.json()["error"]
    missed = s.post("/v1/outcomes", {"id": f["id"], "depth": 2, "event": "Nothing the model said zzzz"})
    assert missed.status_code == 201 and missed.json()["inForecast"] is False
    track = s.client.get("/v1/track")
    assert track.status_code == 200 and schemas.errors("track", track.json()) == []
    row = next(m for m in track.json()["models"] if m["model"] == f["model"])
    assert row["resolved"] >= 2 and row["forecasts"] >= 1
    # the same numbers as metrics.py on the levels the outcomes resolve
    levels = servestore.resolved_levels(f, {1: top["event"], 2: "Nothing the model said zzzz"})
    expected = servestore.scores(list(levels.values()))
    if row["resolved"] == 2:
        assert row["brier"] == pytest.approx(expected["brier"]) and row["ece"] == pytest.approx(expected["ece"])
    assert row["series"][-1]["resolved"] == row["resolved"]
    assert row["perplexity"] > 1 and row["series"][-1]["perplexity"] == pytest.approx(row["perplexity"])
    assert s.client.get("/v1/track", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_forecasts_lists_those_awaiting_an_outcome_with_their_trees(served):
    s, _ = served
    f = s.post("/v1/forecast", seed_body(event="Listing event", depth=2, breadth=2)).json()
    assert s.client.get("/healthz").json()["ok"] is True
    assert schemas.errors("health", s.client.get("/healthz").json()) == []
    listed = s.client.get("/v1/forecasts")
    assert listed.status_code == 200 and schemas.errors("forecast-list", listed.json()) == []
    row = next(x for x in listed.json()["forecasts"] if x["id"] == f["id"])
    assert row["open"] is True and row["outcomes"] == [] and row["model"] == f["model"]
    assert row["tree"]["children"] == f["children"] and row["request"]["seed"]["event"] == "Listing event"
    assert listed.json()["forecasts"][0]["createdAt"] >= listed.json()["forecasts"][-1]["createdAt"]  # newest first
    # one level resolved: still open, the outcome listed; both resolved: closed, only with open=false
    r = s.post("/v1/outcomes", {"id": f["id"], "depth": 1, "event": f["children"][0]["event"]})
    assert r.status_code == 201 and schemas.errors("outcome-response", r.json()) == []
    row = next(x for x in s.client.get("/v1/forecasts").json()["forecasts"] if x["id"] == f["id"])
    assert row["open"] is True and [o["depth"] for o in row["outcomes"]] == [1]
    if servestore.tree_depth(f) == 2:
        s.post("/v1/outcomes", {"id": f["id"], "depth": 2, "event": "Whatever happened next"})
        assert f["id"] not in {x["id"] for x in s.client.get("/v1/forecasts").json()["forecasts"]}
        closed = s.client.get("/v1/forecasts", params={"open": "false"}).json()["forecasts"]
        assert next(x for x in closed if x["id"] == f["id"])["open"] is False
    assert len(s.client.get("/v1/forecasts", params={"open": "false", "limit": 1}).json()["forecasts"]) == 1
    for params, reason in (
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"open": "yes"}, "open"),
        ({"page": "2"}, "unknown"),
    ):
        bad = s.client.get("/v1/forecasts", params=params)
        assert bad.status_code == 422 and reason in bad.json()["error"], (params, bad.text)
    assert s.client.get("/v1/forecasts", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_concurrent_requests_are_batched_and_metrics_say_so(served):
    s, _ = served
    bodies = [seed_body(event=f"Batch event {i}", depth=2, breadth=2) for i in range(8)]
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        got = list(pool.map(lambda b: s.post("/v1/forecast", b), bodies))
    assert [r.status_code for r in got] == [200] * 8
    assert len({r.json()["id"] for r in got}) == 8
    text = s.client.get("/metrics").text
    val = {m.group(1): float(m.group(2)) for m in re.finditer(r"^(psychohistory_\w+) ([0-9.e+-]+)$", text, re.M)}
    assert val["psychohistory_batched_trees_total"] > val["psychohistory_batches_total"]  # some batch held > 1 tree
    assert val["psychohistory_cache_hits_total"] >= 1 and 0 < val["psychohistory_cache_hit_ratio"] < 1
    assert 'psychohistory_requests_total{method="POST",path="/v1/forecast",status="200"}' in text
    assert 'psychohistory_request_seconds_count{path="/v1/forecast"}' in text
    assert "psychohistory_rate_limited_total 0" in text


def test_rate_limit_429_with_retry_after_per_token_and_a_restart_keeps_cache_and_records(tmp_path):
    db = tmp_path / "serve.db"
    s = Server(db, "--burst=2", "--rate=0.2")
    try:
        first = s.post("/v1/forecast", seed_body(event="Port strike", depth=1, breadth=2))
        assert first.status_code == 200
        s.post("/v1/outcomes", {"id": first.json()["id"], "depth": 1, "event": "Ships wait offshore"})
        limited = s.post("/v1/forecast", seed_body(event="Port strike", depth=1, breadth=2))
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert "rate limit" in limited.json()["error"]
        other = s.client.get("/v1/track", headers={"Authorization": f"Bearer {OTHER}"})  # its own bucket
        assert other.status_code == 200
        assert "psychohistory_rate_limited_total 1" in s.client.get("/metrics").text
    finally:
        s.stop()
    s = Server(db, "--burst=5", "--rate=1")
    try:
        again = s.post("/v1/forecast", seed_body(event="port strike", depth=1, breadth=2)).json()
        assert again["cached"] is True and again["id"] == first.json()["id"]
        assert s.client.get("/v1/track").json()["models"][0]["resolved"] == 1
        assert s.client.get("/healthz").json()["outcomes"] == 1
    finally:
        s.stop()
    s = Server(db, "--cache_ttl_s=0")  # no cache: computed anew, a second forecast in the database
    try:
        assert s.post("/v1/forecast", seed_body(event="Port strike", depth=1, breadth=2)).json()["cached"] is False
        assert s.client.get("/healthz").json()["forecasts"] == 2
    finally:
        s.stop()


def test_ab_routes_by_request_hash_and_track_compares_arms(tmp_path):
    adapter = tmp_path / "adapter"
    _tiny_adapter(adapter)
    s = Server(tmp_path / "ab.db", f"--adapter={adapter}", "--adapter_b=base", "--b_share=0.5", "--burst=100")
    try:
        a, b = s.models
        assert a.startswith("tiny+adapter@") and b == "tiny"
        seen = {}
        for i in range(10):
            r = s.post("/v1/forecast", seed_body(event=f"AB event {i}", depth=1, breadth=2)).json()
            seen.setdefault(r["model"], []).append(r)
        assert set(seen) == {a, b}  # ten hashes at 50 %: both arms (fixed events, so deterministic)
        again = s.post("/v1/forecast", seed_body(event="AB event 0", depth=1, breadth=2)).json()
        assert again["cached"] is True  # the same request goes to the same arm
        asked = s.post("/v1/forecast", seed_body(event="AB event 0", depth=1, breadth=2, model=b)).json()
        assert asked["model"] == b
        for arm in (a, b):
            r = seen[arm][0]
            s.post("/v1/outcomes", {"id": r["id"], "depth": 1, "event": r["children"][0]["event"]})
        rows = {m["model"]: m for m in s.client.get("/v1/track").json()["models"]}
        assert rows[a]["resolved"] == 1 and rows[b]["resolved"] == 1
        assert s.client.get("/healthz").json()["bShare"] == 0.5
    finally:
        s.stop()


def _tiny_adapter(path: Path):
    """A LoRA adapter on the tiny base, saved as the trainers save one (weights as initialised: B = 0)."""
    from peft import LoraConfig, get_peft_model

    from psychohistory import modeling

    model, _ = modeling.load("tiny")
    get_peft_model(model, LoraConfig(r=2, lora_alpha=4, target_modules=["q_proj", "v_proj"])).save_pretrained(path)


def test_token_bucket_refills():
    b = TokenBuckets(rate=10.0, burst=2)
    assert b.take("t") == 0 and b.take("t") == 0
    wait = b.take("t")
    assert 0 < wait <= 0.1 and b.take("u") == 0
    time.sleep(wait + 0.02)
    assert b.take("t") == 0


def test_cache_key_normalises_the_seed_and_keeps_the_rest():
    k = request_key(seed_body(event="Tech layoffs"), "m")
    assert k == request_key(seed_body(event="  TECH, layoffs!"), "m")
    assert k != request_key(seed_body(event="Tech layoffs"), "m2")
    assert k != request_key(seed_body(event="Tech layoffs", depth=3), "m")
    assert k != request_key(seed_body(event="Tech layoffs", date="2023-01-16"), "m")


def test_resolved_levels_follow_the_outcome_path():
    def node(event, p, children=()):
        return {"event": event, "probability": p, "depth": 0, "children": list(children)}

    tree = {
        "children": [
            node("rates rise", 0.5, [node("stocks fall", 0.6), node("bonds rally", 0.2)]),
            node("rates hold", 0.25, [node("dollar weakens", 0.75)]),
        ]
    }
    # depth 1 resolved to the second node: depth 2 is scored on its children
    lv = servestore.resolved_levels(tree, {1: "Rates hold", 2: "the dollar weakens"})
    # each level: its nodes plus "something else" (the sample share the tree does not list)
    assert lv[1] == {"probs": [0.5, 0.25, 0.25], "labels": [0, 1, 0], "inForecast": True, "earlier": []}
    assert lv[2] == {"probs": [0.75, 0.25], "labels": [1, 0], "inForecast": True, "earlier": ["Rates hold"]}
    # depth 1 not recorded: depth 2 follows the most likely node; an outcome nowhere in the tree: all labels 0
    lv = servestore.resolved_levels(tree, {2: "a volcano erupts"})
    assert 1 not in lv and lv[2]["labels"] == [0, 0, 1] and lv[2]["inForecast"] is False
    assert lv[2]["probs"] == pytest.approx([0.6, 0.2, 0.2]) and lv[2]["earlier"] == ["rates rise"]
    s = servestore.scores([lv[2]])
    assert s["brier"] == pytest.approx((0.36 + 0.04 + 0.64) / 3) and s["perplexity"] is None
    # a level is a whole distribution: thin probability on two listed events is 80 % on "something else", scored
    # as such — right when the outcome is neither, wrong when it is one of them (before, both scored alike)
    thin = {"children": [node("Central bank raises interest rates", 0.1), node("Unemployment falls", 0.1)]}
    missed = servestore.scores([servestore.resolved_levels(thin, {1: "A volcano erupts in Iceland"})[1]])
    listed = servestore.scores([servestore.resolved_levels(thin, {1: "Central bank raises interest rates"})[1]])
    assert missed["brier"] == pytest.approx((0.01 + 0.01 + 0.04) / 3)
    assert listed["brier"] == pytest.approx((0.81 + 0.01 + 0.64) / 3) and listed["brierSkill"] < 0
    assert servestore.scores([{**lv[2], "nll": 6.0, "ntok": 3}])["perplexity"] == pytest.approx(math.exp(2.0))
    assert servestore.scores([]) == {"brier": None, "brierSkill": None, "ece": None, "perplexity": None}
    assert json.dumps(s)  # plain floats
