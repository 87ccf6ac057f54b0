"""Runs any job into a run directory (contract 2), the same way locally, in tests and on Modal:
run.json running → events → succeeded | failed (with the error) | cancelled (SIGTERM), plus a cost event."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from . import data, provenance
from .config import ConfigError, make_config, to_dict
from .events import Emitter, RunFile, gpu_cost, now_iso

log = logging.getLogger("psychohistory")


class Cancelled(Exception):
    pass


class Job:
    """State a SIGTERM handler can reach: inside a trainer we ask it to checkpoint and stop at the next step;
    anywhere else (or on a second SIGTERM) we stop at once."""

    def __init__(self):
        self.cancel_requested = False
        self.in_trainer = False

    def on_sigterm(self, signum, frame):
        first = not self.cancel_requested
        self.cancel_requested = True
        if not (self.in_trainer and first):
            raise Cancelled("cancelled (SIGTERM)")


def setup_logging(run_dir: Path) -> logging.Handler | None:
    """Log lines go to stderr, and to <run_dir>/logs.txt as well unless stderr already is that file (the
    extension's local backend points stdout/stderr there) or PSYCHOHISTORY_NO_LOG_FILE=1 (a caller that tees)."""
    fmt = logging.Formatter("%(asctime)s %(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    log.propagate = False
    if not any(getattr(h, "_ph_stream", False) for h in log.handlers):
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(fmt)
        h._ph_stream = True
        log.addHandler(h)
    logs = run_dir / "logs.txt"
    if os.environ.get("PSYCHOHISTORY_NO_LOG_FILE") == "1" or _is_stderr(logs):
        return None
    fh = logging.FileHandler(logs)
    fh.setFormatter(fmt)
    log.addHandler(fh)
    return fh


def _is_stderr(path: Path) -> bool:
    try:
        return path.exists() and os.path.samestat(os.fstat(sys.stderr.fileno()), os.stat(path))
    except (OSError, ValueError, AttributeError):
        return False


def resolve_run_dir(cfg) -> Path:
    if cfg.run_dir:
        return Path(cfg.run_dir)
    return Path("runs") / (cfg.run_id or time.strftime("%Y%m%d-%H%M%S"))


# What a rerun may change and still resume the run in its folder: where it stops, how often it saves and logs.
RESUMABLE = {"run_id", "run_dir", "time_limit_s", "max_steps", "num_epochs", "save_steps", "logging_steps", "gpu"}


def check_resume(kind: str, run_dir: Path, cfg) -> None:
    """A folder holding a checkpoint resumes only the run that made it. A rerun that changes what it trains
    (learning rate, data, model, adapter...) would otherwise pick up the old checkpoint, train nothing new and
    report the old run's numbers as its own: refuse it, naming the keys and the fix."""
    out = Path(getattr(cfg, "output_dir", "") or run_dir / "adapter")
    if not (any(out.glob("checkpoint-*")) or any(out.glob("*/checkpoint-*"))):
        return
    new = to_dict(cfg)
    try:
        old = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))["config"]
        # read through the same coercion (the extension writes lists and numbers where the CLI writes strings)
        old = to_dict(make_config(kind, {k: v for k, v in old.items() if k in new}))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return  # no readable record of what made the checkpoint: resume as before
    changed = sorted(k for k in new.keys() & old.keys() if k not in RESUMABLE and old[k] != new[k])
    if changed:
        diff = ", ".join(f"{k} {old[k]!r} → {new[k]!r}" for k in changed)
        raise ConfigError(
            f"{run_dir} holds a checkpoint of a run with other settings ({diff}); resuming it would not train "
            f"what you asked. Fix: a new --run_dir for the new settings, or the run's own settings to resume it"
        )


