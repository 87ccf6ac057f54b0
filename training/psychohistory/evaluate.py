"""Evaluation of a model on a split, per GUIDE "Forecasting": for every case level
  - the forecast, read two ways: the letter readout (next-token distribution over the candidate letters of the
    choice prompt, renormalised) and the stated forecast (the probabilities the model writes for the stated prompt,
    parsed; unparsable -> uniform, counted) -> Brier, skill against the uniform forecast, ECE, each stage headed by
    the readout it trained;
  - generation task: teacher-forced cross-entropy on the actual event's tokens (+ end token) -> loss, perplexity;
    and a greedy prediction compared with the actual -> match coverage (exact / semantic / llm / none).
All overall and per depth with 95 % bootstrap intervals over cases; forecast trees (contract 4) for a sample of
cases; the production gates per stage. Prompts use `eval_seed`, never the training seed.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import torch

from . import matching, metrics, prompts
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
        ids[i, n - len(s) :] = torch.tensor(s)
        mask[i, n - len(s) :] = 1
    return ids.to(dev), mask.to(dev)


def _forward(model, ids, mask, keep: int):
    """Logits of the last `keep` positions only (a 200k vocabulary makes full logits the biggest tensor)."""
    pos = (mask.cumsum(-1) - 1).clamp(min=0)  # left padding: positions count real tokens only
    return model(input_ids=ids, attention_mask=mask, position_ids=pos, logits_to_keep=keep).logits.float()


@torch.no_grad()
def letter_readout(model, tokenizer, items: list[dict], seed: int) -> list[tuple[list[float], list[dict]]]:
    """The letter readout of each (case, depth) item: (probabilities in letter order, the candidates in that order).
    Also SFT's source of calibrated stated targets."""
    dev = next(model.parameters()).device
    choice = [prompts.choice_user(it["case"], it["depth"], seed) for it in items]
    ids, mask = _left_pad(
        [_ids(tokenizer, prompts.render(tokenizer, u)) for u, _ in choice], tokenizer.pad_token_id, dev
    )
    last = _forward(model, ids, mask, 1)[:, -1, :]
    out = []
    for i, (_, cands) in enumerate(choice):
        lp = torch.log_softmax(last[i], -1)[prompts.letter_ids(tokenizer, len(cands))]
        out.append((torch.softmax(lp, -1).tolist(), cands))
    return out


@torch.no_grad()
def generate_texts(model, tokenizer, seqs: list[list[int]], max_new_tokens: int, **sampling) -> list[str]:
    """The decoded continuations of `seqs` (token ids) in one left-padded batch: greedy, unless `sampling` (do_sample,
    temperature, num_return_sequences) says otherwise; with num_return_sequences=n, n texts per sequence, in order."""
    dev = next(model.parameters()).device
    ids, mask = _left_pad(seqs, tokenizer.pad_token_id, dev)
    out = model.generate(
        input_ids=ids,
        attention_mask=mask,
        max_new_tokens=max_new_tokens,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        **{"do_sample": False, **sampling},
    )
    return [tokenizer.decode(seq, skip_special_tokens=True).strip() for seq in out[:, ids.shape[1] :]]


@torch.no_grad()
def actual_nll(model, tokenizer, users: list[str], actuals: list[str]) -> list[tuple[float, int]]:
    """Teacher-forced (summed cross-entropy, token count) of each actual event (+ end token) after its generation
    prompt, in one batch: evaluation's perplexity, and the forecast service's live perplexity on outcomes."""
    dev = next(model.parameters()).device
    gen_prompts = [_ids(tokenizer, prompts.render(tokenizer, u)) for u in users]
    targets = [_ids(tokenizer, a) + [tokenizer.eos_token_id] for a in actuals]
    ids, mask = _left_pad([p + t for p, t in zip(gen_prompts, targets)], tokenizer.pad_token_id, dev)
    keep = max(len(t) for t in targets) + 1
    logp = torch.log_softmax(_forward(model, ids, mask, keep), -1)  # position j of these predicts token j+1
    out = []
    for i, t in enumerate(targets):
        pos = torch.arange(keep - len(t) - 1, keep - 1, device=dev)
        tgt = torch.tensor(t, device=dev)
        out.append((float(-logp[i, pos, tgt].sum()), len(t)))
    return out


