"""How much of a readout's Brier is calibration: the readout tempered by a temperature fitted on the other half of the
cases (two folds by case, so no level is scored by a temperature fitted on itself), next to the readout as reported.

    python bench/recalibrate.py --predictions=runs/eval-eval --stages=sft,grpo --readouts=letters,stated

A diagnostic, not a forecast the pipeline reports: the headline stays the readout as the model gives it (GUIDE,
"Forecasting"). What it tells apart: a readout that ranks the candidates well but states them too sharply (tempered
Brier well below raw, fitted T > 1) from one that carries no more information (both alike). The temperature
minimises the Brier score on its fold (a grid from 0.5 to 50, then the uniform forecast; not SFT's log-loss fit, which
a stated forecast's exact zeros drive to flat); Brier, skill and ECE are `metrics.readout`'s; a stated forecast that
did not parse counts as uniform. Prints JSON (and a markdown table with --markdown=true)."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psychohistory.config import parse_args, split_list  # noqa: E402
from psychohistory.metrics import readout  # noqa: E402
from psychohistory.sft import temper  # noqa: E402

READOUT_KEYS = {"letters": "probs", "stated": "stated"}  # readout name -> its field in predictions-<stage>.jsonl


def fit_temperature(levels: list[dict]) -> float:
    """The T of p^(1/T) with the lowest Brier score on these levels."""
    grid = [0.5 * 100 ** (i / 80) for i in range(81)] + [float("inf")]
    return min(grid, key=lambda t: readout([{**lv, "p": temper(lv["p"], t)} for lv in levels], "p")["brier"])


def levels_of(rows: list[dict], readout_name: str) -> list[dict]:
    key = READOUT_KEYS[readout_name]
    out = []
    for r in rows:
        n = len(r["labels"])
        p = r[key] if key == "probs" or (r.get("parsed") and r.get(key)) else [1.0 / n] * n
        out.append({"case": r["case"], "p": p, "labels": r["labels"]})
    return out


def cross_fitted(levels: list[dict], seed: int = 0) -> dict:
    """Raw and two-fold tempered Brier, skill and ECE of one readout; the temperatures fitted on each fold's other half."""
    cases = sorted({lv["case"] for lv in levels})
    random.Random(seed).shuffle(cases)
    fold = {c: i % 2 for i, c in enumerate(cases)}
    out, temps = [], []
    for k in (0, 1):
        fit_on = [lv for lv in levels if fold[lv["case"]] != k]
        t = fit_temperature(fit_on)
        temps.append(t)
        out += [{**lv, "p": temper(lv["p"], t)} for lv in levels if fold[lv["case"]] == k]
    raw, cal = readout(levels, "p"), readout(out, "p")
    r3 = lambda d: {k: round(v, 4) for k, v in d.items()}  # noqa: E731
    return {"levels": len(levels), "raw": r3(raw), "tempered": r3(cal), "temperatures": [round(t, 2) for t in temps]}


def main(argv: list[str]) -> dict:
    a = {"stages": "sft,grpo", "readouts": "letters,stated", "markdown": "", **parse_args(argv)}
    result = {}
    for stage in split_list(a["stages"]):
        path = Path(a["predictions"]) / f"predictions-{stage}.jsonl"
        rows = [json.loads(line) for line in open(path) if line.strip()]
        result[stage] = {name: cross_fitted(levels_of(rows, name)) for name in split_list(a["readouts"])}
    print(json.dumps(result, indent=2))
    if a["markdown"]:
        print("| stage | readout | Brier / skill / ECE | tempered | T (two folds) |\n|---|---|---|---|---|")
        for stage, by in result.items():
            for name, v in by.items():
                raw, cal = v["raw"], v["tempered"]
                print(
                    f"| {stage} | {name} | {raw['brier']:.3f} / {raw['brierSkill']:.3f} / {raw['ece']:.3f} "
                    f"| {cal['brier']:.3f} / {cal['brierSkill']:.3f} / {cal['ece']:.3f} | {v['temperatures']} |"
                )
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
