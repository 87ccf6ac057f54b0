"""Cases (contract 1): load a .jsonl, reject bad lines with their line number, field and fix, before any GPU time.

The checked-in JSON Schema does the structural part; the rules training depends on (real calendar dates, depths
1, 2, 3…, exactly one actual per level, unique ids) are checked here because JSON Schema cannot say them."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from . import schemas


class DatasetError(ValueError):
    pass


def rule_errors(case: dict) -> list[str]:
    out = []
    try:
        dt.date.fromisoformat(case["seed"]["date"])
    except ValueError:
        out.append(f"seed/date: {case['seed']['date']!r} is not a real calendar date; fix: use YYYY-MM-DD")
    for i, level in enumerate(case["levels"]):
        if level["depth"] != i + 1:
            out.append(f"levels/{i}/depth: is {level['depth']}, expected {i + 1}; "
                       "fix: depths start at 1 and rise by 1")
        n_actual = sum(1 for c in level["candidates"] if c["label"] == 1)
        if n_actual != 1:
            out.append(f"levels/{i}/candidates: {n_actual} candidates have label 1; "
                       "fix: label exactly one candidate (the actual outcome) with 1")
    return out


def parse_cases(text: str, source: str = "dataset") -> list[dict]:
    """Parse and validate JSONL text; raise DatasetError listing every bad line."""
    cases, problems, ids = [], [], {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(f"{source} line {lineno}: not valid JSON ({e.msg} at column {e.colno}); "
                            "fix: one JSON object per line")
            continue
        errs = schemas.errors("case", case)
        if not errs:
            errs = rule_errors(case)
        if "id" in case and not errs:
            if case["id"] in ids:
                errs.append(f"id: {case['id']!r} already used on line {ids[case['id']]}; fix: make ids unique")
            ids.setdefault(case["id"], lineno)
        problems += [f"{source} line {lineno}: {e}" for e in errs]
        if not errs:
            case["_line"] = lineno
            cases.append(case)
    if problems:
        shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
        raise DatasetError(f"{len(problems)} problem(s) in {source}:\n" + "\n".join(shown))
    if not cases:
        raise DatasetError(f"{source} has no cases; fix: one case (contract 1) per line")
    return cases


def load_cases(path: str = "", text: str = "") -> list[dict]:
    if text:
        return parse_cases(text, "dataset_text")
    if not path:
        raise DatasetError("no dataset: pass --dataset=FILE.jsonl (or dataset_text with the JSONL inline)")
    p = Path(path)
    if not p.exists():
        raise DatasetError(f"dataset {path} does not exist; fix: pass --dataset=FILE.jsonl "
                           "(generate one with `python3 scripts/generate_candidate_data.py`)")
    return parse_cases(p.read_text(), str(p))


def select_split(cases: list[dict], split: str) -> list[dict]:
    """Cases of one split; a case without `split` counts as train."""
    out = [c for c in cases if c.get("split", "train") == split]
    if not out:
        have = sorted({c.get("split", "train") for c in cases})
        raise DatasetError(f"no cases in split {split!r}; the dataset has: {', '.join(have)}")
    return out


def case_id(case: dict) -> str:
    return case.get("id") or f"line-{case.get('_line', 0)}"
