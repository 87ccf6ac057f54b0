"""Held-out choice check (CPU, tiny preset): SFT with lm_head trainable on the train split of fresh synthetic data,
then on held-out eval cases (and a train sample) the letter scoring of evaluate.score_cases, greedy generation, and
an alternative choice scoring by the candidates' own likelihood under the generation prompt.
Usage: cd training && .venv/bin/python evidence/cpu-choice-heldout-2026-11-27/heldout.py N_CASES STEPS LR TASKS [THREADS]
NO_EXPERTS=1 drops the LoRA on the MoE expert parameters (attention LoRA + lm_head only; ~faster on CPU)."""
import json, logging, os, sys, time
import torch
sys.path.insert(0, ".")
from psychohistory import evaluate, metrics, modeling, prompts, sft, synthetic
from psychohistory.config import make_config, split_list

logging.basicConfig(level=logging.WARNING)
N, STEPS, LR, TASKS = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
torch.set_num_threads(int(sys.argv[5]) if len(sys.argv) > 5 else 2)
cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=N, seed=7))
train = [c for c in cases if c["split"] == "train"]
held = [c for c in cases if c["split"] == "eval"]
cfg = make_config("sft", {"base_model": "tiny", "tasks": TASKS, "max_steps": STEPS, "batch_size": 8,
                          "learning_rate": LR, "logging_steps": max(1, STEPS // 4), "save_steps": 100000,
                          "warmup_ratio": 0.0, "modules_to_save": "lm_head",
                          **({"target_parameters": ""} if os.environ.get("NO_EXPERTS") else {})})


@torch.no_grad()
def cand_likelihood(m, tok, res_by, cs):
    """p(candidate) ∝ exp(sum log p(candidate tokens + end | generation prompt + FINAL)), per level."""
    out = []
    eos = tok.eos_token_id
    for c in cs:
        for lv in c["levels"]:
            d = lv["depth"]
            r = res_by[(c["id"], d)]
            p_ids = evaluate._ids(tok, prompts.render(tok, prompts.generation_user(c, d)) + prompts.FINAL)
            tg = [evaluate._ids(tok, ev) + [eos] for ev in r["events"]]
            ids, mask = evaluate._left_pad([p_ids + t for t in tg], tok.pad_token_id, "cpu")
            keep = max(len(t) for t in tg) + 1
            lp = torch.log_softmax(evaluate._forward(m, ids, mask, keep), -1)
            s = torch.tensor([float(lp[i, torch.arange(keep - len(t) - 1, keep - 1), torch.tensor(t)].sum())
                              for i, t in enumerate(tg)])
            out.append({**r, "probs": torch.softmax(s, -1).tolist()})
    return out


def stats(res):
    top = lambda r: max(range(len(r["probs"])), key=r["probs"].__getitem__)
    n = len(res)
    known = [r for r in res if r["prediction"] in r["events"]]
    return dict(
        n=n, acc=round(sum(top(r) == r["labels"].index(1) for r in res) / n, 3),
        chance=round(sum(1 / len(r["labels"]) for r in res) / n, 3),
        p_actual=round(sum(r["probs"][r["labels"].index(1)] for r in res) / n, 3),
        brier=round(metrics.brier([(p, y) for r in res for p, y in zip(r["probs"], r["labels"])]), 4),
        ece=round(metrics.ece([(p, y) for r in res for p, y in zip(r["probs"], r["labels"])]), 4),
        gen_match=round(metrics.match_rate(metrics.summarize(res)["match"]), 3),
        gen_names_cand=len(known),
        choice_agrees_gen=round(sum(top(r) == r["events"].index(r["prediction"]) for r in known) / max(1, len(known)), 3))


def score(m, tok, cs, tag):
    tok.padding_side = "left"
    m.eval()
    res = evaluate.score_cases(m, tok, cs, cfg.seed, 16, 16)
    by = {(r["case"], r["depth"]): r for r in res}
    lik = cand_likelihood(m, tok, by, cs)
    row = {"tag": tag, "letter": stats(res), "cand_likelihood": stats(lik)}
    print(json.dumps(row), flush=True)
    return row


model, tok = modeling.load("tiny", "", cfg.seed, cfg.max_seq_length, False, for_training=True)
print(f"cases {N}: train {len(train)} ({sum(len(c['levels']) for c in train)} levels), "
      f"held-out {len(held)} ({sum(len(c['levels']) for c in held)} levels); tasks={TASKS} steps={STEPS} lr={LR}",
      flush=True)
rows = [score(model, tok, held, "before held-out")]
tok.padding_side = "right"
ex = prompts.sft_examples(train, tok, cfg.seed, split_list(TASKS))
t = time.time()
tr = sft.build_trainer(cfg, model, tok, ex, f"/tmp/cho-{TASKS}-{STEPS}/out", [])
r = tr.train()
print(f"examples {len(ex)} train loss {r.training_loss:.4f} time {time.time() - t:.0f}s "
      f"epochs {tr.state.epoch:.1f}", flush=True)
rows.append(score(tr.model, tok, held, "after held-out"))
rows.append(score(tr.model, tok, train[: len(held)], "after train-sample"))
