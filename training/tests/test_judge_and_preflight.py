"""The LLM judge (off by default) against a local OpenAI-compatible stand-in that also answers 429 with Retry-After,
5xx and nonsense; and Modal's secret preflight."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from psychohistory import matching


class Judge(BaseHTTPRequestHandler):
    seen = []
    script = []  # (status, Retry-After or None) answers to give before answering for real, in order

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Judge.seen.append((self.path, self.headers["Authorization"], body))
        if Judge.script:
            status, retry_after = Judge.script.pop(0)
            self.send_response(status)
            if retry_after is not None:
                self.send_header("Retry-After", retry_after)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        text = body["messages"][0]["content"]
        same = "Rates rise" in text and "Interest rates go up" in text
        answer = "Banana." if "Nonsense" in text else "Yes." if same else "No"
        out = json.dumps(
            {
                "choices": [{"message": {"content": answer}}],
                "usage": {"prompt_tokens": 60, "completion_tokens": 1, "cost": 0.00025},
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *a):
        pass


@pytest.fixture
def judge_server(monkeypatch):
    Judge.seen.clear()
    Judge.script.clear()
    server = HTTPServer(("127.0.0.1", 0), Judge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("OPENROUTER_BASE_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-test")
    yield server
    server.shutdown()


def test_judge_is_off_by_default_and_asks_an_openai_compatible_endpoint(judge_server):
    assert matching.make_judge("") is None
    judge = matching.make_judge("openrouter:some/model")
    m = matching.Matcher(embeddings=False, judge=judge)  # no cosine: every pair the lexical rules leave is asked
    assert m.match("Rates rise", "Interest rates go up").kind == "llm"
    assert m.match("Snow falls", "Interest rates go up").kind == "none"
    path, auth, body = Judge.seen[0]
    assert path == "/v1/chat/completions" and auth == "Bearer sk-test" and body["model"] == "some/model"
    prompt = body["messages"][0]["content"]
    assert prompt.index("Reference event") < prompt.index("Interest rates go up") < prompt.index("Rates rise")
    # cached per normalised pair and model: asking again (differently spelt) makes no request
    n = len(Judge.seen)
    assert m.match("rates RISE!", "Interest rates go up.").kind == "llm" and len(Judge.seen) == n
    # exact and Jaccard matches never reach the judge
    assert m.match("Interest rates go up", "interest rates go up").kind == "exact" and len(Judge.seen) == n


def test_the_benchmark_scores_the_matcher_with_a_judge(judge_server):
    """bench/match.py --judge=...: the whole matcher with that judge on labelled pairs (here the stand-in, which says
    yes to one paraphrase only and babbles on "Nonsense"): its F1, what it asked and what it could not decide."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import match as bench

    pairs = [
        {"a": "Rates rise", "b": "Interest rates go up", "same": True},  # in the band: the judge says yes
        {"a": "Nonsense happens", "b": "Interest rates go up", "same": False},
        {"a": "interest rates go up", "b": "Interest rates go up", "same": True},  # exact: never asked
        {"a": "Rates fall", "b": "Interest rates go up", "same": False},
    ]
    r = bench.judged(pairs, "openrouter:some/model")
    assert r["model"] == "openrouter:some/model" and r["f1"] == 1.0 and r["usd"] > 0
    assert 1 <= r["asked"] <= 3 and r["undecided"] <= 1
    assert not any(
        "interest rates go up" in b["messages"][0]["content"].split("Predicted event:")[1] for *_, b in Judge.seen
    )


def test_judge_retries_429_and_5xx_honouring_retry_after(judge_server):
    judge = matching.make_judge("openrouter:m")
    waits = []
    judge.sleep = waits.append
    Judge.script[:] = [(429, "7"), (503, None), (429, "Wed, 21 Oct 2015 07:28:00 GMT")]
    m = matching.Matcher(embeddings=False, judge=judge)
    assert m.match("Rates rise", "Interest rates go up").kind == "llm"
    # Retry-After in seconds is honoured; no header: exponential backoff (2nd attempt: 2 s); a date in the past: 0
    assert waits == [7.0, 2.0, 0.0] and judge.calls == 4


