import json

import pytest

from psychohistory import data

GOOD = {
    "id": "a",
    "seed": {"event": "Tech layoffs", "date": "2023-01-15"},
    "levels": [
        {"depth": 1, "candidates": [{"event": "Stock drops", "label": 1}, {"event": "IPO delayed", "label": 0}]}
    ],
    "split": "train",
}


def with_(**changes):
    c = json.loads(json.dumps(GOOD))
    for path, value in changes.items():
        obj = c
        keys = path.split("__")
        for k in keys[:-1]:
            obj = obj[int(k)] if k.isdigit() else obj[k]
        last = keys[-1]
        obj[int(last) if last.isdigit() else last] = value
    return json.dumps(c)


def problems(*lines):
    with pytest.raises(data.DatasetError) as e:
        data.parse_cases("\n".join(lines), "cases.jsonl")
    return str(e.value)


def test_good_case_loads():
    cases = data.parse_cases(json.dumps(GOOD) + "\n\n")
    assert len(cases) == 1 and cases[0]["_line"] == 1


@pytest.mark.parametrize(
    "line, expected",
    [
        ("{not json", "cases.jsonl line 2, column 2: not valid JSON"),
        (with_(seed__date="2021-02-30"), "line 2: seed/date: '2021-02-30' is not a real calendar date"),
        (with_(seed__date="15/01/2023"), "line 2: seed/date"),
        (with_(seed__event=""), "line 2: seed/event"),
        (with_(levels__0__depth=2), "line 2: levels/0/depth: is 2, expected 1"),
        (with_(levels__0__candidates__1__label=1), "line 2: levels/0/candidates: 2 candidates have label 1"),
        (with_(levels__0__candidates__0__label=0), "levels/0/candidates: 0 candidates have label 1"),
        (with_(levels__0__candidates__0__label=2), "line 2: levels/0/candidates/0/label"),
        (with_(split="dev"), "line 2: split"),
        (with_(levels=[]), "line 2: levels"),
        (with_(extra=1), "line 2: (top level): Additional properties"),
        (with_(id="dup"), None),
    ],
)
def test_bad_lines_name_line_field_and_fix(line, expected):
    if expected is None:  # duplicate ids
        msg = problems(with_(id="dup"), line)
        assert "line 2: id: 'dup' already used on line 1; fix: make ids unique" in msg
        return
    msg = problems(json.dumps(GOOD), line)
    assert expected in msg, msg


def test_every_bad_line_is_reported_with_a_fix():
    # Distinct ids: ids are compared on every object line, valid or not (as the editor does).
    msg = problems(with_(id="a", seed__date="2021-02-30"), "{", with_(id="c", levels__0__depth=3))
    assert msg.startswith("3 problem(s) in cases.jsonl")
    assert "line 1" in msg and "line 2" in msg and "line 3" in msg
    assert msg.count("fix:") == 3


def test_missing_file_and_empty_split(tmp_path):
    with pytest.raises(data.DatasetError, match="does not exist; fix"):
        data.load_cases(str(tmp_path / "nope.jsonl"))
    with pytest.raises(data.DatasetError, match="no dataset"):
        data.load_cases()
    cases = data.parse_cases(json.dumps(GOOD))
    with pytest.raises(data.DatasetError, match="no cases in split 'eval'; the dataset has: train"):
        data.select_split(cases, "eval")
