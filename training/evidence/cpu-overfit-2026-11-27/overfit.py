import sys, time, logging, torch
sys.path.insert(0, ".")
from psychohistory import modeling, prompts, evaluate, metrics, sft
from psychohistory.config import make_config
from psychohistory.data import load_cases, select_split
logging.basicConfig(level=logging.WARNING)
N = int(sys.argv[1]); STEPS = int(sys.argv[2]); LR = float(sys.argv[3])
cases = select_split(load_cases("data/synthetic.cases.jsonl"), "train")[:N]
cfg = make_config("sft", {"base_model": "tiny", "tasks": "choice", "max_steps": STEPS, "batch_size": 8,
                          "learning_rate": LR, "logging_steps": 20, "save_steps": 100000, "warmup_ratio": 0.0})
def score(m, tok):
    tok.padding_side = "left"
    res = evaluate.score_cases(m, tok, cases, cfg.seed, 16, 1)
    acc = sum(max(range(len(r["probs"])), key=r["probs"].__getitem__) == r["labels"].index(1) for r in res) / len(res)
    chance = sum(1/len(r["labels"]) for r in res) / len(res)
    p_act = sum(r["probs"][r["labels"].index(1)] for r in res) / len(res)
    o = metrics.summarize(res)
    return dict(n=len(res), acc=round(acc,3), chance=round(chance,3), p_actual=round(p_act,3), brier=round(o["brier"],4))
model, tok = modeling.load("tiny", "", cfg.seed, cfg.max_seq_length, False, for_training=True)
print("before", score(model, tok), flush=True)
tok.padding_side = "right"
ex = prompts.sft_examples(cases, tok, cfg.seed, ["choice"])
print("examples", len(ex), repr(ex[0]["completion"]))
t = time.time()
tr = sft.build_trainer(cfg, model, tok, ex, "/tmp/ovf/out", [])
# check the labels of one tokenized training example vs the eval letter
row = tr.train_dataset[0]
ids, cm = row["input_ids"], row["completion_mask"]
print("completion tokens:", tok.convert_ids_to_tokens([i for i, c in zip(ids, cm) if c]))
r = tr.train()
print("train loss", r.training_loss, "time", round(time.time()-t,1), flush=True)
print("after", score(tr.model, tok), flush=True)
