"""Re-reads the H200 lm_head run's held-out predictions (../gpu-h200-2026-11-27-lm-head/lm-head/runs.tar.gz,
eval/predictions-{baseline,sft,grpo}.jsonl: 172 eval cases, 434 levels) and asks: does the choice distribution use
what generation learned? Also two reference Brier scores: a letter-position prior (from the train split, per number of
candidates) and 'generation as the forecast' (q on the candidate greedy generation names, the rest spread evenly).
Run: cd training && .venv/bin/python evidence/cpu-choice-heldout-2026-11-27/h200_predictions.py"""
import collections, io, json, sys, tarfile
sys.path.insert(0, ".")
from psychohistory import metrics, prompts, synthetic

tar = tarfile.open("evidence/gpu-h200-2026-11-27-lm-head/lm-head/runs.tar.gz")
read = lambda st: [json.loads(l) for l in io.TextIOWrapper(tar.extractfile(f"./eval/predictions-{st}.jsonl"))]
top = lambda p: max(range(len(p)), key=p.__getitem__)
pairs = lambda rs, key="probs": [(p, y) for r in rs for p, y in zip(r[key], r["labels"])]

# letter prior of the train split: P(actual at letter i | n candidates), shuffled with the run seed like SFT does
train = [c for c in synthetic.generate(synthetic.SyntheticConfig(n_cases=800, seed=1337)) if c["split"] == "train"]
cnt = collections.defaultdict(collections.Counter)
for c in train:
    for lv in c["levels"]:
        cands = prompts.shuffled(c, lv["depth"], 1337)
        cnt[len(cands)][[x["label"] for x in cands].index(1)] += 1
prior = {n: [cnt[n][i] / sum(cnt[n].values()) for i in range(n)] for n in cnt}

for st in ["baseline", "sft", "grpo"]:
    R = read(st)
    n = len(R)
    known = [r for r in R if r["prediction"] in r["events"]]
    print(f"{st}: levels {n}, letter acc {sum(top(r['probs']) == r['labels'].index(1) for r in R) / n:.3f} "
          f"(chance {sum(1 / len(r['labels']) for r in R) / n:.3f}), p(actual) "
          f"{sum(r['probs'][r['labels'].index(1)] for r in R) / n:.3f}, Brier {metrics.brier(pairs(R)):.4f}, "
          f"top letter counts {dict(sorted(collections.Counter('ABCDEF'[top(r['probs'])] for r in R).items()))}")
    print(f"   greedy generation names a candidate on {len(known)} levels (it is the actual on "
          f"{sum(r['prediction'] == r['actual'] for r in known)}); there the choice's top letter is that candidate "
          f"{sum(top(r['probs']) == r['events'].index(r['prediction']) for r in known) / max(1, len(known)):.3f} "
          f"of the time (chance {sum(1 / len(r['events']) for r in known) / max(1, len(known)):.3f})")
    if st == "sft":
        for d in sorted({r["depth"] for r in R}):
            rd = [r for r in R if r["depth"] == d]
            print(f"   depth {d}: n {len(rd)} letter acc {sum(top(r['probs']) == r['labels'].index(1) for r in rd) / len(rd):.3f}"
                  f" gen exact {sum(r['match'] == 'exact' for r in rd) / len(rd):.3f}")
        P = [{**r, "prior": prior[len(r["labels"])]} for r in R]
        print(f"   reference: train-split letter prior as the forecast -> Brier {metrics.brier(pairs(P, 'prior')):.4f}; "
              f"uniform -> {metrics.brier([(1 / len(r['labels']), y) for r in R for y in r['labels']]):.4f}")
        for q in (0.6, 0.75, 0.85):
            G = []
            for r in R:
                k = len(r["events"])
                if r["prediction"] in r["events"]:
                    g = [q if e == r["prediction"] else (1 - q) / (k - 1) for e in r["events"]]
                else:
                    g = [1 / k] * k
                G.append({**r, "gen": g})
            print(f"   reference: generation as the forecast (q={q} on the generated candidate) -> Brier "
                  f"{metrics.brier(pairs(G, 'gen')):.4f}, ECE {metrics.ece(pairs(G, 'gen')):.4f}")
