"""Metric math, exactly as GUIDE "Forecasting" defines it. Pure functions over plain lists; no torch."""
from __future__ import annotations

import math
import re
import unicodedata

_TOKEN = re.compile(r"[a-z0-9]+")


def normalize(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).lower()
    return " ".join(_TOKEN.findall(s))


def tokens(s: str) -> set[str]:
    return set(_TOKEN.findall(unicodedata.normalize("NFKC", s).lower()))


def jaccard(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:
        return 1.0
    return len(ta & tb) / len(ta | tb)


def match_kind(prediction: str, actual: str, judge=None) -> tuple[str, float]:
    """exact (normalised equality) > semantic (token Jaccard > 0.6) > llm (judge says same event) > none."""
    score = jaccard(prediction, actual)
    if normalize(prediction) == normalize(actual) and normalize(actual):
        return "exact", score
    if score > 0.6:
        return "semantic", score
    if judge is not None and judge(prediction, actual):
        return "llm", score
    return "none", score


def brier(pairs: list[tuple[float, int]]) -> float:
    """Mean over (probability, label) pairs of (p - label)^2."""
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


def ece(pairs: list[tuple[float, int]], n_bins: int = 10) -> float:
    """Expected calibration error over (p, label) pairs, equal-width bins on [0, 1] (1.0 falls in the last bin)."""
    bins = [[] for _ in range(n_bins)]
    for p, y in pairs:
        bins[min(int(p * n_bins), n_bins - 1)].append((p, y))
    total = len(pairs)
    return sum(len(b) / total * abs(sum(p for p, _ in b) / len(b) - sum(y for _, y in b) / len(b))
               for b in bins if b)


def summarize(levels: list[dict]) -> dict:
    """Aggregate per-level results {probs, labels, nll, ntok, match} into one contract-3 eval body.
    loss = mean token cross-entropy over all completion tokens of the group (token-weighted)."""
    pairs = [(p, y) for lv in levels for p, y in zip(lv["probs"], lv["labels"])]
    ntok = sum(lv["ntok"] for lv in levels)
    loss = sum(lv["nll"] for lv in levels) / max(ntok, 1)
    match = {"exact": 0, "semantic": 0, "llm": 0, "none": 0}
    for lv in levels:
        match[lv["match"]] += 1
    return {"loss": loss, "perplexity": math.exp(min(loss, 700.0)), "brier": brier(pairs), "ece": ece(pairs),
            "match": match, "n": len(levels)}


def match_rate(match: dict) -> float:
    n = sum(match.values())
    return 1.0 - match["none"] / n if n else 0.0


GATES = {"perplexity": 2.5, "brier": 0.15, "match_rate": 0.80, "deep_match_rate": 0.70}


def gates(overall: dict, per_depth: dict) -> dict:
    """The production gates: perplexity < 2.5, Brier < 0.15, match rate > 80 %, depth >= 3 match rate > 70 %."""
    deep = {"exact": 0, "semantic": 0, "llm": 0, "none": 0}
    for d, m in per_depth.items():
        if d >= 3:
            for k in deep:
                deep[k] += m["match"][k]
    deep_rate = match_rate(deep) if sum(deep.values()) else None
    return {"perplexity": overall["perplexity"] < GATES["perplexity"],
            "brier": overall["brier"] < GATES["brier"],
            "match_rate": match_rate(overall["match"]) > GATES["match_rate"],
            "deep_match_rate": None if deep_rate is None else deep_rate > GATES["deep_match_rate"]}
