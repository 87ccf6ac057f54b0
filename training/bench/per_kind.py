"""Skill inside an eval split per kind of event: the levels about kinds SFT answered ("familiar") against those about
the kinds its --unfamiliar_fraction held out ("unfamiliar"), for the letter readout and the stated forecast.

    python bench/per_kind.py --dataset=data.jsonl --sft_run=runs/sft --predictions=runs/eval-eval --stages=sft,grpo

The held-out groups are recomputed from the SFT run's config (sft.partition, the function SFT used). A level's kind is
the training seed event most like its own seed event (word-set Jaccard); it is unfamiliar when that event is in a
held-out group. Skill = 1 − Brier / the uniform forecast's Brier on the same levels (metrics.readout, the headline's
definition); a stated forecast that did not parse counts as uniform. Prints JSON (and a markdown table with --markdown=true)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psychohistory import sft  # noqa: E402
from psychohistory.config import parse_args, split_list  # noqa: E402
from psychohistory.data import case_id, select_split  # noqa: E402
from psychohistory.metrics import jaccard, normalize, readout  # noqa: E402


def kinds(cases: list[dict], sft_cfg: dict) -> dict[str, str]:
    """case id -> "familiar" | "unfamiliar" for every case not in the training split."""
    train = select_split(cases, sft_cfg.get("split", "train"))
    _, _, held = sft.partition(
        train, split_list(sft_cfg.get("tasks", "")), float(sft_cfg.get("unfamiliar_fraction", 0)), int(sft_cfg["seed"])
    )
    held_events = {normalize(c["seed"]["event"]) for c in held}
    train_events = sorted({normalize(c["seed"]["event"]) for c in train})
    out = {}
    for c in cases:
        e = normalize(c["seed"]["event"])
        nearest = max(train_events, key=lambda t: jaccard(e, t))
        out[case_id(c)] = "unfamiliar" if nearest in held_events else "familiar"
    return out


def per_kind(rows: list[dict], kind_of: dict[str, str]) -> dict[str, dict]:
    """Letters and stated skill per kind, by metrics.readout (the headline's definition: Brier over pairs)."""
    by: dict[str, list[dict]] = {}
    for r in rows:
        n = len(r["labels"])
        stated = r["stated"] if r.get("parsed") and r.get("stated") else [1 / n] * n
        by.setdefault(kind_of[r["case"]], []).append({"letters": r["probs"], "stated": stated, "labels": r["labels"]})
    return {
        k: {
            "levels": len(levels),
            "lettersSkill": round(readout(levels, "letters")["brierSkill"], 3),
            "statedSkill": round(readout(levels, "stated")["brierSkill"], 3),
        }
        for k, levels in sorted(by.items())
    }


def main(argv: list[str]) -> dict:
    a = {"stages": "sft,grpo", "markdown": "", **parse_args(argv)}
    cases = [json.loads(line) for line in open(a["dataset"]) if line.strip()]
    sft_cfg = json.loads((Path(a["sft_run"]) / "run.json").read_text())["config"]
    kind_of = kinds(cases, sft_cfg)
    result = {}
    for stage in split_list(a["stages"]):
        path = Path(a["predictions"]) / f"predictions-{stage}.jsonl"
        result[stage] = per_kind([json.loads(line) for line in open(path) if line.strip()], kind_of)
    print(json.dumps(result, indent=2))
    if a["markdown"]:
        print("| stage | kind | levels | letters skill | stated skill |\n|---|---|---|---|---|")
        for stage, by in result.items():
            for k, v in by.items():
                print(f"| {stage} | {k} | {v['levels']} | {v['lettersSkill']} | {v['statedSkill']} |")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
