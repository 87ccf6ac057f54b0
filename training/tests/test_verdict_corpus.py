"""One verdict on a case file: the Python loader reports the errors the shared corpus lists (the TypeScript suite reads
the same file, test/unit/cases/verdictCorpus.test.ts), and refuses a FIFO without blocking."""

import json
import os
import threading
from pathlib import Path

import pytest

from psychohistory import data, provenance

REPO = Path(__file__).resolve().parents[2]
CORPUS = json.loads((REPO / "test/fixtures/verdict/corpus.json").read_text(encoding="utf-8"))["inputs"]


def content(entry: dict) -> bytes:
    if "text" in entry:
        return entry["text"].encode("utf-8")
    if "bytes" in entry:
        return entry["bytes"].encode("latin-1")
    if "parts" in entry:
        return "".join(s * n for s, n in entry["parts"]).encode("utf-8")
    return (REPO / entry["file"]).read_bytes()


def verdict(problems: list[data.Problem], expected: list[dict]) -> dict:
    """The error lines, and for each expected column the columns reported on that line."""
    lines = sorted({p.line for p in problems})
    columns = {
        e["line"]: sorted({p.column for p in problems if p.line == e["line"] and p.column is not None})
        for e in expected
        if "column" in e
    }
    return {"lines": lines, "columns": columns}


@pytest.mark.parametrize("entry", CORPUS, ids=[e["name"] for e in CORPUS])
def test_corpus_verdict(entry, tmp_path):
    expected = entry["errors"]
    _, problems = data.check_bytes(content(entry))
    got = verdict(problems, expected)
    assert got["lines"] == sorted({e["line"] for e in expected}), [p.render("corpus") for p in problems]
    for e in expected:
        if "column" in e:
            assert e["column"] in got["columns"][e["line"]], [p.render("corpus") for p in problems]
    # The file path reads the same bytes the same way (explicit UTF-8, never the locale).
    if entry["name"] in ("valid", "utf8-ff", "line-separators-in-strings", "bom-at-start"):
        path = tmp_path / "cases.jsonl"
        path.write_bytes(content(entry))
        if expected:
            with pytest.raises(data.DatasetError, match=f"line {expected[0]['line']}"):
                data.load_cases(str(path))
        else:
            assert len(data.load_cases(str(path))) >= 1


@pytest.mark.parametrize("entry", [e for e in CORPUS if "bytes" not in e], ids=lambda e: e["name"])
def test_corpus_provenance_warnings(entry):
    cases, _ = data.check_bytes(content(entry))
    got = sorted(f"{w.line} {w.code}" for w in provenance.warnings(cases, entry.get("cutoff")))
    assert got == sorted(f"{w['line']} {w['code']}" for w in entry.get("warnings", [])), entry["note"]


def test_cutoffs_from_the_shared_table():
    assert provenance.default_cutoff("openai/gpt-oss-20b") == "2024-06-30"
    assert provenance.default_cutoff("tiny") is None
    assert provenance.parse_cutoff("2024-02") == "2024-02-29"
    assert provenance.parse_cutoff("2024-13") is None and provenance.parse_cutoff("2024-02-30") is None


def test_text_input_gets_the_same_verdict():
    for entry in CORPUS:
        if "bytes" in entry:
            continue
        _, from_text = data.check_text(content(entry).decode("utf-8"))
        _, from_bytes = data.check_bytes(content(entry))
        assert [(p.line, p.column) for p in from_text] == [(p.line, p.column) for p in from_bytes], entry["name"]


def test_scalar_lines_are_errors_with_line_numbers_not_type_errors():
    level = {"depth": 1, "candidates": [{"event": "a", "label": 1}, {"event": "b", "label": 0}]}
    good = json.dumps({"seed": {"event": "E", "date": "2023-01-15"}, "levels": [level]})
    for scalar in ("null", "3", '"id"', "[]", "true"):
        with pytest.raises(data.DatasetError, match=r"line 2, column 1: a case is a JSON object"):
            data.parse_cases(good + "\n" + scalar)


def test_deep_nesting_is_an_error_not_a_recursion_error():
    with pytest.raises(data.DatasetError, match="line 1"):
        data.parse_cases("[" * 100_000 + "]" * 100_000)


def test_a_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "cases.jsonl"
    os.mkfifo(fifo)
    outcome = {}

    def load():
        try:
            data.load_cases(str(fifo))
        except data.DatasetError as e:
            outcome["error"] = str(e)

    t = threading.Thread(target=load, daemon=True)
    t.start()
    t.join(5)
    assert not t.is_alive(), "load_cases blocked on a FIFO"
    assert "is a FIFO" in outcome["error"]


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(data.DatasetError, match="is a directory"):
        data.load_cases(str(tmp_path))


def test_a_job_reports_provenance_warnings_with_its_base_models_cutoff():
    level = {"depth": 1, "candidates": [{"event": "a", "label": 1}, {"event": "b", "label": 0}]}
    text = "\n".join(
        json.dumps(
            {"id": f"c{k}", "seed": {"event": f"E{k}", "date": "2023-01-15"}, "levels": [level], "split": "eval"}
        )
        for k in range(25)
    )
    cases = data.parse_cases(text)
    lines = provenance.report(cases, "openai/gpt-oss-20b")
    assert lines[0].startswith("line 1: warning eval-before-cutoff: eval case dated 2023-01-15")
    assert len(lines) == 21 and lines[-1] == "... and 5 more provenance warnings"
    assert provenance.report(cases, "tiny") == []
