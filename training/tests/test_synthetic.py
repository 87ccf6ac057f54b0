import collections
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from psychohistory import data, synthetic
from psychohistory.metrics import jaccard

REPO = Path(__file__).resolve().parents[2]


def test_deterministic_and_seed_dependent():
    a = synthetic.to_jsonl(synthetic.generate(synthetic.SyntheticConfig(n_cases=50, seed=3)))
    b = synthetic.to_jsonl(synthetic.generate(synthetic.SyntheticConfig(n_cases=50, seed=3)))
    c = synthetic.to_jsonl(synthetic.generate(synthetic.SyntheticConfig(n_cases=50, seed=4)))
    assert a == b
    assert a != c


def test_valid_and_covers_the_spec():
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=400, seed=5))
    parsed = data.parse_cases(synthetic.to_jsonl(cases))  # raises on any schema/rule error
    assert len(parsed) == 400
    domains = {c["source"]["domain"] for c in cases}
    assert domains == {"markets", "tech", "politics", "energy", "weather", "health", "sport"}
    dates = [dt.date.fromisoformat(c["seed"]["date"]) for c in cases]
    assert min(dates) >= dt.date(2018, 1, 1) and max(dates) <= dt.date(2022, 12, 31)
    assert {len(c["levels"]) for c in cases} == {1, 2, 3, 4}
    sizes = {len(lv["candidates"]) for c in cases for lv in c["levels"]}
    assert sizes == {2, 3, 4, 5, 6}
    positions = collections.Counter(next(i for i, x in enumerate(lv["candidates"]) if x["label"])
                                    for c in cases for lv in c["levels"])
    assert len(positions) == 6 and max(positions.values()) < 0.5 * sum(positions.values())
    splits = collections.Counter(c["split"] for c in cases)
    assert 0.1 < splits["eval"] / len(cases) < 0.3 and splits["train"] > splits["eval"]
    seeds = [(c["seed"]["event"], c["seed"]["date"]) for c in cases]
    assert len(set(seeds)) == len(seeds)  # no seed twice, so none in both splits
    for c in cases:  # no near-duplicate candidates in a level (the validator would warn)
        for lv in c["levels"]:
            evs = [x["event"] for x in lv["candidates"]]
            assert all(jaccard(a, b) <= 0.6 for i, a in enumerate(evs) for b in evs[i + 1:])


def _template(event: str, case: dict) -> str:
    """The event with its entity blanked: what a model can learn to map."""
    domain = case["source"]["domain"]
    for e in synthetic.DOMAINS[domain][0]:
        if e in case["seed"]["event"]:
            return event.replace(e, "{e}")
    raise AssertionError(case["seed"])


def test_learnable_signal_beats_chance():
    """A lookup table learned on train (seed template, depth) -> most frequent actual template picks the actual on
    the eval split far above chance: the data carries a signal a model can learn."""
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=600, seed=9))
    table = collections.defaultdict(collections.Counter)
    for c in cases:
        if c["split"] == "train":
            for lv in c["levels"]:
                actual = next(x["event"] for x in lv["candidates"] if x["label"])
                table[(_template(c["seed"]["event"], c), lv["depth"])][_template(actual, c)] += 1
    hits = chance = n = 0
    for c in cases:
        if c["split"] != "eval":
            continue
        for lv in c["levels"]:
            learned = table[(_template(c["seed"]["event"], c), lv["depth"])].most_common(1)[0][0]
            pick = next((x for x in lv["candidates"] if _template(x["event"], c) == learned), None)
            hits += bool(pick and pick["label"])
            chance += 1 / len(lv["candidates"])
            n += 1
    assert hits / n > 0.75  # p_signal is 0.85
    assert chance / n < 0.4


def test_script_writes_the_dataset(tmp_path):
    out = tmp_path / "d.jsonl"
    r = subprocess.run(["python3", "scripts/generate_candidate_data.py", "--n_cases=20", f"--out={out}"],
                       cwd=REPO / "training", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert len(out.read_text().splitlines()) == 20
    bad = subprocess.run(["python3", "scripts/generate_candidate_data.py", "--n_cases_typo=20"],
                         cwd=REPO / "training", capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown key 'n_cases_typo'" in bad.stderr


@pytest.mark.skipif(not (REPO / "dist" / "cli.js").exists() or not shutil.which("node"),
                    reason="the extension's CLI (dist/cli.js) is not built")
def test_extension_validator_reports_zero_errors(tmp_path):
    out = tmp_path / "synthetic.cases.jsonl"
    out.write_text(synthetic.to_jsonl(synthetic.generate(synthetic.SyntheticConfig(n_cases=600))))
    r = subprocess.run(["node", str(REPO / "dist" / "cli.js"), "validate", str(out)], capture_output=True,
                       text=True, cwd=REPO)
    assert r.returncode == 0, r.stdout + r.stderr
    assert not re.search(r"\b[1-9]\d* errors?\b", r.stdout + r.stderr)
