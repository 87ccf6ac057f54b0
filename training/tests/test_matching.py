"""The matcher with the real all-MiniLM-L6-v2 from its PyPI package (CPU, a few hundred short texts at most): rules,
bad input, batching and the cache, and the checked-in thresholds against a fresh calibration."""

import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from psychohistory import matching

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import match as bench  # noqa: E402


@pytest.fixture(scope="module")
def matcher():
    return matching.Matcher()


def test_lexical_rules_without_embeddings():
    m = matching.Matcher(embeddings=False)
    assert m.match("Stock drops 15%!", "stock drops 15 %").kind == "exact"
    assert m.match("U.S. sanctions", "US sanctions").kind == "exact"
    # {central, bank, raises, rates} vs {central, bank, raises, interest, rates}: 4/5 = 0.8
    got = m.match("Central bank raises rates", "Central bank raises interest rates")
    assert got.kind == "semantic" and got.score == pytest.approx(0.8) and got.cosine is None
    # exactly 0.6 is not semantic (the rule is > 0.6): {a,b,c} vs {a,b,c,d,e}
    assert m.match("a b c", "a b c d e").kind == "none"
    assert m.match("Rain in Spain", "Stock drops").kind == "none"
    assert m.settings() == {"version": matching.VERSION, "jaccard": 0.6}


def test_embeddings_find_the_paraphrases_jaccard_misses(matcher):
    for a, b in [
        ("Interest rates go up", "Rates rise"),
        ("Stock drops 15%", "Shares fall sharply"),
        ("CEO resigns", "Chief executive steps down"),
    ]:
        got = matcher.match(a, b)
        assert got.kind == "semantic" and got.cosine >= matching.COSINE and got.jaccard <= 0.6, (a, b, got)
        assert got.score == got.cosine and "cosine" in got.reason
    got = matcher.match("Volcano erupts", "Central bank cuts rates")
    assert got.kind == "none" and got.cosine < matching.COSINE
    assert matcher.settings() == {
        "version": matching.VERSION,
        "jaccard": 0.6,
        "cosine": matching.COSINE,
        "model": matching.MODEL,
    }


def test_bad_input_is_none_with_a_reason(matcher):
    cases = {
        ("", "Rates rise"): "empty prediction",
        ("Rates rise", "!!!"): "empty actual",
        (None, "Rates rise"): "empty prediction",
        ("x" * 5000, "Rates rise"): "too long",
    }
    for (p, a), reason in cases.items():
        got = matcher.match(p, a)
        assert got.kind == "none" and reason in got.reason, (p, a, got)
    # two different sentences the English model cannot read: no cosine, so they do not look alike to it
    got = matcher.match("ธนาคารกลางขึ้นอัตราดอกเบี้ย", "แผ่นดินไหวครั้งใหญ่")
    assert got.kind == "none" and got.cosine is None and "cannot read" in got.reason
    assert matcher.match("日本銀行が利上げ", "日本銀行が利上げ").kind == "exact"  # exact needs no model
    assert matcher.match("Café opens", "Cafe\u0301 opens").kind == "exact"


def test_batched_and_cached(matcher):
    pairs = [
        ("Oil prices surge", "Crude oil prices jump"),
        ("Oil prices surge", "Airline stocks fall"),
        ("Crude oil prices jump", "Oil prices surge"),
    ]
    one_by_one = [matcher.match(p, a) for p, a in pairs]
    before = matcher.embedder.encoded
    batch = matcher.match_many(pairs)
    assert matcher.embedder.encoded == before  # every text already embedded: nothing new to encode
    assert [b.kind for b in batch] == [o.kind for o in one_by_one]
    assert [b.cosine for b in batch] == pytest.approx([o.cosine for o in one_by_one], abs=1e-5)
    fresh = matching.Matcher()
    fresh.match_many(pairs + pairs + [(" Oil  prices surge", "Crude oil prices jump ")])
    assert fresh.embedder.encoded == 3  # three distinct texts (whitespace collapsed), each embedded once
    vecs = fresh.embedder.encode(["Oil prices surge", "Oil  prices surge\n"])
    assert (vecs[0] == vecs[1]).all() and fresh.embedder.encoded == 3
    assert np.linalg.norm(vecs, axis=1) == pytest.approx([1.0, 1.0], abs=1e-6)


