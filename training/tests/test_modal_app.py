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
    assert put == [("abc", {"seq": 0, "offset": 0, "end": 1, "events": [{"type": "status", "state": "running",
                                                                          "time": "t"}]})]


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
