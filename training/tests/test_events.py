import json

import pytest

from psychohistory import schemas
from psychohistory.evaluate import emit_eval
from psychohistory.events import Emitter, RunFile, gpu_cost


def test_every_event_kind_validates_against_contract_3(tmp_path):
    seen = []
    em = Emitter(tmp_path, sinks=[seen.append])
    em.emit("status", state="running", message="go")
    em.emit("train", step=3, epoch=0.5, loss=1.2, lr=1e-4, gradNorm=0.7, tokensPerSecond=900.0)
    em.emit("train", step=4, epoch=0.6, loss=0.0, lr=0.0, rewardMean=0.8, rewardStd=0.1)
    overall = {"loss": 0.5, "perplexity": 1.6487, "brier": 0.1, "ece": 0.05,
               "match": {"exact": 2, "semantic": 1, "llm": 0, "none": 1}, "n": 4}
    emit_eval(em, "sft", overall, {1: overall})
    em.emit("cost", gpu="A10G", seconds=10.0, usd=gpu_cost("A10G", 10.0))
    em.emit("artifact", name="sft adapter", path="/data/models/sft/x/final")
    em.emit("status", state="succeeded")
    lines = [json.loads(x) for x in (tmp_path / "metrics.jsonl").read_text().splitlines()]
    assert lines == seen and len(lines) == 8
    for ev in lines:
        assert schemas.errors("metric-event", ev) == [], ev
    evals = [e for e in lines if e["type"] == "eval"]
    assert evals[0]["depth"] is None and evals[1]["depth"] == 1
    assert "gradNorm" not in lines[2]  # optional fields left out, never null


def test_schema_rejects_a_wrong_event():
    assert schemas.errors("metric-event", {"type": "train", "step": -1, "epoch": 0, "loss": 1, "lr": 0,
                                           "time": "x"})


def test_run_file_keeps_the_extensions_fields(tmp_path):
    made = {"id": "r1", "kind": "sft", "backend": "local", "config": {"num_epochs": 1}, "state": "queued",
            "createdAt": "2026-01-01T00:00:00Z", "local": {"pid": 4242}}
    (tmp_path / "run.json").write_text(json.dumps(made))
    rf = RunFile(tmp_path, "ignored", "sft", "local", {"other": 1})
    rf.update(state="running", startedAt="2026-01-01T00:00:01Z")
    rf.update(state="failed", endedAt="2026-01-01T00:00:02Z", error="boom",
              cost={"gpu": "cpu", "seconds": 1.0, "usd": 0.0})
    data = json.loads((tmp_path / "run.json").read_text())
    assert {k: data[k] for k in made if k != "state"} == {k: made[k] for k in made if k != "state"}
    assert data["state"] == "failed" and data["error"] == "boom"
    assert schemas.errors("run", data) == []
    assert not list(tmp_path.glob(".run.*"))  # the temp file was renamed into place


def test_run_file_created_when_absent(tmp_path):
    rf = RunFile(tmp_path / "new", "r2", "eval", "local", {"split": "eval"})
    data = json.loads(rf.path.read_text())
    assert data["id"] == "r2" and data["backend"] == "local" and data["local"]["pid"] > 0
    assert schemas.errors("run", data) == []


def test_gpu_cost():
    assert gpu_cost("A10G", 3600) == pytest.approx(0.000306 * 3600)
    assert gpu_cost("H100:2", 100) == pytest.approx(0.001097 * 200)
    assert gpu_cost("cpu", 100) == 0.0
