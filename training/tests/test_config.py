import json
import subprocess
import sys
from pathlib import Path

import pytest

from psychohistory import config

TRAINING = Path(__file__).resolve().parents[1]


def test_overrides_are_typed():
    cfg = config.make_config(
        "sft",
        config.parse_args(
            ["--num_epochs=3", "--lora_rank=64", "--learning_rate=1e-4", "--load_in_4bit=true", "--run_id=x"]
        ),
    )
    assert (cfg.num_epochs, cfg.lora_rank, cfg.learning_rate, cfg.load_in_4bit) == (3.0, 64, 1e-4, True)
    cfg = config.make_config("grpo", {"num_generations": 8, "beta": 0, "target_modules": ["q_proj", "v_proj"]})
    assert cfg.num_generations == 8 and cfg.beta == 0.0 and cfg.target_modules == "q_proj,v_proj"
    assert config.make_config("grpo", {}).lora_rank == 4  # GRPO's small adapter by default
    cfg = config.make_config("eval", {"adapters": json.dumps({"sft": "a"}), "stages": '["baseline","sft"]'})
    assert config.parse_adapters(cfg.adapters) == {"sft": "a"} and cfg.stages == "baseline,sft"


@pytest.mark.parametrize(
    "kind, overrides, message",
    [
        ("sft", {"lora_rnak": 8}, "unknown config key 'lora_rnak' for sft"),
        ("eval", {"num_generations": 4}, "unknown config key 'num_generations' for eval"),
        ("sft", {"lora_rank": "eight"}, "--lora_rank='eight': expected int"),
        ("sft", {"load_in_4bit": "maybe"}, "expected bool"),
        ("train", {}, "unknown job 'train'"),
    ],
)
def test_bad_keys_are_refused(kind, overrides, message):
    with pytest.raises(config.ConfigError, match=message.replace("(", r"\(").replace("[", r"\[")):
        config.make_config(kind, overrides)


def test_every_field_has_a_comment():
    src = (TRAINING / "psychohistory" / "config.py").read_text()
    for cls in config.CONFIGS.values():
        for f in cls.__dataclass_fields__:
            line = next(x for x in src.splitlines() if x.strip().startswith(f"{f}:"))
            assert "#" in line, f


def run_cli(*args, cwd=TRAINING):
    return subprocess.run([sys.executable, "-m", "psychohistory", *args], cwd=cwd, capture_output=True, text=True)


def test_cli_refuses_unknown_keys_with_exit_2(tmp_path):
    r = run_cli("sft", f"--run_dir={tmp_path}/r", "--lora_rnak=8")
    assert r.returncode == 2 and "unknown config key 'lora_rnak'" in r.stderr
    assert not (tmp_path / "r").exists()  # nothing created for a bad command line
    r = run_cli("sft", "positional")
    assert r.returncode == 2 and "use --key=value" in r.stderr
    assert run_cli("frobnicate").returncode == 2


def test_cli_bad_dataset_fails_before_any_model_work(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"seed": {"event": "x", "date": "2020-13-01"}, "levels": []}\n')
    r = run_cli("sft", f"--run_dir={tmp_path}/r", f"--dataset={bad}")
    assert r.returncode == 1
    run = json.loads((tmp_path / "r" / "run.json").read_text())
    assert run["state"] == "failed" and f"{bad} line 1" in run["error"]
    events = [json.loads(x) for x in (tmp_path / "r" / "metrics.jsonl").read_text().splitlines()]
    assert [e["type"] for e in events] == ["status", "cost", "status"] and events[-1]["state"] == "failed"
    assert "line 1" in (tmp_path / "r" / "logs.txt").read_text()
