#!/usr/bin/env bash
# The training package's tests: unit tests and the CPU end-to-end run (tests/test_e2e.py), in training/.venv.
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || bash setup.sh
export TOKENIZERS_PARALLELISM=false HF_HUB_OFFLINE=1 TRANSFORMERS_NO_ADVISORY_WARNINGS=1
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
