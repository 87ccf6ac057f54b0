"""Metric math, exactly as GUIDE "Forecasting" defines it. Pure functions over plain lists; no torch."""

from __future__ import annotations

import functools
import math
import unicodedata

# schemas/normalization.json defines the one normalisation (TypeScript: src/cases/normalize.ts); its golden cases are
# checked by both test suites. JavaScript's \s, spelled out: Python's str.isspace() differs (U+001C-U+001F, U+0085).
_SEPARATORS = frozenset(
    "\t\n\v\f\r \u00a0\u1680\u2028\u2029\u202f\u205f\u3000\ufeff/" + "".join(chr(c) for c in range(0x2000, 0x200B))
)
_DIGITS = frozenset("0123456789")


@functools.lru_cache(maxsize=4096)
def _char_class(ch: str) -> int:
    """0 dropped (punctuation, symbol), 1 separator (whitespace, dash, slash), 2 kept."""
    cat = unicodedata.category(ch)
    if ch in _SEPARATORS or cat == "Pd":
        return 1
    return 0 if cat[0] in "PS" else 2


def normalize(s: str) -> str:
    """NFKC, lowercase, whitespace/dashes/slashes separate words, other punctuation and symbols dropped (a "." between
    two ASCII digits kept), letters and digits of every script kept, one space between words
    (schemas/normalization.json)."""
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    s = s.lower()
    out, space = [], False
    for i, ch in enumerate(s):
        c = _char_class(ch)
        if ch == "." and 0 < i < len(s) - 1 and s[i - 1] in _DIGITS and s[i + 1] in _DIGITS:
            c = 2  # a decimal point: 3.5 is not 35
        if c == 1:
            space = bool(out)
        elif c == 2:
            if space:
                out.append(" ")
                space = False
            out.append(ch)
    return "".join(out)


def tokens(s: str) -> set[str]:
    """Distinct words of the normalised text."""
    return {t for t in normalize(s).split(" ") if t}  # split(): Python counts some kept controls as space


def jaccard(a: str, b: str) -> float:
    ta, tb = tokens(a), tokens(b)
    if not ta and not tb:
        return 1.0
    return len(ta & tb) / len(ta | tb)


def brier(pairs: list[tuple[float, int]]) -> float:
    """Mean over (probability, label) pairs of (p - label)^2."""
    return sum((p - y) ** 2 for p, y in pairs) / len(pairs)


def ece(pairs: list[tuple[float, int]], n_bins: int = 10) -> float:
    """Expected calibration error over (p, label) pairs, equal-width bins on [0, 1] (1.0 falls in the last bin)."""
    bins = [[] for _ in range(n_bins)]
    for p, y in pairs:
        bins[min(int(p * n_bins), n_bins - 1)].append((p, y))
    total = len(pairs)
    return sum(len(b) / total * abs(sum(p for p, _ in b) / len(b) - sum(y for _, y in b) / len(b)) for b in bins if b)


def uniform_brier(levels: list[dict]) -> float:
    """Brier of the uniform forecast (1/K on each of a level's K candidates) on the same levels."""
    pairs = [(1.0 / len(lv["labels"]), y) for lv in levels for y in lv["labels"]]
    return brier(pairs)


def skill(b: float, uniform: float) -> float:
    """Brier skill against the uniform forecast: 0 = no skill, 1 = perfect, < 0 = worse than chance."""
    return 1.0 - b / uniform if uniform > 0 else 0.0


def readout(levels: list[dict], key: str) -> dict:
    """Brier, skill and ECE of one readout (`letters` or `stated`: per-level probabilities) over the levels."""
    pairs = [(p, y) for lv in levels for p, y in zip(lv[key], lv["labels"])]
    b = brier(pairs)
    return {"brier": b, "brierSkill": skill(b, uniform_brier(levels)), "ece": ece(pairs)}


HEADLINE = {"baseline": "letters", "sft": "letters", "grpo": "stated"}  # the readout each stage trained


