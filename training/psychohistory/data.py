"""Cases (contract 1): load a .jsonl, reject bad lines with their line number, field and fix, before any GPU time.

The checked-in JSON Schema does the structural part; the rules training depends on (real calendar dates, depths
1, 2, 3…, exactly one actual per level, unique ids) are checked here because JSON Schema cannot say them.

One verdict with the editor and `psychohistory validate` (src/cases): every line the TypeScript validator calls an
error is an error here, on the same line, and no other. The shared corpus in test/fixtures/verdict/ holds both
suites to that. What that takes, beyond json.loads:
- lines end at \\r\\n, \\r or \\n only (str.splitlines also splits at U+2028, U+2029, U+0085, \\x1c…, which JSON
  allows inside strings); a blank line is spaces and tabs only; one leading byte order mark is dropped;
- the file is read as bytes and decoded as UTF-8 line by line (never the locale's encoding): invalid UTF-8 is an
  error at its line and column, and so is a lone surrogate (json.loads accepts "\\ud800");
- NaN and Infinity are not JSON; a line nested deeper than MAX_DEPTH is refused (json.loads would raise
  RecursionError somewhat deeper); a line that is not an object (null, 3, "x", []) is an error, not a TypeError;
- dates are checked digit by digit like the editor (date.fromisoformat refuses year 0000, re's \\d takes any
  Unicode digit);
- a FIFO or other non-regular file is refused before anything reads from it."""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from . import provenance, schemas


class DatasetError(ValueError):
    pass


MAX_LINE_LENGTH = 1_048_576  # UTF-16 code units, as in src/cases/lineCheck.ts
MAX_DEPTH = 100  # nested objects and arrays in one line, as in src/cases/lineCheck.ts
LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # the editor's line breaks; bytes 0x0a/0x0d never occur inside UTF-8 sequences
TEXT_LINE_BREAK = re.compile(r"\r\n|\r|\n")
ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|.)")
RAW_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Problem:
    """One error: 1-based line, 1-based column (characters) where the position matters, and the message with its fix."""

    line: int
    column: int | None
    message: str

    def render(self, source: str) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column is not None else "")
        return f"{source} {where}: {self.message}"


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if (year % 4 == 0 and year % 100 != 0) or year % 400 == 0 else 28
    return 30 if month in (4, 6, 9, 11) else 31


def date_problem(s) -> str | None:
    """Why `s` is not a real calendar date YYYY-MM-DD (proleptic Gregorian, ASCII digits), or None."""
    if (
        not isinstance(s, str)
        or len(s) != 10
        or s[4] != "-"
        or s[7] != "-"
        or not all("0" <= s[k] <= "9" for k in (0, 1, 2, 3, 5, 6, 8, 9))
    ):
        return f"{s!r} is not a date as YYYY-MM-DD"
    year, month, day = int(s[:4]), int(s[5:7]), int(s[8:])
    if not 1 <= month <= 12 or not 1 <= day <= _days_in_month(year, month):
        return f"{s!r} is not a real calendar date"
    return None


def rule_errors(case: dict) -> list[str]:
    out = []
    problem = date_problem(case["seed"]["date"])
    if problem:
        out.append(f"seed/date: {problem}; fix: use YYYY-MM-DD")
    for i, level in enumerate(case["levels"]):
        if level["depth"] != i + 1:
            out.append(f"levels/{i}/depth: is {level['depth']}, expected {i + 1}; fix: depths start at 1 and rise by 1")
        n_actual = sum(1 for c in level["candidates"] if c["label"] == 1)
        if n_actual != 1:
            out.append(
                f"levels/{i}/candidates: {n_actual} candidates have label 1; "
                "fix: label exactly one candidate (the actual outcome) with 1"
            )
    return out


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _int(digits: str):
    # Past Python's 4,300-digit limit int() raises; JavaScript reads such a number as a float (or Infinity).
    return int(digits) if len(digits) <= 4000 else float(digits)


def _is_blank(line: str) -> bool:
    return line.strip(" \t") == ""


def _utf16_length(line: str) -> int:
    return len(line) + sum(1 for ch in line if ord(ch) > 0xFFFF) if len(line) > MAX_LINE_LENGTH // 2 else len(line)


