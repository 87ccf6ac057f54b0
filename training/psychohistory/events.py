"""The one emitter of contract-3 metric events, and the run.json keeper (contract 2).

Every event goes to <run_dir>/metrics.jsonl (appended and flushed as it happens) and to any extra sinks — on Modal,
the `psychohistory-events` Queue (partition = run id). run.json is rewritten atomically (temp file + rename)."""
from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from .schemas import schema_dir

# The one price table of both halves (Modal's per-second GPU prices, with its source and date beside them) is
# schemas/gpu-prices.json, shipped into the Modal image with the contract schemas.
_PRICES = json.loads((schema_dir() / "gpu-prices.json").read_text())
GPU_PRICES_PER_SECOND = {**_PRICES["usdPerSecond"], "A100": _PRICES["usdPerSecond"]["A100-40GB"]}  # Modal's "A100" = 40 GB
PRICES_SOURCE = f"{_PRICES['source']} (as of {_PRICES['asOf']})"


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def gpu_cost(gpu: str, seconds: float) -> float:
    """USD for `seconds` on Modal GPU `gpu` ("A10G", "H100:2" = two cards); 0 for local CPU runs."""
    name, _, count = gpu.partition(":")
    price = GPU_PRICES_PER_SECOND.get(name.upper(), GPU_PRICES_PER_SECOND.get(name, 0.0))
    return round(price * seconds * (int(count) if count else 1), 6)


class Emitter:
    def __init__(self, run_dir: str | Path, sinks=()):
        self.path = Path(run_dir) / "metrics.jsonl"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.sinks = list(sinks)

    def emit(self, type_: str, **fields) -> dict:
        event = {"type": type_, **{k: v for k, v in fields.items() if v is not None}, "time": now_iso()}
        if type_ == "eval":
            event["depth"] = fields.get("depth")  # null is meaningful: the whole split
        with open(self.path, "a") as f:
            f.write(json.dumps(event) + "\n")
        for sink in self.sinks:
            sink(event)
        return event


def write_json_atomic(path: Path, obj: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".run.", suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp makes it private; run.json is read by the extension and the CLI
    os.replace(tmp, path)


class RunFile:
    """run.json: if the caller (the extension) made it, keep its fields and touch only state/times/cost/error."""

    def __init__(self, run_dir: str | Path, run_id: str, kind: str, backend: str, config: dict):
        self.path = Path(run_dir) / "run.json"
        if self.path.exists():
            self.data = json.loads(self.path.read_text())
        else:
            self.data = {"id": run_id, "kind": kind, "backend": backend, "config": config, "state": "queued",
                         "createdAt": now_iso()}
            if backend == "local":
                self.data["local"] = {"pid": os.getpid()}
        self.save()

    def save(self):
        write_json_atomic(self.path, self.data)

    def update(self, **fields):
        for k, v in fields.items():
            if v is None:
                self.data.pop(k, None)
            else:
                self.data[k] = v
        self.save()
