"""Held-out alignment: for every eval-split level of the H200 data set (synthetic seed 1337, 800 cases), the prompt the
eval scores is exactly the SFT choice prompt (render + FINAL) for the same case/depth/seed, and the letter id the Brier
label points to is the letter SFT would train for that level. Needs no model weights, only the tiny tokenizer.
Run: cd training && .venv/bin/python evidence/cpu-choice-heldout-2026-11-27/align_heldout.py"""
import sys
sys.path.insert(0, ".")
from transformers import AutoTokenizer
from psychohistory import evaluate, modeling, prompts, synthetic

tok = AutoTokenizer.from_pretrained(str(modeling.resolve_base("tiny")))
cases = [c for c in synthetic.generate(synthetic.SyntheticConfig(n_cases=800, seed=1337)) if c["split"] == "eval"]
bad = n = 0
for c in cases:
    exs = prompts.sft_examples([c], tok, 1337, ["choice"])  # what SFT would train if this case were in train
    for lv, ex in zip(c["levels"], exs):
        d = lv["depth"]
        full = tok(ex["prompt"] + ex["completion"], add_special_tokens=False).input_ids
        u, cands = prompts.choice_user(c, d, 1337)
        scored = evaluate._ids(tok, prompts.render(tok, u) + prompts.FINAL)
        lid = evaluate.letter_ids(tok, len(cands))[[x["label"] for x in cands].index(1)]
        bad += not (full[:len(scored)] == scored and full[len(scored)] == lid)
        n += 1
print(f"eval cases {len(cases)}, levels {n}, mismatches {bad}")
