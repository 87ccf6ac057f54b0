import json
import os
import time

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
    overall = {
        "loss": 0.5,
        "perplexity": 1.6487,
        "brier": 0.1,
        "ece": 0.05,
        "match": {"exact": 2, "semantic": 1, "llm": 0, "none": 1},
        "n": 4,
    }
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
    # the matcher that counted the coverage: the default one's settings when the caller names none
    from psychohistory import matching

    assert all(e["matcher"] == matching.default().settings() for e in evals)
    judge_cost = {"model": "m", "calls": 3, "usd": 0.01}
    assert schemas.errors("metric-event", {**lines[5], "usd": 0.02, "judge": judge_cost}) == []
    assert "gradNorm" not in lines[2]  # optional fields left out, never null


def test_schema_rejects_a_wrong_event():
    assert schemas.errors("metric-event", {"type": "train", "step": -1, "epoch": 0, "loss": 1, "lr": 0, "time": "x"})


def test_run_file_keeps_the_extensions_fields(tmp_path):
    made = {
        "id": "r1",
        "kind": "sft",
        "backend": "local",
        "config": {"num_epochs": 1},
        "state": "queued",
        "createdAt": "2026-01-01T00:00:00Z",
        "local": {"pid": 4242},
    }
    (tmp_path / "run.json").write_text(json.dumps(made))
    rf = RunFile(tmp_path, "ignored", "sft", "local", {"other": 1})
    rf.update(state="running", startedAt="2026-01-01T00:00:01Z")
    rf.update(
        state="failed", endedAt="2026-01-01T00:00:02Z", error="boom", cost={"gpu": "cpu", "seconds": 1.0, "usd": 0.0}
    )
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


def test_run_file_merges_into_what_is_on_disk(tmp_path):
    rf = RunFile(tmp_path, "r3", "sft", "local", {})
    on_disk = json.loads(rf.path.read_text())
    on_disk["modal"] = {"appName": "a", "functionName": "f", "functionCallId": "fc-1"}  # the extension, later
    on_disk["extensionOnly"] = 7
    rf.path.write_text(json.dumps(on_disk))
    rf.update(state="running", error=None)
    data = json.loads(rf.path.read_text())
    assert data["modal"]["functionCallId"] == "fc-1" and data["extensionOnly"] == 7 and data["state"] == "running"
    assert not (tmp_path / "run.json.lock").exists()


def test_run_file_takes_the_extensions_lock(tmp_path, monkeypatch):
    import threading
    from psychohistory import events

    rf = RunFile(tmp_path, "r4", "sft", "local", {})
    lock = tmp_path / "run.json.lock"
    lock.write_text("")  # the extension is mid-update
    done = threading.Event()
    writer = threading.Thread(target=lambda: (rf.update(state="running"), done.set()))
    writer.start()
    assert not done.wait(0.3)  # waits while the lock is held
    lock.unlink()
    assert done.wait(5)
    writer.join()
    assert json.loads(rf.path.read_text())["state"] == "running"
    lock.write_text("")  # a writer died holding it: stale after LOCK_STALE_S
    old = time.time() - events.LOCK_STALE_S - 1
    os.utime(lock, (old, old))
    rf.update(state="failed")
    assert json.loads(rf.path.read_text())["state"] == "failed" and not lock.exists()


def test_gpu_cost():
    assert gpu_cost("A10G", 3600) == pytest.approx(0.000306 * 3600)
    assert gpu_cost("H100:2", 100) == pytest.approx(0.001097 * 200)
    assert gpu_cost("cpu", 100) == 0.0


class CappedQueue:
    """A stand-in for a modal.Queue partition with the real limits: at most `cap` items; a blocking put on a full
    partition would wait forever (here: fails the test), a non-blocking one raises queue.Full."""

    def __init__(self, cap=5000):
        import queue as stdqueue

        self.Full, self.cap, self.items, self.calls = stdqueue.Full, cap, {}, []

    def put(self, v, block=True, timeout=None, *, partition=None, partition_ttl=86400):
        self.calls.append(("put", block, timeout))
        assert block is False or timeout is not None, "a blocking put on a full partition waits forever"
        items = self.items.setdefault(partition, [])
        if len(items) >= self.cap:
            raise self.Full("partition full")
        items.append(json.loads(json.dumps(v)))

    def clear(self, *, partition=None, all=False):
        self.calls.append(("clear", partition))
        self.items[partition] = []


