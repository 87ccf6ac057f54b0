"""bench/per_kind.py: the eval levels about kinds SFT held out are told apart from the rest, and skill is counted
against the uniform forecast on the same levels."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import per_kind  # noqa: E402

from psychohistory import sft, synthetic  # noqa: E402
from psychohistory.data import case_id, select_split  # noqa: E402
from psychohistory.metrics import normalize  # noqa: E402

SFT_CFG = {"split": "train", "tasks": "choice,generation,stated", "unfamiliar_fraction": 0.3, "seed": 1337}


def test_eval_levels_of_held_out_kinds_are_unfamiliar_and_scored_against_uniform(tmp_path):
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=400))
    kind_of = per_kind.kinds(cases, SFT_CFG)
    _, _, held = sft.partition(select_split(cases, "train"), ["choice", "stated"], 0.3, 1337)
    held_events = {normalize(c["seed"]["event"]) for c in held}
    assert held and all(kind_of[case_id(c)] == "unfamiliar" for c in held)
    evals = select_split(cases, "eval")
    assert {kind_of[case_id(c)] for c in evals} == {"familiar", "unfamiliar"}  # held-out kinds reach the seed split
    assert all(normalize(c["seed"]["event"]) not in held_events for c in evals)  # by kind, not by the same event

    # Letters: certain and right on familiar levels, uniform on unfamiliar ones; stated: one unparsed answer.
    rows = []
    for c in evals:
        for level in c["levels"]:
            y = [x["label"] for x in level["candidates"]]
            n = len(y)
            right = kind_of[case_id(c)] == "familiar"
            rows.append(
                {
                    "case": case_id(c),
                    "labels": y,
                    "probs": [float(v) for v in y] if right else [1 / n] * n,
                    "stated": [1 / n] * n,
                    "parsed": len(rows) > 0,
                }
            )
    out = per_kind.per_kind(rows, kind_of)
    assert out["familiar"]["lettersSkill"] == 1.0 and out["unfamiliar"]["lettersSkill"] == 0.0
    assert out["familiar"]["statedSkill"] == 0.0 == out["unfamiliar"]["statedSkill"]
    assert sum(v["levels"] for v in out.values()) == len(rows)

    data, run, preds = tmp_path / "data.jsonl", tmp_path / "sft", tmp_path / "eval"
    data.write_text("".join(json.dumps(c) + "\n" for c in cases))
    run.mkdir(), preds.mkdir()
    (run / "run.json").write_text(json.dumps({"config": SFT_CFG}))
    (preds / "predictions-sft.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert per_kind.main([f"--dataset={data}", f"--sft_run={run}", f"--predictions={preds}", "--stages=sft"]) == {
        "sft": out
    }