@torch.no_grad()
def score_batch(
    model, tokenizer, items: list[dict], seed: int, max_new_tokens: int, matcher=None, max_stated_tokens: int = 64
) -> list[dict]:
    """Score a batch of (case, depth) items; returns one result per item. `matcher`: matching.default() if None."""
    # 1) the letter readout of the choice prompt
    results = []
    for it, (probs, cands) in zip(items, letter_readout(model, tokenizer, items, seed)):
        results.append(
            {
                "case": case_id(it["case"]),
                "depth": it["depth"],
                "probs": probs,
                "labels": [c["label"] for c in cands],
                "events": [c["event"] for c in cands],
            }
        )
    # 2) the stated forecast: what the model writes for the stated prompt (same letter order), parsed
    stated_users = [prompts.choice_user(it["case"], it["depth"], seed, probs=True)[0] for it in items]
    texts = generate_texts(
        model, tokenizer, [_ids(tokenizer, prompts.render(tokenizer, u)) for u in stated_users], max_stated_tokens
    )
    for r, text in zip(results, texts):
        r["stated"], r["parsed"] = prompts.stated_forecast(text, len(r["labels"]))
        r["statedText"] = text
    # 3) generation, teacher-forced on the actual: loss on the completion tokens only
    users = [prompts.generation_user(it["case"], it["depth"]) for it in items]
    gen_prompts = [_ids(tokenizer, prompts.render(tokenizer, u)) for u in users]
    actuals = [prompts.actual_of(it["case"]["levels"][it["depth"] - 1]) for it in items]
    for r, (nll, ntok) in zip(results, actual_nll(model, tokenizer, users, actuals)):
        r["nll"], r["ntok"] = nll, ntok
    # 4) generation, free: greedy prediction vs the actual
    preds = generate_texts(model, tokenizer, gen_prompts, max_new_tokens)
    for r, pred, actual, m in zip(
        results, preds, actuals, (matcher or matching.default()).match_many(zip(preds, actuals))
    ):
        r.update(prediction=pred, actual=actual, match=m.kind, score=m.score, matchDetail=m.as_dict())
    return results


def level_items(cases: list[dict]) -> list[dict]:
    """One (case, depth) item per level of `cases`: what the scorers take."""
    return [{"case": c, "depth": lv["depth"]} for c in cases for lv in c["levels"]]


def in_batches(model, items: list, size: int, score) -> list:
    """`score(batch)` over `items` in batches of `size`, the results concatenated, with the model in eval mode
    meanwhile and then back in the mode it was in (scoring also runs in the middle of training)."""
    was_training = model.training
    model.eval()
    try:
        return [r for i in range(0, len(items), size) for r in score(items[i : i + size])]
    finally:
        model.train(was_training)


def score_cases(
    model,
    tokenizer,
    cases: list[dict],
    seed: int,
    batch_size: int,
    max_new_tokens: int,
    matcher=None,
    max_stated_tokens: int = 64,
) -> list[dict]:
    items = level_items(cases)
    # similar lengths together: less padding per batch
    items.sort(key=lambda it: (len(prompts.context(it["case"], it["depth"])), case_id(it["case"])))
    return in_batches(
        model,
        items,
        batch_size,
        lambda batch: score_batch(model, tokenizer, batch, seed, max_new_tokens, matcher, max_stated_tokens),
    )


def summarize(results: list[dict], stage: str = "baseline", n_boot: int = 0, seed: int = 0) -> tuple[dict, dict]:
    overall = metrics.summarize(results, stage, n_boot, seed)
    per_depth = {
        d: metrics.summarize([r for r in results if r["depth"] == d], stage, n_boot, seed)
        for d in sorted({r["depth"] for r in results})
    }
    return overall, per_depth


def emit_eval(emitter, stage: str, overall: dict, per_depth: dict, matcher: dict | None = None):
    """The stage's eval events, each naming the matcher (version, thresholds) that counted its match coverage:
    `matcher` (a Matcher's settings), else the default matcher's, which score_cases uses when given none."""
    settings = matcher if matcher is not None else matching.default().settings()

    def clean(s):  # perplexity is at least 1 by definition; guard float rounding at loss ~ 0
        return {**s, "perplexity": max(1.0, s["perplexity"]), "ece": min(1.0, s["ece"]), "matcher": settings}

    emitter.emit("eval", stage=stage, depth=None, **clean(overall))
    for d, s in per_depth.items():
        emitter.emit("eval", stage=stage, depth=d, **clean(s))