def bootstrap_ci(levels: list[dict], key: str, n_boot: int, seed: int) -> dict:
    """95 % percentile intervals for Brier, skill and match rate, resampling whole cases with replacement."""
    import numpy as np

    cases = sorted({lv["case"] for lv in levels})
    index = {c: i for i, c in enumerate(cases)}
    sq, uni, npair, miss, nlev = (np.zeros(len(cases)) for _ in range(5))
    for lv in levels:
        i, k = index[lv["case"]], len(lv["labels"])
        sq[i] += sum((p - y) ** 2 for p, y in zip(lv[key], lv["labels"]))
        uni[i] += sum((1.0 / k - y) ** 2 for y in lv["labels"])
        npair[i] += k
        miss[i] += lv["match"] == "none"
        nlev[i] += 1
    rng = np.random.default_rng(seed)
    w = rng.multinomial(len(cases), [1.0 / len(cases)] * len(cases), size=n_boot).astype(float)
    b = (w @ sq) / (w @ npair)
    sk = 1.0 - (w @ sq) / np.maximum(w @ uni, 1e-12)
    mr = 1.0 - (w @ miss) / (w @ nlev)

    def iv(x):
        return [float(np.percentile(x, 2.5)), float(np.percentile(x, 97.5))]

    return {"brier": iv(b), "brierSkill": iv(sk), "matchRate": iv(mr)}


def summarize(levels: list[dict], stage: str = "baseline", n_boot: int = 0, seed: int = 0) -> dict:
    """Aggregate per-level results {case, probs (letter readout), stated, parsed, labels, nll, ntok, match} into one
    contract-3 eval body: the stage's headline readout on top, both readouts under `letters` / `stated`, parse
    failures, and (n_boot > 0) 95 % bootstrap intervals over cases.
    loss = mean token cross-entropy over all completion tokens of the group (token-weighted)."""
    levels = [{**lv, "letters": lv["probs"], "stated": lv.get("stated", lv["probs"])} for lv in levels]
    ntok = sum(lv["ntok"] for lv in levels)
    loss = sum(lv["nll"] for lv in levels) / max(ntok, 1)
    match = {"exact": 0, "semantic": 0, "llm": 0, "none": 0}
    for lv in levels:
        match[lv["match"]] += 1
    key = HEADLINE[stage]
    out = {
        "loss": loss,
        "perplexity": math.exp(min(loss, 700.0)),
        **readout(levels, key),
        "match": match,
        "n": len(levels),
        "letters": readout(levels, "letters"),
        "stated": readout(levels, "stated"),
        "parseFailures": sum(1 for lv in levels if not lv.get("parsed", True)),
    }
    if n_boot:
        out["ci"] = bootstrap_ci(levels, key, n_boot, seed)
    return out


def match_rate(match: dict) -> float:
    n = sum(match.values())
    return 1.0 - match["none"] / n if n else 0.0


def gate_specs() -> list[dict]:
    """schemas/gates.json: the production gates both halves read."""
    import json

    from .schemas import schema_dir

    return json.loads((schema_dir() / "gates.json").read_text())["gates"]


def gates(overall: dict, per_depth: dict) -> dict:
    """Each gate of schemas/gates.json: True (pass), False (fail) or None (no data: never a pass). The Brier gate
    met without skill (brierSkill <= 0) is a fail, and without a reported skill it is missing (as the dashboard)."""
    out = {}
    for g in gate_specs():
        if g["metric"] == "matchRate":
            groups = [m for d, m in per_depth.items() if d >= g["minDepth"]] if "minDepth" in g else [overall]
            counts = {k: sum(m["match"][k] for m in groups) for k in ("exact", "semantic", "llm", "none")}
            value = match_rate(counts) if sum(counts.values()) else None
        else:
            value = overall.get(g["metric"]) if overall.get("n") else None
        if value is None:
            out[g["id"]] = None
            continue
        ok = value < g["threshold"] if g["op"] == "<" else value > g["threshold"]
        if ok and g.get("skillRequired"):  # met without skill is a fail; skill not reported is missing
            sk = overall.get("brierSkill")
            ok = None if sk is None else sk > 0
        out[g["id"]] = ok
    return out