def _depth_and_surrogates(value) -> tuple[int, bool]:
    """Deepest nesting of objects and arrays, and whether a key or string holds a lone surrogate (iterative)."""
    deepest, lone, stack = 0, False, [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            deepest = max(deepest, d)
            for k, x in v.items():
                lone = lone or bool(RAW_SURROGATE.search(k))
                if isinstance(x, (dict, list)):
                    stack.append((x, d + 1))
                elif isinstance(x, str) and not lone:
                    lone = bool(RAW_SURROGATE.search(x))
        elif isinstance(v, list):
            deepest = max(deepest, d)
            for x in v:
                if isinstance(x, (dict, list)):
                    stack.append((x, d + 1))
                elif isinstance(x, str) and not lone:
                    lone = bool(RAW_SURROGATE.search(x))
    if isinstance(value, str):
        lone = bool(RAW_SURROGATE.search(value))
    return deepest, lone


def lone_surrogate_column(line: str) -> int | None:
    """1-based column of the first lone surrogate in a line of valid JSON, written raw or as a \\u escape."""
    raw = RAW_SURROGATE.search(line)
    first = raw.start() if raw else None
    pending = None  # (column of a high-surrogate escape, where it ends)
    for m in ESCAPE.finditer(line):
        if first is not None and m.start() >= first:
            break
        code = int(m.group(1), 16) if m.group(1) else None
        if pending is not None:
            if m.start() == pending[1] and code is not None and 0xDC00 <= code <= 0xDFFF:
                pending = None
                continue
            first = pending[0]
            break
        if code is not None and 0xD800 <= code <= 0xDBFF:
            pending = (m.start(), m.end())
        elif code is not None and 0xDC00 <= code <= 0xDFFF:
            first = m.start()
            break
    else:
        if pending is not None and (first is None or pending[0] < first):
            first = pending[0]
    return None if first is None else first + 1


def _type_name(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array"


def check_lines(lines, problems: list[Problem]) -> list[dict]:
    """Check decoded lines (None for a line that is not UTF-8, already reported); return the valid cases and append
    every error to `problems`."""
    cases, ids = [], {}
    for lineno, line in enumerate(lines, 1):
        if line is None or _is_blank(line):
            continue
        if _utf16_length(line) > MAX_LINE_LENGTH:
            problems.append(
                Problem(
                    lineno,
                    None,
                    f"line is over the {MAX_LINE_LENGTH:,} character limit; fix: split the case or shorten its texts",
                )
            )
            continue
        try:
            case = json.loads(line, parse_constant=_no_constant, parse_int=_int)
        except json.JSONDecodeError as e:
            problems.append(Problem(lineno, e.colno, f"not valid JSON ({e.msg}); fix: one JSON object per line"))
            continue
        except RecursionError:
            problems.append(
                Problem(lineno, None, f"nested deeper than {MAX_DEPTH} levels; fix: one flat case object per line")
            )
            continue
        except ValueError as e:  # NaN, Infinity
            problems.append(Problem(lineno, None, f"not valid JSON ({e}); fix: use a number or null"))
            continue
        if not isinstance(case, dict):
            problems.append(
                Problem(
                    lineno,
                    1,
                    f"a case is a JSON object, this line is {_type_name(case)}; fix: one case object per line",
                )
            )
            continue
        if line.count("[") + line.count("{") <= MAX_DEPTH and "\\u" not in line and not RAW_SURROGATE.search(line):
            depth, lone = 1, False  # too few brackets to nest past the limit, no escapes: skip the walk
        else:
            depth, lone = _depth_and_surrogates(case)
        if depth > MAX_DEPTH:
            # Refused whole, like a line json.loads cannot parse: its id counts for nothing.
            problems.append(
                Problem(
                    lineno,
                    None,
                    f"nested {depth} levels deep, over the {MAX_DEPTH} limit; fix: one flat case object per line",
                )
            )
            continue
        errs: list[str] = []
        if lone:
            problems.append(
                Problem(
                    lineno,
                    lone_surrogate_column(line),
                    "lone surrogate in a string: not Unicode text, a tokenizer cannot read it; "
                    "fix: write the whole character (a \\uD8xx escape needs its \\uDCxx pair)",
                )
            )
        case_id = case.get("id")
        if isinstance(case_id, str) and case_id:
            # The editor checks ids on every object line, valid or not: so does this.
            if case_id in ids:
                errs.append(f"id: {case_id!r} already used on line {ids[case_id]}; fix: make ids unique")
            else:
                ids[case_id] = lineno
        errs += schemas.errors("case", case) or rule_errors(case) + provenance.source_errors(case)
        problems += [Problem(lineno, None, e) for e in errs]
        if not errs and not lone:
            case["_line"] = lineno
            cases.append(case)
    return cases


def decode_lines(data: bytes, problems: list[Problem]) -> list[str | None]:
    """Split bytes into lines as the editor does and decode each as strict UTF-8 (None where it is not)."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    out: list[str | None] = []
    for lineno, raw in enumerate(LINE_BREAK.split(data), 1):
        try:
            out.append(raw.decode("utf-8", errors="strict"))
        except UnicodeDecodeError as e:
            column = len(raw[: e.start].decode("utf-8")) + 1
            problems.append(
                Problem(
                    lineno,
                    column,
                    f"not valid UTF-8 (byte 0x{raw[e.start]:02x} at byte "
                    f"{e.start + 1} of the line: {e.reason}); fix: save the file as UTF-8",
                )
            )
            out.append(None)
    return out


def _raise(problems: list[Problem], cases: list[dict], source: str) -> list[dict]:
    if problems:
        rendered = [p.render(source) for p in sorted(problems, key=lambda p: (p.line, p.column or 0))]
        shown = rendered[:20] + ([f"... and {len(rendered) - 20} more"] if len(rendered) > 20 else [])
        raise DatasetError(f"{len(problems)} problem(s) in {source}:\n" + "\n".join(shown))
    if not cases:
        raise DatasetError(f"{source} has no cases; fix: one case (contract 1) per line")
    return cases


def check_bytes(data: bytes) -> tuple[list[dict], list[Problem]]:
    """The valid cases and every error of a case file's bytes; never raises on bad input."""
    problems: list[Problem] = []
    lines = decode_lines(data, problems)
    cases = check_lines(lines, problems)
    return cases, sorted(problems, key=lambda p: (p.line, p.column or 0))


def check_text(text: str) -> tuple[list[dict], list[Problem]]:
    """`check_bytes` for text already decoded (dataset_text)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    problems: list[Problem] = []
    cases = check_lines(TEXT_LINE_BREAK.split(text), problems)
    return cases, sorted(problems, key=lambda p: (p.line, p.column or 0))


def parse_cases(text: str, source: str = "dataset") -> list[dict]:
    """Parse and validate JSONL text; raise DatasetError listing every bad line."""
    cases, problems = check_text(text)
    return _raise(problems, cases, source)


def read_case_file(path: str) -> bytes:
    """The bytes of a regular file; a FIFO, socket, device or directory is refused without blocking on it."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise DatasetError(
            f"dataset {path} does not exist; fix: pass --dataset=FILE.jsonl "
            "(generate one with `python3 scripts/generate_candidate_data.py`)"
        ) from None
    except OSError as e:
        raise DatasetError(f"dataset {path} cannot be read: {e.strerror}") from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a FIFO" if stat.S_ISFIFO(mode) else "a directory" if stat.S_ISDIR(mode) else "not a regular file"
            raise DatasetError(f"dataset {path} is {kind}; fix: pass a regular .jsonl file")
        with os.fdopen(fd, "rb", closefd=True) as f:
            fd = -1
            return f.read()
    finally:
        if fd >= 0:
            os.close(fd)


def load_cases(path: str = "", text: str = "") -> list[dict]:
    if text:
        return parse_cases(text, "dataset_text")
    if not path:
        raise DatasetError("no dataset: pass --dataset=FILE.jsonl (or dataset_text with the JSONL inline)")
    cases, problems = check_bytes(read_case_file(path))
    return _raise(problems, cases, str(Path(path)))


def select_split(cases: list[dict], split: str) -> list[dict]:
    """Cases of one split; a case without `split` counts as train."""
    out = [c for c in cases if c.get("split", "train") == split]
    if not out:
        have = sorted({c.get("split", "train") for c in cases})
        raise DatasetError(f"no cases in split {split!r}; the dataset has: {', '.join(have)}")
    return out


def case_id(case: dict) -> str:
    return case.get("id") or f"line-{case.get('_line', 0)}"
