import sys; sys.path.insert(0,".")
from psychohistory import modeling, prompts, evaluate
from psychohistory.data import load_cases, select_split
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained(str(modeling.resolve_base("tiny")))
cases = select_split(load_cases("data/synthetic.cases.jsonl"), "train")[:16]
bad = 0
for c in cases:
    for lv in c["levels"]:
        d = lv["depth"]
        ex = [e for e in prompts.sft_examples([c], tok, 1337, ["choice"])][d-1]
        full = tok(ex["prompt"] + ex["completion"])["input_ids"]
        u, cands = prompts.choice_user(c, d, 1337)
        ev = evaluate._ids(tok, prompts.render(tok, u) + prompts.FINAL)
        lid = evaluate.letter_ids(tok, len(cands))[[x["label"] for x in cands].index(1)]
        ok = full[:len(ev)] == ev and full[len(ev)] == lid
        bad += not ok
print("mismatches", bad, "bos?", tok("A")["input_ids"], tok.bos_token_id)