def tree(case: dict, results: list[dict], model_name: str, key: str = "probs", matcher=None) -> dict:
    """Contract 4 for one case: per depth the candidates with the model's probabilities (the stage's headline
    readout: `probs` = letters, or `stated`); the actual one carries the next depth. Every candidate carries how it
    matches the actual (the evaluation's matcher: kind and score), so a reader sees which wrong candidates the
    matcher would have accepted."""
    by_depth = {r["depth"]: r for r in results if r["case"] == case_id(case)}
    matcher = matcher or matching.default()

    def level(d: int) -> list[dict]:
        r = by_depth.get(d)
        if r is None:
            return []
        actual = r["events"][r["labels"].index(1)]
        nodes = []
        for ev, p, y, m in zip(
            r["events"], r[key], r["labels"], matcher.match_many((ev, actual) for ev in r["events"])
        ):
            nodes.append(
                {
                    "event": ev,
                    "probability": min(1.0, max(0.0, p)),
                    "depth": d,
                    "actual": bool(y),
                    "match": {"kind": m.kind, "score": m.score, "actual": actual},
                    "children": level(d + 1) if y else [],
                }
            )
        return sorted(nodes, key=lambda n: -n["probability"])

    return {"seed": case["seed"], "model": model_name, "createdAt": now_iso(), "children": level(1)}


def _iv(ci: dict | None, key: str, pct: bool = False) -> str:
    if not ci:
        return ""
    lo, hi = ci[key]
    return f" [{lo:.1%}, {hi:.1%}]" if pct else f" [{lo:.3f}, {hi:.3f}]"


