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


def test_jaccard_and_match_kinds():
    # tokens {stock, drops, 15} vs {stock, drops, sharply}: 2 shared of 4
    assert metrics.jaccard("Stock drops 15%", "stock drops sharply") == pytest.approx(2 / 4)
    assert metrics.match_kind("Stock drops 15%!", "stock drops 15 %")[0] == "exact"
    # {central, bank, raises, rates} vs {central, bank, raises, interest, rates}: 4/5 = 0.8
    assert metrics.match_kind("Central bank raises rates", "Central bank raises interest rates") == \
        ("semantic", pytest.approx(0.8))
    assert metrics.match_kind("Rain in Spain", "Stock drops")[0] == "none"
    assert metrics.match_kind("Rain in Spain", "Stock drops", judge=lambda a, b: True)[0] == "llm"
    # exactly 0.6 is not semantic (the rule is > 0.6): {a,b,c} vs {a,b,c,d,e}
    assert metrics.match_kind("a b c", "a b c d e")[0] == "none"


def test_summarize_and_gates():
    levels = [
        {"depth": 1, "probs": [0.8, 0.2], "labels": [1, 0], "nll": 2.0, "ntok": 4, "match": "exact"},
        {"depth": 3, "probs": [0.5, 0.5], "labels": [0, 1], "nll": 6.0, "ntok": 4, "match": "none"},
    ]
    s = metrics.summarize(levels)
    assert s["loss"] == pytest.approx(1.0) and s["perplexity"] == pytest.approx(math.e)
    assert s["brier"] == pytest.approx((0.04 + 0.04 + 0.25 + 0.25) / 4)
    assert s["match"] == {"exact": 1, "semantic": 0, "llm": 0, "none": 1} and s["n"] == 2
    g = metrics.gates(s, {1: metrics.summarize(levels[:1]), 3: metrics.summarize(levels[1:])})
    assert g == {"perplexity": False, "brier": True, "match_rate": False, "deep_match_rate": False}  # 0.145
