"""bench/recalibrate.py: a readout stated too sharply is told apart from a calibrated one by the temperature fitted on
the other half of the cases, and the tempered Brier is scored only on levels its temperature never saw."""

import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import recalibrate  # noqa: E402


def rows(sharpen: float, n_cases: int = 400, seed: int = 7) -> list[dict]:
    """Levels of four candidates whose actual is drawn from q; the readout states q^sharpen (1 = calibrated)."""
    rng = random.Random(seed)
    out = []
    for c in range(n_cases):
        for _ in range(2):
            q = recalibrate.temper([rng.random() for _ in range(4)], 0.3)
            y = rng.choices(range(4), weights=q)[0]
            p = recalibrate.temper(q, 1 / sharpen)
            out.append(
                {"case": f"c{c}", "labels": [int(i == y) for i in range(4)], "probs": p, "stated": p, "parsed": True}
            )
    return out


def test_an_overconfident_readout_is_tempered_and_a_calibrated_one_left_alone():
    sharp = recalibrate.cross_fitted(recalibrate.levels_of(rows(sharpen=2.5), "stated"))
    assert all(1.8 < t < 3.5 for t in sharp["temperatures"])
    assert sharp["tempered"]["brier"] < sharp["raw"]["brier"] - 0.005
    assert sharp["tempered"]["ece"] < sharp["raw"]["ece"] / 2

    calibrated = recalibrate.cross_fitted(recalibrate.levels_of(rows(sharpen=1.0), "letters"))
    assert all(0.75 < t < 1.35 for t in calibrated["temperatures"])
    assert abs(calibrated["tempered"]["brier"] - calibrated["raw"]["brier"]) < 0.003


def test_an_unparsed_stated_forecast_counts_as_uniform_and_each_fold_is_scored_by_the_other(monkeypatch):
    data = rows(sharpen=1.0, n_cases=40)
    data[0] = {**data[0], "parsed": False}
    assert recalibrate.levels_of(data, "stated")[0]["p"] == [0.25] * 4
    assert recalibrate.levels_of(data, "letters")[0]["p"] == data[0]["probs"]

    # Each temperature is fitted on one half of the cases and scores the other half alone.
    fitted_on = []
    real_fit = recalibrate.fit_temperature
    monkeypatch.setattr(
        recalibrate, "fit_temperature", lambda lv: fitted_on.append({x["case"] for x in lv}) or real_fit(lv)
    )
    levels = recalibrate.levels_of(rows(sharpen=2.5, n_cases=40), "stated")
    assert recalibrate.cross_fitted(levels)["levels"] == len(levels)
    first, second = fitted_on
    assert not first & second and first | second == {lv["case"] for lv in levels}
