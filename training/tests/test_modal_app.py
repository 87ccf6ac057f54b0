import inspect
import warnings

import pytest


def test_app_declares_its_functions_and_entry_files():
    import modal_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fns = modal_app.app.registered_functions
        import modal_eval  # noqa: F401
        import modal_grpo  # noqa: F401
        import modal_sft  # noqa: F401

        entry = modal_app.app.registered_entrypoints
    assert modal_app.app.name == "psychohistory"
    assert {"sft", "grpo", "evaluate", "generate"} <= set(fns)
    assert {"run_sft", "run_grpo", "run_eval"} <= set(entry)
    for name in ("sft", "grpo", "evaluate", "generate"):  # one JSON-like dict in, one out
        raw = getattr(getattr(modal_app, name), "_raw_f_", None)  # the plain function under the decorator
        assert raw is not None
        params = list(inspect.signature(raw).parameters)
        assert params == ["config"]
    assert modal_app.QUEUE_NAME == "psychohistory-events" and modal_app.VOLUME_NAME == "psychohistory-data"
    assert modal_app.SECRETS == ["huggingface-secret", "openrouter"] and modal_app.GPU == "A100-80GB"


def test_modal_shell_fills_paths_and_runs_the_plain_job(monkeypatch, tmp_path):
    """_run is what every Modal function executes; here with /data swapped for a temp dir and a fake queue."""
    import modal_app
    from psychohistory import jobs

    calls = {}

    def fake_run(kind, config, backend, sinks, on_exit):
        calls.update(kind=kind, config=config, backend=backend)
        sinks[0].line({"type": "status", "state": "running", "time": "t"}, 0, 0, 1)
        return {"state": "succeeded"}

    put = []

    def fake_put(item, block=True, timeout=None, partition=None):
        assert block is False  # a blocking put on a full partition waits forever
        put.append((partition, item))

    monkeypatch.setattr(jobs, "run", fake_run)
    monkeypatch.setattr(modal_app.events, "put", fake_put, raising=False)
    monkeypatch.setattr(modal_app, "Path", lambda p: tmp_path if p == "/data" else __import__("pathlib").Path(p))
    assert modal_app._run("sft", {"run_id": "abc", "num_epochs": 1}) == {"state": "succeeded"}
    assert calls["backend"] == "modal" and calls["config"]["run_dir"] == "/data/runs/abc"
    assert calls["config"]["output_dir"] == "/data/models/sft/abc"
    assert calls["config"]["base_model"] == modal_app.DEFAULT_BASE_MODEL
    assert put == [
        ("abc", {"seq": 0, "offset": 0, "end": 1, "events": [{"type": "status", "state": "running", "time": "t"}]})
    ]


def test_read_run_serves_the_record_from_an_offset(monkeypatch, tmp_path):
    import json

    import modal_app

    raw = modal_app.read_run._raw_f_
    assert list(inspect.signature(raw).parameters) == ["request"]
    run = tmp_path / "runs" / "r1"
    run.mkdir(parents=True)
    (run / "metrics.jsonl").write_text('{"a": 1}\n{"b": 2}\n')
    (run / "run.json").write_text(json.dumps({"state": "running"}))
    monkeypatch.setattr(modal_app.volume, "reload", lambda: None, raising=False)
    from psychohistory import events

    real = events.read_record
    monkeypatch.setattr(events, "read_record", lambda d, o: real(str(d).replace("/data", str(tmp_path)), o))
    assert raw({"run_id": "r1", "offset": 9}) == {"lines": ['{"b": 2}'], "next_offset": 18, "done": False}
    assert raw({"run_id": "../etc"})["lines"] == []


LIGHT_LAUNCH = r"""
import importlib.abc, json, sys
HEAVY = {"jsonschema", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "unsloth"}

class Refuse(importlib.abc.MetaPathFinder):  # as if only `pip install modal` had run
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in HEAVY:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)

sys.meta_path.insert(0, Refuse())
import modal_eval, modal_grpo, modal_sft, modal_app  # noqa: E401,F401  the `modal run` entry files
calls = []

class Fn:
    def with_options(self, **options):
        calls.append(("with_options", options))
        return self
    def remote(self, config):
        calls.append(("remote", {k: v for k, v in config.items() if k != "dataset_text"}))
        return {"state": "succeeded", "runId": config["run_id"]}

modal_app.preflight = lambda: None
modal_app.launch(Fn(), "sft", sys.argv[1], num_epochs=1.0, lora_rank=8, gpu=sys.argv[2], run_id="")
print("CALLS " + json.dumps(calls))
print("HEAVY " + json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)))
"""


