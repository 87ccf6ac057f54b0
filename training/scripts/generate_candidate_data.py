"""Write a deterministic synthetic case dataset (contract 1).

    python3 scripts/generate_candidate_data.py [--n_cases=600] [--seed=1337] [--out=data/synthetic.cases.jsonl]

Runs with the plain system python (no third-party packages needed)."""
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from psychohistory.config import ConfigError, parse_args  # noqa: E402
from psychohistory.synthetic import SyntheticConfig, generate, to_jsonl  # noqa: E402


def main(argv):
    fields = {f.name: f for f in dataclasses.fields(SyntheticConfig)}
    kwargs = {}
    try:
        for k, v in parse_args(argv).items():
            if k not in fields:
                raise ConfigError(f"unknown key {k!r}; known keys: {', '.join(fields)}")
            kwargs[k] = type(fields[k].default)(v)
    except (ConfigError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    cfg = SyntheticConfig(**kwargs)
    cases = generate(cfg)
    out = Path(cfg.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(to_jsonl(cases))
    n_eval = sum(c["split"] == "eval" for c in cases)
    print(f"wrote {len(cases)} cases ({len(cases) - n_eval} train, {n_eval} eval) to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
