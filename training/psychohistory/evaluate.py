"""Evaluation of a model on a split, per GUIDE "Forecasting": for every case level
  - choice task: next-token distribution over the candidate letters at the answer position, renormalised → Brier, ECE;
  - generation task: teacher-forced cross-entropy on the actual event's tokens (+ end token) → loss, perplexity;
    and a greedy prediction compared with the actual → match coverage (exact / semantic / llm / none).
All overall and per depth; forecast trees (contract 4) for a sample of cases; the production gates per stage."""
from __future__ import annotations

import json
import logging
from pathlib import Path

import torch

from . import metrics, prompts
from .data import case_id
from .events import now_iso

log = logging.getLogger("psychohistory")


def _ids(tokenizer, text: str) -> list[int]:
    return tokenizer(text, add_special_tokens=False).input_ids


def _left_pad(seqs: list[list[int]], pad: int, dev):
    n = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), n), pad, dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, n - len(s):] = torch.tensor(s)
        mask[i, n - len(s):] = 1
    return ids.to(dev), mask.to(dev)


def _forward(model, ids, mask, keep: int):
    """Logits of the last `keep` positions only (a 200k vocabulary makes full logits the biggest tensor)."""
    pos = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: positions count real tokens only
    return model(input_ids=ids, attention_mask=mask, position_ids=pos, logits_to_keep=keep).logits.float()


def letter_ids(tokenizer, n: int) -> list[int]:
    out = []
    for letter in prompts.LETTERS[:n]:
        ids = _ids(tokenizer, letter)
        if len(ids) != 1:
            raise ValueError(f"tokenizer splits the letter {letter!r} into {len(ids)} tokens; the choice task "
                             "needs one token per letter")
        out.append(ids[0])
    return out


@torch.no_grad()
def score_batch(model, tokenizer, items: list[dict], seed: int, max_new_tokens: int, judge=None) -> list[dict]:
    """Score a batch of (case, depth) items; returns one result per item."""
    dev = next(model.parameters()).device
    pad = tokenizer.pad_token_id
    eos = tokenizer.eos_token_id
    # 1) choice: one forward pass over the prompts, last position, candidate letters only
    choice = [prompts.choice_user(it["case"], it["depth"], seed) for it in items]
    seqs = [_ids(tokenizer, prompts.render(tokenizer, u) + prompts.FINAL) for u, _ in choice]
    ids, mask = _left_pad(seqs, pad, dev)
    last = _forward(model, ids, mask, 1)[:, -1, :]
    results = []
    for i, (u, cands) in enumerate(choice):
        lp = torch.log_softmax(last[i], -1)[letter_ids(tokenizer, len(cands))]
        probs = torch.softmax(lp, -1).tolist()  # renormalised over the letters
        results.append({"case": case_id(items[i]["case"]), "depth": items[i]["depth"], "probs": probs,
                        "labels": [c["label"] for c in cands], "events": [c["event"] for c in cands]})
    # 2) generation, teacher-forced on the actual: loss on the completion tokens only
    gen_prompts = [_ids(tokenizer, prompts.render(tokenizer, prompts.generation_user(it["case"], it["depth"]))
                        + prompts.FINAL) for it in items]
    actuals = [prompts.actual_of(it["case"]["levels"][it["depth"] - 1]) for it in items]
    targets = [_ids(tokenizer, a) + [eos] for a in actuals]
    ids, mask = _left_pad([p + t for p, t in zip(gen_prompts, targets)], pad, dev)
    keep = max(len(t) for t in targets) + 1
    logp = torch.log_softmax(_forward(model, ids, mask, keep), -1)  # position j of these predicts token j+1
    for i, t in enumerate(targets):
        pos = torch.arange(keep - len(t) - 1, keep - 1, device=dev)
        tgt = torch.tensor(t, device=dev)
        results[i]["nll"] = float(-logp[i, pos, tgt].sum())
        results[i]["ntok"] = len(t)
    # 3) generation, free: greedy prediction vs the actual
    ids, mask = _left_pad(gen_prompts, pad, dev)
    out = model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=max_new_tokens, do_sample=False,
                         pad_token_id=pad, eos_token_id=eos)
    for i, seq in enumerate(out[:, ids.shape[1]:]):
        pred = tokenizer.decode(seq, skip_special_tokens=True).strip()
        kind, score = metrics.match_kind(pred, actuals[i], judge)
        results[i].update(prediction=pred, actual=actuals[i], match=kind, score=score)
    return results