def _light_launch(tmp_path, gpu: str):
    import json
    import subprocess
    import sys
    from pathlib import Path

    dataset = tmp_path / "cases.jsonl"
    dataset.write_text('{"seed": {"event": "e", "date": "2024-01-01"}, "levels": []}\n')
    here = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", LIGHT_LAUNCH, str(dataset), gpu], cwd=here, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    lines = {
        line.split(" ", 1)[0]: json.loads(line.split(" ", 1)[1])
        for line in out.stdout.splitlines()
        if line.startswith(("CALLS ", "HEAVY "))
    }
    return lines, out.stdout


def test_modal_run_entry_points_work_after_only_pip_install_modal(tmp_path):
    """`modal run modal_sft.py --num-epochs=1 --lora-rank=8` imports no jsonschema/torch/transformers locally."""
    lines, stdout = _light_launch(tmp_path, "H100")
    assert lines["HEAVY"] == []
    assert "not checking" in stdout.lower()  # the container checks the data instead
    (_, options), (_, config) = lines["CALLS"]
    assert options == {"gpu": "H100"}  # --gpu picks the GPU that runs (with_options), and the one priced
    assert config["gpu"] == "H100" and config["num_epochs"] == 1.0 and config["lora_rank"] == 8
    assert config["run_id"].startswith("sft-")  # made here, so a retry finds the same run folder


def test_modal_run_without_gpu_runs_and_prices_the_default(tmp_path):
    import modal_app

    lines, _ = _light_launch(tmp_path, "")
    (_, options), (_, config) = lines["CALLS"]
    assert options == {"gpu": modal_app.GPU} and config["gpu"] == modal_app.GPU


def test_launch_exits_by_the_jobs_outcome(monkeypatch, tmp_path):
    import modal_app

    class Fn:
        def with_options(self, **options):
            return self

        def remote(self, config):
            return {"state": "failed", "error": "ConfigError: unknown key lora_rnak"}

    dataset = tmp_path / "cases.jsonl"
    dataset.write_text("")
    monkeypatch.setattr(modal_app, "validate_locally", lambda d: None)
    monkeypatch.setattr(modal_app, "preflight", lambda: None)
    with pytest.raises(SystemExit, match="sft failed: ConfigError: unknown key lora_rnak"):
        modal_app.launch(Fn(), "sft", str(dataset), gpu="A10G")


def test_a_retry_resumes_the_same_run_folder(monkeypatch, tmp_path):
    """The run id comes from the caller (or, without one, the call id, the same on every retry)."""
    import modal_app
    from psychohistory import jobs

    seen = []
    monkeypatch.setattr(
        jobs, "run", lambda kind, config, **kw: seen.append(config["run_dir"]) or {"state": "succeeded"}
    )
    monkeypatch.setattr(modal_app, "Path", lambda p: tmp_path if p == "/data" else __import__("pathlib").Path(p))
    for _attempt in range(2):
        modal_app._run("sft", {"run_id": "sft-20261201-000000-abcd"})
    monkeypatch.setattr(modal_app.modal, "current_function_call_id", lambda: "fc-01ABC")
    for _attempt in range(2):
        modal_app._run("grpo", {})
    assert seen == ["/data/runs/sft-20261201-000000-abcd"] * 2 + ["/data/runs/grpo-fc-01ABC"] * 2


def test_modal_run_eval_takes_the_judge(monkeypatch):
    """`modal run modal_eval.py --judge=openrouter:<model>` reaches the eval config (issue 14: every entry point)."""
    import modal_eval

    seen = {}
    monkeypatch.setattr(modal_eval, "launch", lambda fn, kind, dataset, **config: seen.update(config, kind=kind))
    modal_eval.run_eval.info.raw_f(dataset="d.jsonl", judge="openrouter:some/model")
    assert seen["kind"] == "eval" and seen["judge"] == "openrouter:some/model"


def test_web_serves_the_same_app_with_its_database_on_the_volume(monkeypatch):
    import modal_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # registered_functions is deprecated in modal 1.6
        assert "web" in modal_app.app.registered_functions
    monkeypatch.setenv("PSYCHOHISTORY_SERVE", "--adapter=/data/models/sft/r1/final --rate=5")
    cfg = modal_app.serve_config()
    assert cfg.db == "/data/serve/serve.db" and cfg.base_model == modal_app.DEFAULT_BASE_MODEL
    assert cfg.adapter == "/data/models/sft/r1/final" and cfg.rate == 5.0
    assert modal_app.serve_config("--db=/data/x.db --base_model=tiny").base_model == "tiny"
    with pytest.raises(Exception, match="unknown config key"):
        modal_app.serve_config("--rat=5")
