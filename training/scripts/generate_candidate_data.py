"""Write a deterministic synthetic case dataset (contract 1) with leak-free splits.

    python3 scripts/generate_candidate_data.py [--n_cases=600] [--seed=1337] [--out=data/synthetic.cases.jsonl]
        [--eval_fraction=0.2] [--chain_fraction=0.15] [--chains_per_domain=1] [--kinds=standard|wide]

Split "eval" holds out whole seed events (no eval seed event is in train under any date), split "test" whole causal
chains (triggers whose seeds and follow-ups are in no train or eval case); see psychohistory/synthetic.py.
--kinds=wide: 6 triggers per domain instead of 3 (42 kinds of event), for SFT runs that hold many kinds out.
Runs with the plain system python (no third-party packages needed)."""

import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psychohistory.config import ConfigError, parse_args  # noqa: E402
from psychohistory.synthetic import SyntheticConfig, generate, split_plan, to_jsonl  # noqa: E402


def main(argv):
    fields = {f.name: f for f in dataclasses.fields(SyntheticConfig)}
    kwargs = {}
    try:
        for k, v in parse_args(argv).items():
            if k not in fields:
                raise ConfigError(f"unknown key {k!r}; known keys: {', '.join(fields)}")
            kwargs[k] = type(fields[k].default)(v)
        cfg = SyntheticConfig(**kwargs)
        plan = split_plan(cfg)  # refuses fractions and held-out chain counts that cannot work
    except (ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cases = generate(cfg)
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_jsonl(cases))
    n = {s: sum(c["split"] == s for c in cases) for s in ("train", "eval", "test")}
    events = {s: len({c["seed"]["event"] for c in cases if c["split"] == s}) for s in n}
    held = sum(len(t) for t in plan.test_triggers.values())
    print(
        f"wrote {len(cases)} cases to {out}: {n['train']} train ({events['train']} seed events), "
        f"{n['eval']} eval ({events['eval']} held-out seed events), "
        f"{n['test']} test ({events['test']} seed events of {held} held-out chains)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