def run(kind: str, overrides: dict, backend: str = "local", sinks=(), on_exit=None) -> dict:
    """Run job `kind` with `overrides`; returns a JSON-like summary (state, runId, metrics...). Never raises for a
    job failure: the summary and run.json say failed and why."""
    cfg = make_config(kind, overrides)  # ConfigError propagates: the caller reports bad keys (exit 2)
    run_dir = resolve_run_dir(cfg)
    check_resume(kind, run_dir, cfg)  # before anything is written: the old run's record stays as it was
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg.run_id = cfg.run_id or run_dir.name
    handler = setup_logging(run_dir)
    rf = RunFile(run_dir, cfg.run_id, kind, backend, to_dict(cfg))
    emitter = Emitter(run_dir, sinks)
    job = Job()
    old = signal.signal(signal.SIGTERM, job.on_sigterm) if _main_thread() else None
    start = time.time()
    rf.update(state="running", startedAt=now_iso(), endedAt=None, error=None)
    emitter.emit("status", state="running", message=f"{kind} started")
    log.info("%s run %s in %s (backend %s)", kind, cfg.run_id, run_dir, backend)
    summary, state, error = {}, "succeeded", None
    try:
        cases = None
        if cfg.dataset or cfg.dataset_text or kind != "generate" or not getattr(cfg, "seeds", ""):
            cases = data.load_cases(cfg.dataset, cfg.dataset_text)  # bad data stops here, before any GPU time
            for line in provenance.report(cases, getattr(cfg, "base_model", "")):  # warnings: said, not fatal
                log.warning("dataset %s", line)
        summary = _dispatch(kind, cfg, cases, emitter, run_dir, job)
        if summary.get("cancelled"):
            state, error = "cancelled", "cancelled (SIGTERM); resume from " + str(summary.get("checkpoint"))
    except Cancelled as e:
        state, error = "cancelled", str(e)
    except Exception as e:  # the job failed: say why in run.json, metrics and logs
        state, error = "failed", f"{type(e).__name__}: {e}"
        log.error("%s failed:\n%s", kind, traceback.format_exc())
    finally:
        if old is not None:
            signal.signal(signal.SIGTERM, old)
    seconds = round(time.time() - start, 3)
    gpu = _gpu_name(cfg, backend)
    usd = gpu_cost(gpu, seconds) if backend == "modal" else 0.0
    judge = (summary or {}).get("judge") if isinstance(summary, dict) else None
    if judge:  # an eval's LLM judge: its dollars count in the run's cost, itemised in the event
        usd = round(usd + judge["usd"], 6)
    emitter.emit("cost", gpu=gpu, seconds=seconds, usd=usd, **({"judge": judge} if judge else {}))
    emitter.emit("status", state=state, message=error or f"{kind} {state}")
    rf.update(state=state, endedAt=now_iso(), cost={"gpu": gpu, "seconds": seconds, "usd": usd}, error=error)
    log.info("%s %s in %.1fs", kind, state, seconds)
    if on_exit:
        on_exit()
    if handler:
        log.removeHandler(handler)
        handler.close()
    return {
        "runId": cfg.run_id,
        "kind": kind,
        "state": state,
        "error": error,
        "runDir": str(run_dir),
        "seconds": seconds,
        "cost": {"gpu": gpu, "usd": usd},
        **_jsonable(summary),
    }


def _dispatch(kind, cfg, cases, emitter, run_dir, job):
    from . import memplan, modeling

    modeling.prefer_unsloth(cfg.base_model)  # before anything imports transformers or TRL
    import torch

    if torch.cuda.is_available():  # the card in hand: a recipe that cannot fit stops before the model loads
        props = torch.cuda.get_device_properties(0)
        memplan.require_fit(cfg, props.name, kind=kind, gpu_gib=props.total_memory / 2**30, log=log)
    if kind == "sft":
        from . import sft

        return sft.run(cfg, cases, emitter, run_dir, job)
    if kind == "grpo":
        from . import grpo

        return grpo.run(cfg, cases, emitter, run_dir, job)
    if kind == "eval":
        from . import evaluate

        return evaluate.run(cfg, cases, emitter, run_dir)
    from . import generate

    return generate.run(cfg, cases, emitter, run_dir)


def _gpu_name(cfg, backend: str) -> str:
    if backend == "modal":
        return cfg.gpu
    import torch

    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, (str, int, float, bool)) or x is None:
        return x
    return str(x)
