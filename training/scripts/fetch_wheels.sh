#!/usr/bin/env bash
# Wheels for a GPU machine that has torch but not this pipeline's pins (no network there): into training/wheels/.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p wheels
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --platform manylinux2014_x86_64 \
  --platform manylinux_2_17_x86_64 -d wheels \
  "transformers==4.57.2" "trl==0.23.1" "peft==0.21.2" "tokenizers==0.22.2" "huggingface_hub==0.36.2" \
  "datasets==5.0.1" "dill==0.4.1" "multiprocess==0.70.19" "accelerate==1.15.0" "jsonschema==4.26.0" \
  "jsonschema-specifications==2025.9.1" "referencing==0.37.0" "rpds-py==0.27.1" "attrs==26.1.0" "gguf==0.19.0"
du -sh wheels
