"""Provenance rules of contract 1 (seed/candidate `sources`, `review`, the knowledge cutoff), as in the editor
(src/cases/provenanceRules.ts); the shared corpus test/fixtures/verdict/corpus.json holds both to one verdict.

Errors (the loader refuses the line): a source's `published` shaped YYYY-MM-DD that is not a real date.
Warnings (the loader keeps the case), on valid cases:
- source-before-event: a source published before the seed date;
- verified-without-sources: a `verified` case whose actual at some depth lacks two sources (distinct URLs)
  published on or after the seed date;
- eval-before-cutoff: an `eval` case dated on or before the base model's knowledge cutoff (recall, not forecast)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from . import schemas

MIN_VERIFIED_SOURCES = 2
_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}\Z")


@dataclass(frozen=True)
class Warning:
    line: int
    code: str
    message: str


def _sources(value, path: str) -> list[tuple[str, dict]]:
    """Sources with a string url and published (the schema reports the others). The schema's \\d takes any Unicode
    digit in Python's re, so a date shaped with other digits is kept here for source_errors to refuse."""
    if not isinstance(value, list):
        return []
    return [
        (f"{path}/{k}", s)
        for k, s in enumerate(value)
        if isinstance(s, dict) and isinstance(s.get("url"), str) and isinstance(s.get("published"), str)
    ]


def _all_sources(case: dict) -> tuple[list[tuple[str, dict]], list[tuple[int, list[tuple[str, dict]]]]]:
    """Every dated source of a case, and per level the actual's."""
    seed = case.get("seed") if isinstance(case.get("seed"), dict) else {}
    every = _sources(seed.get("sources"), "seed/sources")
    actuals = []
    for i, level in enumerate(case.get("levels") or []):
        for k, c in enumerate(level.get("candidates") or [] if isinstance(level, dict) else []):
            if not isinstance(c, dict):
                continue
            found = _sources(c.get("sources"), f"levels/{i}/candidates/{k}/sources")
            every += found
            if c.get("label") == 1:
                actuals.append((i + 1, found))
    return every, actuals


def source_errors(case: dict) -> list[str]:
    """A source's publication date that is shaped right but is not a real calendar date."""
    from .data import date_problem

    out = []
    for path, s in _all_sources(case)[0]:
        problem = date_problem(s["published"])
        if problem:
            out.append(f"{path}/published: {problem}; fix: use the real publication date as YYYY-MM-DD")
    return out


def case_warnings(case: dict, line: int) -> list[Warning]:
    """source-before-event and verified-without-sources for one valid case."""
    out = []
    seed_date = case["seed"]["date"]
    every, actuals = _all_sources(case)
    every = [(p, s) for p, s in every if _DATE_SHAPE.match(s["published"])]
    actuals = [(d, [(p, s) for p, s in found if _DATE_SHAPE.match(s["published"])]) for d, found in actuals]
    for path, s in every:
        if s["published"] < seed_date:
            out.append(
                Warning(
                    line,
                    "source-before-event",
                    f"{path}/published {s['published']} is before the seed "
                    f"date {seed_date}; fix: check the date or the source",
                )
            )
    if (case.get("review") or {}).get("status") == "verified":
        for depth, found in actuals:
            urls = {s["url"] for _, s in found if s["published"] >= seed_date}
            if len(urls) < MIN_VERIFIED_SOURCES:
                out.append(
                    Warning(
                        line,
                        "verified-without-sources",
                        f"verified, but the actual at depth {depth} has {len(urls)} source(s) published on "
                        f"or after {seed_date} (needs {MIN_VERIFIED_SOURCES}); fix: add sources or set "
                        "review.status to draft",
                    )
                )
    return out


def parse_cutoff(text: str) -> str | None:
    """YYYY-MM-DD, or YYYY-MM for that month's last day; None when it is neither."""
    from .data import _days_in_month, date_problem

    t = (text or "").strip()
    if _MONTH.match(t):
        year, month = int(t[:4]), int(t[5:])
        return f"{t}-{_days_in_month(year, month):02d}" if 1 <= month <= 12 else None
    return t if date_problem(t) is None else None


def default_cutoff(base_model: str) -> str | None:
    """The knowledge cutoff of a base model from schemas/knowledge-cutoffs.json (None when not listed)."""
    models = json.loads((schemas.schema_dir() / "knowledge-cutoffs.json").read_text(encoding="utf-8"))["models"]
    return models.get(base_model)


def warnings(cases: list[dict], cutoff: str | None = None) -> list[Warning]:
    """Every provenance warning of the valid cases of a file (each with its `_line`), in line order."""
    out = []
    for case in cases:
        line = case.get("_line", 0)
        out += case_warnings(case, line)
        if cutoff and case.get("split") == "eval" and case["seed"]["date"] <= cutoff:
            out.append(
                Warning(
                    line,
                    "eval-before-cutoff",
                    f"eval case dated {case['seed']['date']}, on or before the "
                    f"knowledge cutoff {cutoff}: it measures recall; fix: move it to train or use a later case",
                )
            )
    return sorted(out, key=lambda w: w.line)


def report(cases: list[dict], base_model: str, limit: int = 20) -> list[str]:
    """The provenance warnings of a dataset as log lines (the cutoff is the base model's), at most `limit` and a count."""
    found = warnings(cases, default_cutoff(base_model))
    lines = [f"line {w.line}: warning {w.code}: {w.message}" for w in found[:limit]]
    return lines + ([f"... and {len(found) - limit} more provenance warnings"] if len(found) > limit else [])