def test_queue_sink_never_blocks_and_the_record_keeps_every_event(tmp_path):
    from psychohistory.events import QueueSink, read_record

    q = CappedQueue(cap=50)
    sink = QueueSink(q, "run-1", max_events=10)
    em = Emitter(tmp_path, sinks=[sink])
    for step in range(1, 2001):  # 200 batches through a 50-item partition
        em.emit("train", step=step, epoch=0.0, loss=1.0, lr=1e-4)
    em.emit("status", state="succeeded")
    sink.close()
    assert all(c[0] == "clear" or c[1] is False for c in q.calls)
    assert sink.cleared > 0 and sink.sent == 2001 and sink.dropped == 0
    # Each queue item names its place in the record; the record has every line.
    record = (tmp_path / "metrics.jsonl").read_bytes()
    for item in q.items["run-1"]:
        lines = record[item["offset"] : item["end"]].decode().splitlines()
        assert [json.loads(x) for x in lines] == item["events"]
        assert record[: item["offset"]].count(b"\n") == item["seq"]
    assert record.count(b"\n") == 2001


def test_queue_sink_counts_drops_and_sends_non_train_events_at_once(tmp_path):
    from psychohistory.events import QueueSink

    class Broken:
        def put(self, *a, **k):
            raise ConnectionError("no route")

    q = CappedQueue()
    now, timers = [0.0], []

    class FakeTimer:
        def __init__(self, delay, fn):
            self.delay, self.fn, self.cancelled = delay, fn, False
            timers.append(self)

        def cancel(self):
            self.cancelled = True

    sink = QueueSink(q, "r", max_events=100, max_wait=1.0, clock=lambda: now[0], timer=FakeTimer)
    em = Emitter(tmp_path, sinks=[sink])
    em.emit("train", step=1, epoch=0.0, loss=1.0, lr=1e-4)
    assert [len(i["events"]) for i in q.items["r"]] == [1]  # nothing put lately: live at once
    now[0] += 0.2
    em.emit("train", step=2, epoch=0.0, loss=1.0, lr=1e-4)
    em.emit("train", step=3, epoch=0.0, loss=1.0, lr=1e-4)
    assert len(q.items["r"]) == 1 and len(timers) == 1 and timers[0].delay == pytest.approx(0.8)  # a burst waits
    timers[0].fn()  # the timer fires: what is held goes, without a new event
    assert [i["seq"] for i in q.items["r"]] == [0, 1] and len(q.items["r"][1]["events"]) == 2
    now[0] += 0.1
    em.emit("train", step=4, epoch=0.0, loss=1.0, lr=1e-4)
    em.emit("status", state="running")  # anything but a train event goes at once, with what is held
    assert [len(i["events"]) for i in q.items["r"]] == [1, 2, 2] and timers[1].cancelled
    bad = QueueSink(Broken(), "r")
    Emitter(tmp_path / "b", sinks=[bad]).emit("status", state="running")
    assert bad.dropped == 1


def test_emitter_continues_line_numbers_after_a_retry(tmp_path):
    from psychohistory.events import QueueSink

    Emitter(tmp_path).emit("status", state="running")
    (tmp_path / "metrics.jsonl").open("ab").write(b'{"type": "train", "st')  # cut short by preemption
    q = CappedQueue()
    em = Emitter(tmp_path, sinks=[QueueSink(q, "r")])
    em.emit("status", state="running")
    record = (tmp_path / "metrics.jsonl").read_bytes()
    assert q.items["r"][0]["seq"] == 2 and q.items["r"][0]["end"] == len(record)


def test_read_record_pages_whole_lines_and_says_done(tmp_path):
    from psychohistory.events import read_record

    em = Emitter(tmp_path)
    for step in range(1, 101):
        em.emit("train", step=step, epoch=0.0, loss=1.0, lr=1e-4, message="\u2028")
    with open(tmp_path / "metrics.jsonl", "ab") as f:
        f.write(b'{"type": "train"')  # being written
    lines, offset = [], 0
    for _ in range(200):
        page = read_record(tmp_path, offset, max_bytes=1000)
        assert not page["done"]  # no run.json saying it ended
        if not page["lines"]:
            break
        lines += page["lines"]
        offset = page["next_offset"]
    assert [json.loads(x)["step"] for x in lines] == list(range(1, 101))
    assert read_record(tmp_path, 10**9)["lines"] == []  # past the end: nothing, never an error
    (tmp_path / "metrics.jsonl").open("ab").write(b"}\n")
    (tmp_path / "run.json").write_text(json.dumps({"state": "succeeded"}))
    last = read_record(tmp_path, offset)
    assert last["lines"] == ['{"type": "train"}'] and last["done"]


def test_queue_sink_timer_sends_a_held_tail_in_real_time(tmp_path):
    import time as _time

    from psychohistory.events import QueueSink

    q = CappedQueue()
    sink = QueueSink(q, "r", max_wait=0.05)
    em = Emitter(tmp_path, sinks=[sink])
    for step in range(1, 4):
        em.emit("train", step=step, epoch=0.0, loss=1.0, lr=1e-4)
    assert sum(len(i["events"]) for i in q.items["r"]) == 1  # the first at once, two held
    _time.sleep(0.3)
    assert sum(len(i["events"]) for i in q.items["r"]) == 3
