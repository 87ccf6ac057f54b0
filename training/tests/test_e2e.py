"""End to end on CPU through the real command line: SFT a few steps → GRPO a few steps from that adapter → eval of
baseline/SFT/GRPO → generate, on the tiny GPT-OSS-shaped model built locally; then cancel and resume."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from psychohistory import matching, schemas, synthetic

TRAINING = Path(__file__).resolve().parents[1]


def cli(*args, **kw):
    return subprocess.run(
        [sys.executable, "-m", "psychohistory", *args], cwd=TRAINING, capture_output=True, text=True, **kw
    )


def events(run_dir: Path) -> list[dict]:
    return [json.loads(x) for x in (run_dir / "metrics.jsonl").read_text().splitlines()]


def check_run(run_dir: Path, kind: str) -> list[dict]:
    run = json.loads((run_dir / "run.json").read_text())
    assert schemas.errors("run", run) == []
    assert run["kind"] == kind and run["state"] == "succeeded" and run["backend"] == "local", run.get("error")
    assert run["startedAt"] <= run["endedAt"] and run["cost"]["gpu"] == "cpu"
    evs = events(run_dir)
    for ev in evs:
        assert schemas.errors("metric-event", ev) == [], ev
    assert evs[0] == {**evs[0], "type": "status", "state": "running"}
    assert evs[-1]["type"] == "status" and evs[-1]["state"] == "succeeded"
    assert [e["type"] for e in evs].count("cost") == 1
    assert (run_dir / "logs.txt").read_text().strip()
    return evs


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    ds = root / "cases.jsonl"
    ds.write_text(synthetic.to_jsonl(synthetic.generate(synthetic.SyntheticConfig(n_cases=16, seed=3))))
    runs = {}
    steps = [
        (
            "sft",
            [
                "--max_steps=2",
                "--batch_size=4",
                "--eval_steps=2",
                "--eval_max_cases=1",
                "--save_steps=1",
                "--lora_rank=4",
                "--lora_alpha=8",
                "--modules_to_save=lm_head",
            ],
        ),
        (
            "grpo",
            [
                "--max_steps=1",
                "--batch_size=4",
                "--num_generations=2",
                "--max_completion_length=8",
                f"--adapter={root}/sft/adapter/final",
            ],
        ),
        (
            "eval",
            [
                "--stages=baseline,sft,grpo",
                "--max_cases=2",
                "--num_trees=1",
                "--max_new_tokens=4",
                f"--adapters=sft={root}/sft/adapter/final,grpo={root}/grpo/adapter/final",
            ],
        ),
        ("generate", ["--num_trees=1", "--depth=2", "--num_samples=2", "--max_new_tokens=4"]),
    ]
    for kind, extra in steps:
        r = cli(kind, f"--run_dir={root}/{kind}", f"--dataset={ds}", *extra)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        runs[kind] = root / kind
    return root, ds, runs


def test_sft_events_and_adapter(pipeline):
    _, _, runs = pipeline
    evs = check_run(runs["sft"], "sft")
    train = [e for e in evs if e["type"] == "train"]
    # phase 1 (letters + generation) then phase 2 (stated forecast), on one step axis
    assert [e["step"] for e in train] == [1, 2, 3, 4] and all(e["tokensPerSecond"] > 0 for e in train)
    assert {e["stage"] for e in evs if e["type"] == "eval"} == {"sft"}  # the interval eval
    arts = {e["name"]: e["path"] for e in evs if e["type"] == "artifact"}
    assert set(arts) == {
        "sft phase 1 (before the stated forecast)",
        "sft adapter",
    }  # only the final one is offered to start from
    final = Path(arts["sft adapter"])
    assert final == runs["sft"] / "adapter" / "final"
    assert (final / "adapter_config.json").exists() and (final / "adapter_model.safetensors").exists()
    meta = json.loads((final / "psychohistory.json").read_text())
    assert meta["kind"] == "sft" and meta["config"]["lora_rank"] == 4
    cfg = json.loads((final / "adapter_config.json").read_text())
    assert cfg["r"] == 4 and set(cfg["target_modules"]) == {"q_proj", "k_proj", "v_proj", "o_proj"}
    assert not cfg.get("target_parameters")  # attention-only by default; expert LoRA is opt-in
    assert cfg["modules_to_save"] == ["lm_head"]  # the output head trained whole, saved with the adapter
    from safetensors import safe_open

    with safe_open(str(final / "adapter_model.safetensors"), "pt") as f:
        assert any("lm_head" in k for k in f.keys())
    assert list((runs["sft"] / "adapter").glob("*/checkpoint-*"))  # resumable, per phase
    assert (runs["sft"] / "adapter" / "letters" / "final" / "adapter_config.json").exists()


def test_grpo_reports_rewards_and_chains_on_sft(pipeline):
    root, _, runs = pipeline
    evs = check_run(runs["grpo"], "grpo")
    train = [e for e in evs if e["type"] == "train"]
    assert train and all("rewardMean" in e and 0 <= e["rewardMean"] <= 1 and e["rewardStd"] >= 0 for e in train)
    meta = json.loads((runs["grpo"] / "adapter" / "final" / "psychohistory.json").read_text())
    assert meta["parent"] == f"{root}/sft/adapter/final"
    assert json.loads((runs["grpo"] / "adapter" / "final" / "adapter_config.json").read_text())["r"] == 4


def test_eval_every_stage_overall_and_per_depth_and_trees(pipeline):
    _, ds, runs = pipeline
    evs = check_run(runs["eval"], "eval")
    ev = [e for e in evs if e["type"] == "eval"]
    cases = [json.loads(x) for x in ds.read_text().splitlines() if json.loads(x)["split"] == "eval"][:2]
    depths = sorted({lv["depth"] for c in cases for lv in c["levels"]})
    for stage in ("baseline", "sft", "grpo"):
        mine = [e for e in ev if e["stage"] == stage]
        assert [e["depth"] for e in mine] == [None] + depths
        whole = mine[0]
        assert whole["n"] == sum(len(c["levels"]) for c in cases) == sum(whole["match"].values())
        assert sum(e["n"] for e in mine[1:]) == whole["n"]
        assert whole["perplexity"] == pytest.approx(2.718281828 ** whole["loss"], rel=1e-6)
        # both readouts, the headline being the one the stage trained, with skill and intervals
        assert whole["brier"] == whole["stated" if stage == "grpo" else "letters"]["brier"]
        assert 0 <= whole["parseFailures"] <= whole["n"] and set(whole["ci"]) == {"brier", "brierSkill", "matchRate"}
        # every eval event names the matcher that counted its coverage
        assert all(e["matcher"] == matching.Matcher().settings() for e in mine)
    trees = [json.loads(x) for x in (runs["eval"] / "trees.jsonl").read_text().splitlines()]
    assert len(trees) == 3  # num_trees=1 per stage
    for t in trees:
        assert schemas.errors("forecast-tree", t) == []
        assert abs(sum(n["probability"] for n in t["children"]) - 1) < 1e-4
        # every node carries the matcher's kind and score against the level's actual; the actual matches itself
        nodes, stack = [], list(t["children"])
        while stack:
            nodes.append(stack.pop())
            stack += nodes[-1]["children"]
        assert all(set(n["match"]) == {"kind", "score", "actual"} for n in nodes)
        assert all(n["match"]["kind"] == "exact" for n in nodes if n["actual"])
    assert "| baseline |" in (runs["eval"] / "stages.md").read_text()
    rows = json.loads((runs["eval"] / "stages.json").read_text())
    assert [r["stage"] for r in rows] == ["baseline", "sft", "grpo"] and rows[0]["split"] == "seed"
    assert all(r["brierCi"][0] <= r["brier"] <= r["brierCi"][1] for r in rows)


def test_generate_writes_trees(pipeline):
    _, _, runs = pipeline
    check_run(runs["generate"], "generate")
    trees = [json.loads(x) for x in (runs["generate"] / "trees.jsonl").read_text().splitlines()]
    assert len(trees) == 1 and schemas.errors("forecast-tree", trees[0]) == []


def test_sigterm_cancels_with_a_checkpoint_then_resumes(pipeline, tmp_path):
    _, ds, _ = pipeline
    run_dir = tmp_path / "cancel"
    args = [
        sys.executable,
        "-m",
        "psychohistory",
        "sft",
        f"--run_dir={run_dir}",
        f"--dataset={ds}",
        "--batch_size=2",
        "--lora_rank=2",
        "--save_steps=1000",
        "--tasks=choice,generation",
    ]
    p = subprocess.Popen(args + ["--max_steps=500"], cwd=TRAINING, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline:
        if (run_dir / "metrics.jsonl").exists() and '"train"' in (run_dir / "metrics.jsonl").read_text():
            break
        time.sleep(0.5)
    p.send_signal(signal.SIGTERM)
    assert p.wait(timeout=300) == 143
    run = json.loads((run_dir / "run.json").read_text())
    assert run["state"] == "cancelled" and "resume" in run["error"]
    assert events(run_dir)[-1] == {**events(run_dir)[-1], "type": "status", "state": "cancelled"}
    ckpts = sorted((run_dir / "adapter").glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    assert ckpts
    done = int(ckpts[-1].name.split("-")[1])
    r = subprocess.run(args + [f"--max_steps={done + 1}"], cwd=TRAINING, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    assert f"resuming from {ckpts[-1]}" in (run_dir / "logs.txt").read_text()
    train = [e for e in events(run_dir) if e["type"] == "train"]
    assert train[-1]["step"] == done + 1