def score_cases(model, tokenizer, cases: list[dict], seed: int, batch_size: int, max_new_tokens: int,
                judge=None) -> list[dict]:
    items = [{"case": c, "depth": lv["depth"]} for c in cases for lv in c["levels"]]
    # similar lengths together: less padding per batch
    items.sort(key=lambda it: (len(prompts.context(it["case"], it["depth"])), case_id(it["case"])))
    was_training = model.training
    model.eval()
    try:
        out = []
        for i in range(0, len(items), batch_size):
            out += score_batch(model, tokenizer, items[i:i + batch_size], seed, max_new_tokens, judge)
    finally:
        model.train(was_training)
    return out


def summarize(results: list[dict]) -> tuple[dict, dict]:
    overall = metrics.summarize(results)
    per_depth = {d: metrics.summarize([r for r in results if r["depth"] == d])
                 for d in sorted({r["depth"] for r in results})}
    return overall, per_depth


def emit_eval(emitter, stage: str, overall: dict, per_depth: dict):
    def clean(s):  # perplexity is at least 1 by definition; guard float rounding at loss ~ 0
        return {**s, "perplexity": max(1.0, s["perplexity"]), "ece": min(1.0, s["ece"])}
    emitter.emit("eval", stage=stage, depth=None, **clean(overall))
    for d, s in per_depth.items():
        emitter.emit("eval", stage=stage, depth=d, **clean(s))


def tree(case: dict, results: list[dict], model_name: str) -> dict:
    """Contract 4 for one case: per depth the candidates with the model's probabilities; the actual one carries the
    next depth. The candidate the model ranks highest is its prediction, marked with how it matched the actual."""
    by_depth = {r["depth"]: r for r in results if r["case"] == case_id(case)}

    def level(d: int) -> list[dict]:
        r = by_depth.get(d)
        if r is None:
            return []
        top = max(range(len(r["probs"])), key=lambda i: r["probs"][i])
        actual = r["events"][r["labels"].index(1)]
        nodes = []
        for i, (ev, p, y) in enumerate(zip(r["events"], r["probs"], r["labels"])):
            node = {"event": ev, "probability": min(1.0, max(0.0, p)), "depth": d, "actual": bool(y),
                    "children": level(d + 1) if y else []}
            if i == top:
                kind, score = metrics.match_kind(ev, actual)
                node["match"] = {"kind": kind, "score": score, "actual": actual}
            nodes.append(node)
        return sorted(nodes, key=lambda n: -n["probability"])

    return {"seed": case["seed"], "model": model_name, "createdAt": now_iso(), "children": level(1)}


def stage_table(rows: dict) -> str:
    """Markdown table of stages × metrics with the production gates."""
    head = "| stage | perplexity | Brier | ECE | match rate | depth≥3 match | gates |\n|---|---|---|---|---|---|---|"
    lines = [head]
    for stage, (overall, per_depth) in rows.items():
        g = metrics.gates(overall, per_depth)
        deep = [per_depth[d]["match"] for d in per_depth if d >= 3]
        deep_m = {k: sum(m[k] for m in deep) for k in ("exact", "semantic", "llm", "none")}
        deep_s = f"{metrics.match_rate(deep_m):.1%}" if deep else "n/a"
        passed = "PASS" if all(v is not False for v in g.values()) else \
            "fail: " + ",".join(k for k, v in g.items() if v is False)
        lines.append(f"| {stage} | {overall['perplexity']:.3f} | {overall['brier']:.4f} | {overall['ece']:.4f} | "
                     f"{metrics.match_rate(overall['match']):.1%} | {deep_s} | {passed} |")
    return "\n".join(lines)


