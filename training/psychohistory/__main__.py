"""python -m psychohistory <sft|grpo|eval|generate> --run_dir=DIR [--key=value ...]
       python -m psychohistory serve --adapter=DIR --port=8000 [--key=value ...]   (the forecast service)

Exit codes: 0 succeeded, 1 the job failed (run.json says why), 2 bad command line, 143 cancelled (SIGTERM)."""

import sys

from .config import COMMANDS as CONFIGS, ConfigError, parse_args


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in CONFIGS:
        print(__doc__.strip(), file=sys.stderr)
        if argv and argv[0] not in ("-h", "--help"):
            print(f"unknown job {argv[0]!r}; expected one of {', '.join(CONFIGS)}", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    try:
        overrides = parse_args(argv[1:])
        from .config import make_config

        make_config(argv[0], overrides)  # refuse bad keys before anything is created
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    if argv[0] == "serve":
        from . import serve

        return serve.main(overrides)
    from . import jobs

    try:
        summary = jobs.run(argv[0], overrides)
    except ConfigError as e:  # e.g. a run folder whose checkpoint was made with other settings
        print(f"error: {e}", file=sys.stderr)
        return 2
    return {"succeeded": 0, "cancelled": 143}.get(summary["state"], 1)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
