import math

import pytest
from sklearn.metrics import brier_score_loss

from psychohistory import metrics


def test_brier_matches_scikit_learn():
    pairs = [(0.9, 1), (0.1, 0), (0.6, 0), (0.3, 1), (0.0, 0), (1.0, 1), (0.45, 0)]
    ours = metrics.brier(pairs)
    theirs = brier_score_loss([y for _, y in pairs], [p for p, _ in pairs])
    assert ours == pytest.approx(theirs)


def test_ece_by_hand():
    # bins: [0.0,0.1): (0.05,0) ; [0.3,0.4): (0.35,1),(0.35,0) ; [0.9,1.0]: (0.95,1),(1.0,1)
    pairs = [(0.05, 0), (0.35, 1), (0.35, 0), (0.95, 1), (1.0, 1)]
    expected = (1 / 5) * abs(0.05 - 0) + (2 / 5) * abs(0.35 - 0.5) + (2 / 5) * abs(0.975 - 1.0)
    assert metrics.ece(pairs) == pytest.approx(expected)
    assert metrics.ece([(0.7, 1)] * 7 + [(0.7, 0)] * 3) == pytest.approx(0.0)  # perfectly calibrated


def test_jaccard():
    # tokens {stock, drops, 15} vs {stock, drops, sharply}: 2 shared of 4
    assert metrics.jaccard("Stock drops 15%", "stock drops sharply") == pytest.approx(2 / 4)
    assert metrics.jaccard("", "!!!") == 1.0  # two empty token sets are identical


def test_summarize_skill_and_gates():
    levels = [
        {"case": "a", "depth": 1, "probs": [0.8, 0.2], "labels": [1, 0], "nll": 2.0, "ntok": 4, "match": "exact"},
        {"case": "b", "depth": 3, "probs": [0.5, 0.5], "labels": [0, 1], "nll": 6.0, "ntok": 4, "match": "none"},
    ]
    s = metrics.summarize(levels)
    assert s["loss"] == pytest.approx(1.0) and s["perplexity"] == pytest.approx(math.e)
    assert s["brier"] == pytest.approx((0.04 + 0.04 + 0.25 + 0.25) / 4)
    assert s["brierSkill"] == pytest.approx(1 - 0.145 / 0.25)  # the uniform forecast scores 0.25 on 2 candidates
    assert s["letters"] == s["stated"] and s["parseFailures"] == 0
    assert s["match"] == {"exact": 1, "semantic": 0, "llm": 0, "none": 1} and s["n"] == 2
    g = metrics.gates(s, {1: metrics.summarize(levels[:1]), 3: metrics.summarize(levels[1:])})
    assert g == {"perplexity": False, "brier": True, "match": False, "deepMatch": False}  # 0.145 with skill


def test_uniform_brier_is_k_minus_1_over_k_squared():
    lv = {"labels": [0, 0, 1, 0], "probs": [0.25] * 4}
    assert metrics.uniform_brier([lv]) == pytest.approx(3 / 16)
    assert metrics.readout([lv], "probs")["brierSkill"] == pytest.approx(0.0)


def test_brier_gate_without_skill_and_no_data_are_not_passes():
    # a level of 10 candidates: uniform Brier 0.09 < 0.15 yet no skill
    lv = {
        "case": "a",
        "depth": 1,
        "probs": [0.1] * 10,
        "labels": [1] + [0] * 9,
        "nll": 0.1,
        "ntok": 1,
        "match": "exact",
    }
    s = metrics.summarize([lv])
    assert s["brier"] < 0.15 and s["brierSkill"] == pytest.approx(0.0)
    g = metrics.gates(s, {1: s})
    assert g["brier"] is False and g["deepMatch"] is None  # no depth >= 3: missing, never a pass


def test_headline_is_the_readout_the_stage_trained_and_ci_brackets_it():
    import random

    rng = random.Random(0)
    levels = []
    for i in range(60):
        y = [0, 0, 0]
        y[rng.randrange(3)] = 1
        hit = rng.random() < 0.8  # right with 0.9 most of the time, wrong otherwise
        letters = [(0.9 if v else 0.05) if hit else (0.1 if v else 0.45) for v in y]
        levels.append(
            {
                "case": f"c{i}",
                "depth": 1,
                "probs": letters,
                "stated": [1 / 3] * 3,
                "parsed": i % 2 == 0,
                "labels": y,
                "nll": 1.0,
                "ntok": 1,
                "match": "exact" if i % 3 else "none",
            }
        )
    sft, grpo = metrics.summarize(levels, "sft", 500, 7), metrics.summarize(levels, "grpo", 500, 7)
    assert sft["brier"] == sft["letters"]["brier"] and grpo["brier"] == grpo["stated"]["brier"]
    assert grpo["brierSkill"] == pytest.approx(0.0) and sft["brierSkill"] > 0.3
    assert sft["parseFailures"] == 30
    lo, hi = sft["ci"]["brierSkill"]
    assert lo <= sft["brierSkill"] <= hi and hi - lo > 0
    lo, hi = sft["ci"]["matchRate"]
    assert lo < metrics.match_rate(sft["match"]) < hi
    assert metrics.summarize(levels, "sft", 500, 7)["ci"] == sft["ci"]  # seeded


def test_normalize_golden_file():
    """schemas/normalization.json: the one normalisation; the TypeScript suite checks the same cases."""
    import json

    from psychohistory.schemas import schema_dir

    golden = json.loads((schema_dir() / "normalization.json").read_text())["cases"]
    assert len(golden) >= 30
    for case in golden:
        assert metrics.normalize(case["input"]) == case["normalized"], case
    assert metrics.tokens("U.S.-China talks") == {"us", "china", "talks"}
