"""A run folder with a checkpoint resumes only the run that made it (a rerun with another learning rate once
"succeeded" in 21 s by resuming the old checkpoint, reporting the old run's numbers as the new one's)."""

import json

import pytest

from psychohistory import jobs
from psychohistory.__main__ import main
from psychohistory.config import ConfigError, make_config, to_dict


def finished_run(tmp_path, **settings):
    run_dir = tmp_path / "grpo"
    cfg = make_config("grpo", {"run_dir": str(run_dir), "dataset": "d.jsonl", "adapter": "a", **settings})
    (run_dir / "adapter" / "checkpoint-80").mkdir(parents=True)
    record = {"id": "grpo", "kind": "grpo", "state": "succeeded", "config": to_dict(cfg)}
    (run_dir / "run.json").write_text(json.dumps(record))
    return run_dir, record


def test_a_rerun_with_other_settings_is_refused_and_the_old_record_kept(tmp_path, capsys):
    run_dir, record = finished_run(tmp_path, learning_rate=3e-4)
    args = ["grpo", f"--run_dir={run_dir}", "--dataset=d.jsonl", "--adapter=a", "--learning_rate=6e-4"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "learning_rate 0.0003 → 0.0006" in err and "a new --run_dir" in err
    assert json.loads((run_dir / "run.json").read_text()) == record
    assert not (run_dir / "metrics.jsonl").exists()


def test_where_it_stops_may_change_on_resume(tmp_path):
    run_dir, _ = finished_run(tmp_path, learning_rate=3e-4, max_steps=80)
    more = make_config(
        "grpo",
        {"run_dir": str(run_dir), "dataset": "d.jsonl", "adapter": "a", "learning_rate": 3e-4, "max_steps": 200},
    )
    jobs.check_resume("grpo", run_dir, more)  # no error: the same run, trained further


def test_without_a_checkpoint_any_settings_start_afresh(tmp_path):
    run_dir, _ = finished_run(tmp_path, learning_rate=3e-4)
    (run_dir / "adapter" / "checkpoint-80").rmdir()
    other = make_config("grpo", {"run_dir": str(run_dir), "dataset": "d.jsonl", "adapter": "a", "beta": 0.1})
    jobs.check_resume("grpo", run_dir, other)
    with pytest.raises(ConfigError, match="beta"):
        (run_dir / "adapter" / "phase1" / "checkpoint-5").mkdir(parents=True)  # SFT keeps one folder per phase
        jobs.check_resume("grpo", run_dir, other)


def test_the_extensions_spelling_of_the_same_settings_resumes(tmp_path):
    """run.json written by the extension holds lists and numbers where the CLI passes strings: still the same run."""
    run_dir, record = finished_run(tmp_path, target_modules="q_proj,v_proj")
    record["config"]["target_modules"] = ["q_proj", "v_proj"]
    (run_dir / "run.json").write_text(json.dumps(record))
    same = make_config(
        "grpo", {"run_dir": str(run_dir), "dataset": "d.jsonl", "adapter": "a", "target_modules": "q_proj,v_proj"}
    )
    jobs.check_resume("grpo", run_dir, same)