def test_judge_failures_and_nonsense_are_none_with_a_reason_never_an_exception(judge_server):
    judge = matching.make_judge("openrouter:m")
    judge.sleep = lambda s: None
    judge.retries = 2
    Judge.script[:] = [(429, "1")] * 3
    m = matching.Matcher(embeddings=False, judge=judge)
    out = m.match("Rates rise", "Interest rates go up")
    assert out.kind == "none" and "judge failed" in out.reason and "429" in out.reason
    out = m.match("Nonsense here", "Interest rates go up")
    assert out.kind == "none" and "neither yes nor no" in out.reason and "banana" in out.reason
    Judge.script[:] = [(400, None)]  # a client error is not retried
    calls = judge.calls
    assert m.match("Rain", "Interest rates go up").kind == "none" and judge.calls == calls + 1


def test_judge_calls_run_at_most_concurrency_at_once(judge_server):
    import time

    judge = matching.make_judge("openrouter:m")
    judge.concurrency = 3
    active, peak = [0], [0]
    ask = judge._ask

    def counting(p, a):
        active[0] += 1
        peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        try:
            return ask(p, a)
        finally:
            active[0] -= 1

    judge._ask = counting
    m = matching.Matcher(embeddings=False, judge=judge)
    out = m.match_many((f"Event {i} happens", "Interest rates go up") for i in range(12))
    assert [o.kind for o in out] == ["none"] * 12 and 1 < peak[0] <= 3


def test_judge_needs_its_key(monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(RuntimeError, match="modal secret|`openrouter` secret"):
        matching.make_judge("openrouter:m")
    with pytest.raises(ValueError, match="use openrouter:<model>"):
        matching.make_judge("gpt4")


def test_missing_modal_secret_says_how_to_create_it(monkeypatch):
    import modal
    import modal_app

    class Missing:
        def hydrate(self):
            raise modal.exception.NotFoundError("Secret 'huggingface-secret' not found")

    monkeypatch.setattr(modal.Secret, "from_name", staticmethod(lambda name: Missing()))
    with pytest.raises(SystemExit, match=r"`modal secret create huggingface-secret HF_TOKEN=hf_\.\.\.`"):
        modal_app.preflight()


def test_modal_launch_stops_on_bad_data_before_any_remote_call(tmp_path):
    import modal_app

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"seed": {"event": "x", "date": "2020-01-01"}, "levels": [{"depth": 2, "candidates": []}]}\n')

    class Fn:
        def remote(self, cfg):
            raise AssertionError("no GPU call for a bad dataset")

    with pytest.raises(SystemExit, match="bad.jsonl line 1"):
        modal_app.launch(Fn(), "sft", str(bad))


def test_judge_cost_reaches_the_eval_runs_cost_event(judge_server, tmp_path, monkeypatch):
    """The endpoint's usage.cost, summed by the judge, is added to the run's cost event (itemised under `judge`)."""
    import json as _json

    from psychohistory import evaluate, jobs, schemas

    judge = matching.make_judge("openrouter:some/model")
    m = matching.Matcher(embeddings=False, judge=judge)
    m.match_many([("Rates rise", "Interest rates go up"), ("Snow falls", "Interest rates go up")])
    assert Judge.seen[0][2]["usage"] == {"include": True}
    assert judge.spend() == {"model": "some/model", "calls": 2, "usd": 0.0005}

    def fake_eval(cfg, cases, emitter, run_dir):  # evaluate.run's summary, without loading a model
        return {"stages": {}, "judge": judge.spend()}

    monkeypatch.setattr(evaluate, "run", fake_eval)
    ds = tmp_path / "cases.jsonl"
    ds.write_text(
        _json.dumps(
            {
                "seed": {"event": "e", "date": "2024-01-01"},
                "split": "eval",
                "levels": [{"depth": 1, "candidates": [{"event": "a", "label": 1}, {"event": "b", "label": 0}]}],
            }
        )
        + "\n"
    )
    out = jobs.run("eval", {"run_dir": str(tmp_path / "run"), "dataset": str(ds), "judge": "openrouter:some/model"})
    assert out["state"] == "succeeded", out
    events = [_json.loads(x) for x in (tmp_path / "run" / "metrics.jsonl").read_text().splitlines()]
    cost = next(e for e in events if e["type"] == "cost")
    assert (
        cost["judge"] == {"model": "some/model", "calls": 2, "usd": 0.0005} and cost["usd"] == 0.0005
    )  # local GPU: $0
    assert schemas.errors("metric-event", cost) == []