def make_judge(spec: str):
    """The LLM judge for match coverage: off ("") by default. "openrouter:<model>" asks an OpenAI-compatible
    endpoint (OPENROUTER_BASE_URL, default OpenRouter; key from OPENROUTER_API_KEY, the `openrouter` secret)."""
    if not spec:
        return None
    import os
    import urllib.request
    provider, _, model = spec.partition(":")
    if provider != "openrouter" or not model:
        raise ValueError(f"judge={spec!r}: use openrouter:<model> or leave it empty")
    key = os.environ.get("OPENROUTER_API_KEY")
    if not key:
        raise RuntimeError("judge needs OPENROUTER_API_KEY; on Modal create the `openrouter` secret with it")
    base = os.environ.get("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1")

    def judge(prediction: str, actual: str) -> bool:
        body = {"model": model, "max_tokens": 3, "temperature": 0, "messages": [{"role": "user", "content":
                f"Do these two sentences describe the same event? Answer yes or no.\n1. {prediction}\n2. {actual}"}]}
        req = urllib.request.Request(f"{base}/chat/completions", data=json.dumps(body).encode(),
                                     headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            answer = json.load(resp)["choices"][0]["message"]["content"]
        return answer.strip().lower().startswith("yes")
    return judge


def run(cfg, cases: list[dict], emitter, run_dir: Path) -> dict:
    """The eval job: every requested stage on one split; events, trees.jsonl, a stage table."""
    from . import modeling
    from .config import parse_adapters, split_list
    from .data import select_split

    cases = select_split(cases, cfg.split)
    if cfg.max_cases:
        cases = cases[: cfg.max_cases]
    adapters = parse_adapters(cfg.adapters)
    judge = make_judge(cfg.judge)
    plan = {}
    for stage in split_list(cfg.stages):  # check every stage before loading any model
        if stage not in ("baseline", "sft", "grpo"):
            raise ValueError(f"stages: unknown stage {stage!r}; use baseline, sft, grpo")
        plan[stage] = "" if stage == "baseline" else adapters.get(stage, cfg.adapter)
        if stage != "baseline" and not plan[stage]:
            raise ValueError(f"stage {stage} needs an adapter: pass --adapters={stage}=PATH")
        if plan[stage] and not (Path(plan[stage]) / "adapter_config.json").exists():
            raise FileNotFoundError(f"stage {stage}: adapter {plan[stage]} has no adapter_config.json; fix: pass "
                                    "the adapter dir an sft/grpo run wrote (its artifact event names it)")
    rows, summary = {}, {}
    for stage, adapter in plan.items():
        log.info("eval stage %s on %d %s cases (adapter: %s)", stage, len(cases), cfg.split, adapter or "none")
        model, tokenizer = modeling.load(cfg.base_model, adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit)
        results = score_cases(model, tokenizer, cases, cfg.seed, cfg.batch_size, cfg.max_new_tokens, judge)
        overall, per_depth = summarize(results)
        emit_eval(emitter, stage, overall, per_depth)
        rows[stage] = (overall, per_depth)
        summary[stage] = {"overall": overall, "perDepth": {str(d): s for d, s in per_depth.items()},
                          "gates": metrics.gates(overall, per_depth)}
        name = f"{cfg.base_model}+{stage}" if adapter else cfg.base_model
        with open(run_dir / "trees.jsonl", "a") as f:
            for case in cases[: cfg.num_trees]:
                f.write(json.dumps(tree(case, results, name)) + "\n")
        with open(run_dir / f"predictions-{stage}.jsonl", "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    table = stage_table(rows)
    log.info("stage table:\n%s", table)
    (run_dir / "stages.md").write_text(table + "\n")
    emitter.emit("artifact", name="trees", path=str(run_dir / "trees.jsonl"))
    emitter.emit("artifact", name="stage table", path=str(run_dir / "stages.md"))
    return {"stages": summary, "table": table, "n_cases": len(cases),
            "n_levels": sum(len(c["levels"]) for c in cases)}
