"""The one emitter of contract-3 metric events, and the run.json keeper (contract 2).

Every event goes to <run_dir>/metrics.jsonl (appended and flushed as it happens: the record) and to any extra sinks —
on Modal, the `psychohistory-events` Queue (partition = run id), through a QueueSink that never blocks training.
A Queue partition holds at most 5,000 items and is cleared a day after its last put, so the queue is only a live
window: each queue item says which lines of the record it carries (line number and byte offsets), and the extension
fills any gap from the record with `read_record` (the Modal function `read_run`). run.json is rewritten atomically
(temp file + rename) under run.json.lock, merging only the fields this side sets (see RunFile)."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue as stdqueue
import random
import tempfile
import threading
import time
from pathlib import Path

from .schemas import schema_dir

# The one price table of both halves (Modal's per-second GPU prices, with its source and date beside them) is
# schemas/gpu-prices.json, shipped into the Modal image with the contract schemas.
_PRICES = json.loads((schema_dir() / "gpu-prices.json").read_text())
GPU_PRICES_PER_SECOND = {
    **_PRICES["usdPerSecond"],
    "A100": _PRICES["usdPerSecond"]["A100-40GB"],
}  # Modal's "A100" = 40 GB
PRICES_SOURCE = f"{_PRICES['source']} (as of {_PRICES['asOf']})"


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def gpu_cost(gpu: str, seconds: float) -> float:
    """USD for `seconds` on Modal GPU `gpu` ("A10G", "H100:2" = two cards); 0 for local CPU runs."""
    name, _, count = gpu.partition(":")
    price = GPU_PRICES_PER_SECOND.get(name.upper(), GPU_PRICES_PER_SECOND.get(name, 0.0))
    return round(price * seconds * (int(count) if count else 1), 6)


class Emitter:
    """Appends events to metrics.jsonl and hands each to the sinks. Sinks with a `line` method (QueueSink) also get
    the event's place in the record: its line number (0-based, counting lines already there after a retry) and its
    byte range."""

    def __init__(self, run_dir: str | Path, sinks=()):
        self.path = Path(run_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sinks = list(sinks)
        old = self.path.read_bytes() if self.path.exists() else b""
        if old and not old.endswith(b"\n"):  # a line cut short by a crash: end it, so line numbers stay whole lines
            with open(self.path, "ab") as f:
                f.write(b"\n")
            old += b"\n"
        self.seq, self.offset = old.count(b"\n"), len(old)

    def emit(self, type_: str, **fields) -> dict:
        event = {"type": type_, **{k: v for k, v in fields.items() if v is not None}, "time": now_iso()}
        if type_ == "eval":
            event["depth"] = fields.get("depth")  # null is meaningful: the whole split
        line = (json.dumps(event) + "\n").encode("utf-8")
        with open(self.path, "ab") as f:
            f.write(line)
        seq, start = self.seq, self.offset
        self.seq, self.offset = seq + 1, start + len(line)
        for sink in self.sinks:
            if hasattr(sink, "line"):
                sink.line(event, seq, start, self.offset)
            else:
                sink(event)
        return event


class QueueSink:
    """The live copy of the record on a Modal Queue partition, never blocking training.

    Events go in batches, one queue item per batch — {"seq", "offset", "end", "events"}: the record's line number of
    the first event and the byte range of the batch — so 5,000 items carry far more than 5,000 events. A train event
    goes at once when nothing was put in the last `max_wait` seconds (a slow run is live event by event); in a burst
    train events are held until `max_events`, `max_bytes` or `max_wait` after the last put (a timer thread sends what
    is held then); any other event (status, eval, cost, artifact) goes at once. Every put is non-blocking: on a full
    partition the sink clears it (the extension recovers what it had not read from the record) and tries once more;
    whatever still fails is counted in `dropped`, never retried, never waited for."""

    def __init__(
        self,
        queue,
        partition: str,
        max_events: int = 500,
        max_bytes: int = 256 * 1024,
        max_wait: float = 1.0,
        clock=time.monotonic,
        timer=None,
    ):
        self.queue, self.partition, self.clock = queue, partition, clock
        self.max_events, self.max_bytes, self.max_wait = max_events, max_bytes, max_wait
        self.timer = timer or _daemon_timer  # (delay, fn) -> something with cancel()
        self.batch: list[dict] = []
        self.first_seq = self.start = self.end = 0
        self.last_put = float("-inf")
        self.pending_timer = None
        self.lock = threading.Lock()
        self.sent = self.dropped = self.cleared = 0  # events, events, times the partition was cleared

    def line(self, event: dict, seq: int, start: int, end: int):
        with self.lock:
            if self.batch and seq != self.first_seq + len(self.batch):
                self._flush()  # not contiguous (cannot happen with one Emitter): never mislabel a batch
            if not self.batch:
                self.first_seq, self.start = seq, start
            self.batch.append(event)
            self.end = end
            waited = self.clock() - self.last_put
            if (
                event.get("type") != "train"
                or waited >= self.max_wait
                or len(self.batch) >= self.max_events
                or self.end - self.start >= self.max_bytes
            ):
                self._flush()
            elif self.pending_timer is None:
                self.pending_timer = self.timer(self.max_wait - waited, self.flush)

    def flush(self):
        with self.lock:
            self._flush()

    def _flush(self):
        if self.pending_timer is not None:
            self.pending_timer.cancel()
            self.pending_timer = None
        if not self.batch:
            return
        item = {"seq": self.first_seq, "offset": self.start, "end": self.end, "events": self.batch}
        n, self.batch = len(item["events"]), []
        self.last_put = self.clock()
        try:
            try:
                self.queue.put(item, block=False, partition=self.partition)
            except stdqueue.Full:
                self.queue.clear(partition=self.partition)
                self.cleared += 1
                self.queue.put(item, block=False, partition=self.partition)
            self.sent += n
        except Exception as e:  # live progress is best effort; metrics.jsonl on the volume is the record
            if not self.dropped:
                print(f"events queue: put failed ({type(e).__name__}: {e}); the record keeps every event")
            self.dropped += n

    def close(self):
        self.flush()
        if self.dropped or self.cleared:
            print(
                f"events queue: {self.sent} events sent live, {self.dropped} dropped, partition cleared "
                f"{self.cleared} times; the record has them all"
            )


def _daemon_timer(delay: float, fn):
    t = threading.Timer(max(0.0, delay), fn)
    t.daemon = True  # never keeps the container alive
    t.start()
    return t


def read_record(run_dir: str | Path, offset: int = 0, max_bytes: int = 1024 * 1024) -> dict:
    """Whole lines of <run_dir>/metrics.jsonl from byte `offset`, about `max_bytes` at a time (at least one line):
    {"lines", "next_offset", "done"}. `done`: nothing more is there and run.json says the run has ended. A line still
    being written (no newline yet) is left for the next read."""
    run_dir = Path(run_dir)
    path = run_dir / "metrics.jsonl"
    size = path.stat().st_size if path.exists() else 0
    offset = max(0, min(int(offset), size))
    data = b""
    if offset < size:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(max_bytes)
            while data and not data.endswith(b"\n") and offset + len(data) < size:  # finish the last line
                more = f.read(64 * 1024)
                if not more:
                    break
                cut = more.find(b"\n")
                data += more if cut < 0 else more[: cut + 1]
                if cut >= 0:
                    break
    whole = data[: data.rfind(b"\n") + 1]
    next_offset = offset + len(whole)
    state = None
    try:
        state = json.loads((run_dir / "run.json").read_text(encoding="utf-8")).get("state")
    except (OSError, ValueError, AttributeError):
        pass
    done = next_offset >= size and state in ("succeeded", "failed", "cancelled")
    lines = whole.decode("utf-8", errors="replace").split("\n")[:-1]  # not splitlines: U+2028 is not a line end
    return {"lines": lines, "next_offset": next_offset, "done": done}


def write_json_atomic(path: Path, obj: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".run.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; run.json is read by the extension and the CLI
    os.replace(tmp, path)


# run.json's lock, shared with the extension (src/runs/runStore.ts withRecordLock): `run.json.lock` created with
# O_EXCL, retried with backoff, taken over when its mtime is older than LOCK_STALE_S (a writer died holding it).
LOCK_STALE_S = 10.0
LOCK_TIMEOUT_S = 30.0


class RecordLock:
    def __init__(self, path: Path):
        self.lock = path.with_name(path.name + ".lock")

    def __enter__(self):
        deadline, delay = time.monotonic() + LOCK_TIMEOUT_S, 0.001
        while True:
            try:
                os.close(os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
                return self
            except FileExistsError:
                pass
            try:
                if time.time() - self.lock.stat().st_mtime > LOCK_STALE_S:
                    self.lock.unlink(missing_ok=True)
                    continue
            except FileNotFoundError:
                continue  # released between our open and stat
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.lock} held for {LOCK_TIMEOUT_S:.0f} s; remove it if no job is writing")
            time.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, 0.05)

    def __exit__(self, *exc):
        self.lock.unlink(missing_ok=True)


def process_start_time(pid: int) -> str | None:
    """The start time the extension records beside a local run's pid (Linux: /proc/<pid>/stat field 22), so a
    reused pid is never taken for the job."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split(" ")
    return fields[19] if len(fields) > 19 else None


class RunFile:
    """run.json: if the caller (the extension) made it, keep its fields and touch only the fields this side sets.

    Every write holds run.json.lock (the extension takes the same lock) and merges the fields given into what is on
    disk now, so a field the extension wrote after we last read the file is never rewritten with an old value."""

    def __init__(self, run_dir: str | Path, run_id: str, kind: str, backend: str, config: dict):
        self.path = Path(run_dir) / "run.json"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with RecordLock(self.path):
            self.data = self._read()
            if self.data is None:
                self.data = {
                    "id": run_id,
                    "kind": kind,
                    "backend": backend,
                    "config": config,
                    "state": "queued",
                    "createdAt": now_iso(),
                }
                if backend == "local":
                    start = process_start_time(os.getpid())
                    self.data["local"] = {"pid": os.getpid(), **({"startTime": start} if start else {})}
                write_json_atomic(self.path, self.data)

    def _read(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def update(self, **fields):
        """Set (or, with None, remove) these fields in run.json as it is on disk; nothing else is written."""
        with RecordLock(self.path):
            data = self._read() or self.data
            for k, v in fields.items():
                if v is None:
                    data.pop(k, None)
                else:
                    data[k] = v
            write_json_atomic(self.path, data)
            self.data = data
