"""The matcher's measured agreement and speed (issue 14). bench/match-pairs.jsonl holds short event descriptions in
pairs labelled same/different by reasoning about the events (paraphrases, the same actor doing something else,
negations, numbers, dates, cause and effect, more or less detail), split into a calibration and a held-out half.

  - calibrates the embedding threshold on the calibration half: the cosine with the best F1 of the matcher's
    `semantic` rule (exact, or Jaccard > 0.6, or cosine >= t), placed midway between the neighbouring cosines;
  - the judge's band (see `calibrate`);
  - reports precision, recall and F1 on the held-out half of: exact, Jaccard (exact or Jaccard > 0.6), embeddings
    alone (cosine >= t) and the matcher (exact, Jaccard or embeddings), with the held-out errors by kind;
  - all of that with the model in float32, the thresholds' definition; where the default runs it in bfloat16 (a CPU
    with AMX, see matching.Embedder), also that path's own calibration and both halves' tables at the shipped
    threshold (`bfloat16`);
  - times matching 10,000 predicted/actual pairs on CPU without the judge: cold (every text new to the cache), the
    default path and float32 side by side, and warm (the same pairs again, embeddings cached);
  - with --judge=openrouter:<model> (OPENROUTER_API_KEY; OPENROUTER_BASE_URL for another OpenAI-compatible endpoint),
    the whole matcher with that judge on the held-out half (`b` is the reference): precision, recall and F1 of
    "matched at all", how many pairs it asked, how many it could not decide (`none` with a reason), and its cost.

    python bench/match.py [--out=match.json] [--pairs=10000] [--judge=openrouter:<model>]"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch  # noqa: E402
from psychohistory import matching  # noqa: E402
from psychohistory.metrics import jaccard, normalize  # noqa: E402

PAIRS = Path(__file__).resolve().parent / "match-pairs.jsonl"


def load_pairs(path: Path = PAIRS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def prf(pred: list[bool], gold: list[bool]) -> dict:
    tp = sum(p and g for p, g in zip(pred, gold))
    fp = sum(p and not g for p, g in zip(pred, gold))
    fn = sum(g and not p for p, g in zip(pred, gold))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3), "n": len(gold)}


def features(pairs: list[dict], embedder: matching.Embedder) -> list[dict]:
    """Per pair: exact, Jaccard and cosine (the matcher's own pieces)."""
    va = embedder.encode([p["a"] for p in pairs])
    vb = embedder.encode([p["b"] for p in pairs])
    cos = (va * vb).sum(axis=1)
    return [
        {
            "exact": normalize(p["a"]) == normalize(p["b"]),
            "jaccard": jaccard(p["a"], p["b"]),
            "cosine": float(c),
            "same": p["same"],
            "kind": p["kind"],
        }
        for p, c in zip(pairs, cos)
    ]


def lexical(f: dict) -> bool:
    return f["exact"] or f["jaccard"] > matching.JACCARD


def calibrate(feats: list[dict]) -> dict:
    """The matcher's thresholds from the calibration half:
    cosine     best F1 of the `semantic` rule (exact, Jaccard or cosine >= t); the lowest such t, moved midway to the
               next lower cosine;
    judgeLow   the 5th percentile of the cosines of the `same` pairs the lexical rules miss, rounded down to 0.05:
               the judge sees 95 % of what it could recover;
    judgeHigh  the lowest cosine from which the pairs the lexical rules leave are at least 90 % `same` (at least 5 of
               them); 1.0 when no cosine is that sure, and then every pair from judgeLow up goes to the judge."""
    gold = [f["same"] for f in feats]
    cands = sorted({f["cosine"] for f in feats})
    best, t = -1.0, 1.0
    for i, c in enumerate(cands):
        f1 = prf([lexical(f) or f["cosine"] >= c for f in feats], gold)["f1"]
        if f1 > best:
            best, t = f1, (c + cands[i - 1]) / 2 if i else c
    rest = [f for f in feats if not lexical(f)]
    same = sorted(f["cosine"] for f in rest if f["same"])
    low = math.floor(same[int(0.05 * len(same))] * 20) / 20 if same else t
    high = 1.0
    for c in cands:
        above = [f for f in rest if f["cosine"] >= c]
        if len(above) >= 5 and sum(f["same"] for f in above) >= 0.9 * len(above):
            high = c
            break
    return {"cosine": round(t, 3), "judgeLow": low, "judgeHigh": round(high, 3)}


def report(feats: list[dict], t: float) -> dict:
    gold = [f["same"] for f in feats]
    rules = {
        "exact": lambda f: f["exact"],
        "jaccard": lexical,
        "embeddings": lambda f: f["cosine"] >= t,
        "matcher": lambda f: lexical(f) or f["cosine"] >= t,
    }
    out = {name: prf([rule(f) for f in feats], gold) for name, rule in rules.items()}
    errors: dict[str, dict] = {}
    for f in feats:
        said = rules["matcher"](f)
        if said != f["same"]:
            e = errors.setdefault(f["kind"], {"falseSame": 0, "falseDifferent": 0})
            e["falseSame" if said else "falseDifferent"] += 1
    out["matcherErrorsByKind"] = errors
    return out


def cold(m: matching.Matcher, pairs: list[tuple]) -> tuple[list[matching.Match], dict]:
    """Match pairs with an empty cache: wall and CPU seconds (this process's; other jobs on the machine inflate the
    wall time, less the CPU time), and the load average just before."""
    m.embedder.model()  # loading the model is not matching
    load = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    out = m.match_many(pairs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return out, {
        "dtype": m.embedder.dtype,
        "threads": m.embedder.threads or torch.get_num_threads(),
        "seconds": round(wall, 2),
        "cpuSeconds": round(cpu, 2),
        "loadAverage": [round(x, 2) for x in load],
    }


def speed(n: int, texts: list[str]) -> dict:
    """n predicted/actual pairs through a fresh Matcher on CPU (no judge): every prediction a new text, actuals
    repeating as a split's do. The embedder's default (`new`) and the path before it (`old`: float32, torch's
    threads, one per core) side by side in one run, on the same pairs, with how far their cosines and verdicts
    differ; then the same pairs again with the cache warm."""
    rng = random.Random(0)
    pairs = [(f"{rng.choice(texts)} ({i})", rng.choice(texts)) for i in range(n)]
    old_m = matching.Matcher(matching.Embedder(device="cpu", dtype="float32", threads=None))
    old, old_t = cold(old_m, pairs)
    m = matching.Matcher(matching.Embedder(device="cpu"))
    new, new_t = cold(m, pairs)
    t0 = time.perf_counter()
    m.match_many(pairs)
    warm = time.perf_counter() - t0
    dcos = [abs(a.cosine - b.cosine) for a, b in zip(old, new) if a.cosine is not None and b.cosine is not None]
    return {
        "pairs": n,
        "textsEmbedded": m.embedder.encoded,
        "cold": {"new": new_t, "old": old_t},
        "oldOverNew": {
            "seconds": round(old_t["seconds"] / new_t["seconds"], 2),
            "cpuSeconds": round(old_t["cpuSeconds"] / new_t["cpuSeconds"], 2),
        },
        "warmSeconds": round(warm, 2),
        "kinds": {k: sum(1 for x in new if x.kind == k) for k in ("exact", "semantic", "none")},
        "maxCosineChange": round(max(dcos, default=0.0), 4),
        # [old cosine, new cosine] of every pair whose verdict differs between the two paths
        "verdictsChanged": [[round(a.cosine, 4), round(b.cosine, 4)] for a, b in zip(old, new) if a.kind != b.kind],
    }


def agreement(pairs: list[dict], embedder: matching.Embedder, t: float | None = None) -> dict:
    """The thresholds calibrated with one embedder, and both halves' tables at t (default: the calibrated cosine)."""
    cal = features([p for p in pairs if p["split"] == "calibration"], embedder)
    held = features([p for p in pairs if p["split"] == "heldout"], embedder)
    thresholds = calibrate(cal)
    t = thresholds["cosine"] if t is None else t
    return {"calibrated": thresholds, "calibration": report(cal, t), "heldout": report(held, t)}


def judged(pairs: list[dict], spec: str) -> dict:
    """The matcher with the judge `spec` (its band and the float32 model, as shipped) on `pairs`."""
    judge = matching.make_judge(spec)
    m = matching.Matcher(embeddings=matching.Embedder(device="cpu", dtype="float32"), judge=judge)
    said = m.match_many([(p["a"], p["b"]) for p in pairs])
    return {
        "model": spec,
        **prf([x.kind != "none" for x in said], [p["same"] for p in pairs]),
        "asked": sum(x.reason.startswith("judge") for x in said),
        "undecided": sum(x.reason.startswith("judge failed") for x in said),
        "usd": round(getattr(judge, "usd", 0.0), 6),
    }


def main(argv: list[str]) -> dict:
    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--"))
    pairs = load_pairs()
    # the thresholds are the float32 model's (what a GPU and a CPU without AMX run)
    f32 = agreement(pairs, matching.Embedder(device="cpu", dtype="float32"))
    texts = sorted({p[k] for p in pairs for k in ("a", "b")})
    result = {
        "pairs": {h: f32[h]["exact"]["n"] for h in ("calibration", "heldout")},
        "calibrated": f32["calibrated"],
        "matcher": matching.settings(judge=True),
        "calibration": f32["calibration"],
        "heldout": f32["heldout"],
    }
    default = matching.Embedder(device="cpu")
    default.model()
    if default.dtype != "float32":
        # what this CPU's default path says: its own calibration, and both tables at the shipped threshold
        own = agreement(pairs, default, matching.COSINE)
        result[default.dtype] = {"calibrated": own["calibrated"]} | {
            h: {k: v for k, v in own[h].items() if k != "matcherErrorsByKind"} for h in ("calibration", "heldout")
        }
    if opts.get("judge"):
        result["judge"] = judged([p for p in pairs if p["split"] == "heldout"], opts["judge"])
    result["speed"] = speed(int(opts.get("pairs", 10000)), texts)
    print(json.dumps(result, indent=2))
    if "out" in opts:
        Path(opts["out"]).write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