def stage_table(rows: dict) -> str:
    """Markdown table of stages x metrics with the production gates. Brier, skill and ECE are the stage's headline
    readout (letters for baseline/SFT, stated for GRPO), skill against the uniform forecast on the same levels, with
    95 % bootstrap intervals over cases; the other readout follows."""
    head = (
        "| stage | readout | Brier | skill | ECE | letters Brier / skill | stated Brier / skill | parse fail | "
        "perplexity | match rate | depth≥3 match | gates |\n|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    lines = [head]
    for stage, (o, per_depth) in rows.items():
        g = metrics.gates(o, per_depth)
        deep = [per_depth[d]["match"] for d in per_depth if d >= 3]
        deep_m = {k: sum(m[k] for m in deep) for k in ("exact", "semantic", "llm", "none")}
        deep_s = f"{metrics.match_rate(deep_m):.1%}" if deep else "n/a"
        verdict = {True: "pass", False: "fail", None: "missing"}
        gates_s = ", ".join(f"{k} {verdict[v]}" for k, v in g.items())
        ci = o.get("ci")
        lines.append(
            f"| {stage} | {metrics.HEADLINE[stage]} | {o['brier']:.4f}{_iv(ci, 'brier')} | "
            f"{o['brierSkill']:.3f}{_iv(ci, 'brierSkill')} | {o['ece']:.4f} | "
            f"{o['letters']['brier']:.4f} / {o['letters']['brierSkill']:.3f} | "
            f"{o['stated']['brier']:.4f} / {o['stated']['brierSkill']:.3f} | {o['parseFailures']}/{o['n']} | "
            f"{o['perplexity']:.3f} | {metrics.match_rate(o['match']):.1%}{_iv(ci, 'matchRate', True)} | {deep_s} | "
            f"{gates_s} |"
        )
    return "\n".join(lines)


def stage_record(stage: str, cfg, o: dict) -> dict:
    """One row of stages.json (issue 11's evidence format)."""
    ci = o.get("ci", {})
    return {
        "stage": stage,
        "split": {"eval": "seed", "test": "chain"}.get(cfg.split, cfg.split),
        "baseModel": cfg.base_model,
        "readout": metrics.HEADLINE[stage],
        "brier": o["brier"],
        "brierCi": ci.get("brier"),
        "brierSkill": o["brierSkill"],
        "brierSkillCi": ci.get("brierSkill"),
        "ece": o["ece"],
        "matchRate": metrics.match_rate(o["match"]),
        "matchRateCi": ci.get("matchRate"),
        "perplexity": o["perplexity"],
        "levels": o["n"],
        "parseFailures": o["parseFailures"],
        "letters": {"brier": o["letters"]["brier"], "brierSkill": o["letters"]["brierSkill"]},
        "stated": {"brier": o["stated"]["brier"], "brierSkill": o["stated"]["brierSkill"], "ece": o["stated"]["ece"]},
    }


def run(cfg, cases: list[dict], emitter, run_dir: Path) -> dict:
    """The eval job: every requested stage on one split; events, trees.jsonl, a stage table."""
    from . import fastpath, modeling
    from .config import parse_adapters, split_list
    from .data import select_split

    fastpath.check(cfg.fast_forward)
    cases = select_split(cases, cfg.split)
    if cfg.max_cases:
        cases = cases[: cfg.max_cases]
    adapters = parse_adapters(cfg.adapters)
    matcher = matching.Matcher(embeddings=cfg.match_embeddings, judge=matching.make_judge(cfg.judge))
    plan = {}
    for stage in split_list(cfg.stages):  # check every stage before loading any model
        if stage not in ("baseline", "sft", "grpo"):
            raise ValueError(f"stages: unknown stage {stage!r}; use baseline, sft, grpo")
        plan[stage] = "" if stage == "baseline" else adapters.get(stage, cfg.adapter)
        if stage != "baseline" and not plan[stage]:
            raise ValueError(f"stage {stage} needs an adapter: pass --adapters={stage}=PATH")
        if plan[stage] and not (Path(plan[stage]) / "adapter_config.json").exists():
            raise FileNotFoundError(
                f"stage {stage}: adapter {plan[stage]} has no adapter_config.json; fix: pass "
                "the adapter dir an sft/grpo run wrote (its artifact event names it)"
            )
    rows, summary, records = {}, {}, []
    for stage, adapter in plan.items():
        log.info("eval stage %s on %d %s cases (adapter: %s)", stage, len(cases), cfg.split, adapter or "none")
        model, tokenizer = modeling.load(cfg.base_model, adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit)
        fastpath.enable(model, cfg.fast_forward)
        prompts.check_letters(tokenizer, cases)
        results = score_cases(
            model, tokenizer, cases, cfg.eval_seed, cfg.batch_size, cfg.max_new_tokens, matcher, cfg.max_stated_tokens
        )
        overall, per_depth = summarize(results, stage, cfg.bootstrap, cfg.eval_seed)
        emit_eval(emitter, stage, overall, per_depth, matcher.settings())
        records.append(stage_record(stage, cfg, overall))
        log.info(
            "%s: Brier %.4f skill %.3f %s (%s readout), parse failures %d/%d",
            stage,
            overall["brier"],
            overall["brierSkill"],
            overall.get("ci", {}).get("brierSkill", ""),
            metrics.HEADLINE[stage],
            overall["parseFailures"],
            overall["n"],
        )
        rows[stage] = (overall, per_depth)
        summary[stage] = {
            "overall": overall,
            "perDepth": {str(d): s for d, s in per_depth.items()},
            "gates": metrics.gates(overall, per_depth),
        }
        name = f"{cfg.base_model}+{stage}" if adapter else cfg.base_model
        with open(run_dir / "trees.jsonl", "a") as f:
            for case in cases[: cfg.num_trees]:
                f.write(json.dumps(tree(case, results, name, "stated" if stage == "grpo" else "probs", matcher)) + "\n")
        with open(run_dir / f"predictions-{stage}.jsonl", "w") as f:
            for r in results:
                f.write(json.dumps(r) + "\n")
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    table = stage_table(rows)
    log.info("stage table:\n%s", table)
    (run_dir / "stages.md").write_text(table + "\n")
    (run_dir / "stages.json").write_text(json.dumps(records, indent=2) + "\n")
    emitter.emit("artifact", name="trees", path=str(run_dir / "trees.jsonl"))
    emitter.emit("artifact", name="stage table", path=str(run_dir / "stages.md"))
    out = {"stages": summary, "table": table, "n_cases": len(cases), "n_levels": sum(len(c["levels"]) for c in cases)}
    if hasattr(matcher.judge, "spend"):
        out["judge"] = matcher.judge.spend()  # jobs.run adds it to the run's cost event
    return out