def test_model_dtype():
    assert matching.Embedder(device="cpu", dtype="float32").model().dtype == torch.float32
    amx = torch.cpu._is_amx_tile_supported()
    auto = matching.Embedder(device="cpu")
    auto.model()
    assert auto.dtype == ("bfloat16" if amx else "float32")
    # float32 normalised to unit rows whatever the model ran in
    vecs = matching.Embedder(device="cpu", dtype="bfloat16").encode(["Rates rise", "Interest rates go up"])
    assert vecs.dtype == np.float32 and np.linalg.norm(vecs, axis=1) == pytest.approx([1.0, 1.0], abs=1e-6)


def test_encodes_with_one_thread_and_restores_the_process_setting(monkeypatch):
    e = matching.Embedder(device="cpu")
    seen = []
    real = e.model().encode
    monkeypatch.setattr(e.model(), "encode", lambda *a, **k: seen.append(torch.get_num_threads()) or real(*a, **k))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        e.encode(["Rates rise"])
        assert seen == [1] and torch.get_num_threads() == 2
        e.threads = None  # torch's setting
        e.encode(["Rates fall"])
        assert seen == [1, 2]
    finally:
        torch.set_num_threads(before)


def test_bfloat16_gives_the_float32_verdicts_on_the_labelled_pairs():
    """The bfloat16 path (default on a CPU with AMX) moves cosines by a few thousandths: on every labelled pair it
    says what the float32 model, which the thresholds are calibrated on, says."""
    pairs = bench.load_pairs()
    f32 = bench.features(pairs, matching.Embedder(device="cpu", dtype="float32"))
    bf16 = bench.features(pairs, matching.Embedder(device="cpu", dtype="bfloat16"))
    assert max(abs(a["cosine"] - b["cosine"]) for a, b in zip(f32, bf16)) < 0.01
    for cut in (matching.COSINE, matching.JUDGE_LOW):
        assert [f["cosine"] >= cut for f in f32] == [f["cosine"] >= cut for f in bf16]


def test_judge_band_and_failures():
    calls = []

    def judge(p, a):
        calls.append(p)
        if p == "Rates rise":
            raise TimeoutError("no answer")
        return True

    m = matching.Matcher(judge=judge)
    assert m.match("Volcano erupts", "Central bank cuts rates").kind == "none"  # below the band: not asked
    got = m.match("Fed holds rates steady", "Fed raises rates")  # a negation: high cosine, the judge decides
    assert got.kind == "llm" and matching.JUDGE_LOW <= got.cosine < matching.JUDGE_HIGH
    got = m.match("Rates rise", "Interest rates go up")
    assert got.kind == "none" and got.reason == "judge failed: TimeoutError: no answer"
    assert calls == ["Fed holds rates steady", "Rates rise"]
    assert m.settings()["judgeBand"] == [matching.JUDGE_LOW, matching.JUDGE_HIGH]


def test_pair_set_and_checked_in_thresholds_match_a_fresh_calibration():
    pairs = bench.load_pairs()
    assert len(pairs) >= 300 and {p["split"] for p in pairs} == {"calibration", "heldout"}
    assert len({(p["a"], p["b"]) for p in pairs}) == len(pairs)
    for split in ("calibration", "heldout"):
        half = [p for p in pairs if p["split"] == split]
        assert 0.4 < sum(p["same"] for p in half) / len(half) < 0.6
        assert {p["kind"] for p in half} >= {"paraphrase", "entity", "negation", "number", "date"}
    f32 = matching.Embedder(device="cpu", dtype="float32")  # the thresholds are the float32 model's
    cal = bench.features([p for p in pairs if p["split"] == "calibration"], f32)
    got = bench.calibrate(cal)
    assert got["cosine"] == pytest.approx(matching.COSINE, abs=0.005)
    assert got["judgeLow"] == pytest.approx(matching.JUDGE_LOW) and got["judgeHigh"] == matching.JUDGE_HIGH


def test_without_the_model_package_the_matcher_says_jaccard_only(monkeypatch, caplog):
    monkeypatch.setattr(matching.Embedder, "available", staticmethod(lambda: False))
    m = matching.Matcher()
    assert m.embedder is None and "cosine" not in m.settings()
    assert m.match("Interest rates go up", "Rates rise").kind == "none"
    assert "semantic match by token Jaccard only" in caplog.text
