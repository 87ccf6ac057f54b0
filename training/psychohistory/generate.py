"""The generate job: grow forecast trees (contract 4) from seeds by free generation. At each node the model samples
`num_samples` next events; distinct ones (after normalisation) become children with their sample share as
probability; the most likely child is grown further, down to `depth`. When the seed comes from a case with known
levels, each prediction is matched against the actual event of its depth."""
from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import torch

from . import matching, metrics, modeling, prompts
from .data import DatasetError, select_split
from .events import now_iso

log = logging.getLogger("psychohistory")


def parse_seeds(spec: str) -> list[dict]:
    seeds = []
    for item in [s for s in spec.split(";") if s.strip()]:
        event, sep, date = item.rpartition("|")
        if not sep or not event.strip():
            raise DatasetError(f"seeds entry {item!r}: use 'event|YYYY-MM-DD' (entries separated by ';')")
        seeds.append({"seed": {"event": event.strip(), "date": date.strip()}, "levels": []})
    return seeds


@torch.no_grad()
def sample_events(model, tokenizer, user: str, n: int, temperature: float, max_new_tokens: int) -> list[str]:
    ids = tokenizer(prompts.render(tokenizer, user), return_tensors="pt",
                    add_special_tokens=False).to(next(model.parameters()).device)
    out = model.generate(**ids, do_sample=True, temperature=temperature, num_return_sequences=n,
                         max_new_tokens=max_new_tokens, pad_token_id=tokenizer.pad_token_id,
                         eos_token_id=tokenizer.eos_token_id)
    return [tokenizer.decode(s, skip_special_tokens=True).strip() for s in out[:, ids.input_ids.shape[1]:]]


def grow(model, tokenizer, case: dict, cfg, earlier: list[str], depth: int) -> list[dict]:
    if depth > cfg.depth:
        return []
    user = prompts.generation_user_from(prompts.context_from(case["seed"], earlier), depth)
    samples = [s for s in sample_events(model, tokenizer, user, cfg.num_samples, cfg.temperature,
                                        cfg.max_new_tokens) if s]
    if not samples:
        return []
    groups = Counter(metrics.normalize(s) for s in samples)
    first = {}
    for s in samples:
        first.setdefault(metrics.normalize(s), s)
    actual = prompts.actual_of(case["levels"][depth - 1]) if depth <= len(case["levels"]) else None
    nodes = []
    for key, count in groups.most_common():
        nodes.append({"event": first[key], "probability": count / len(samples), "depth": depth, "children": []})
    if actual is not None:
        for node, m in zip(nodes, matching.default().match_many((n["event"], actual) for n in nodes)):
            node["match"] = {"kind": m.kind, "score": m.score, "actual": actual}
            node["actual"] = m.kind in ("exact", "semantic")
    nodes[0]["children"] = grow(model, tokenizer, case, cfg, earlier + [nodes[0]["event"]], depth + 1)
    return nodes


def run(cfg, cases: list[dict] | None, emitter, run_dir: Path) -> dict:
    torch.manual_seed(cfg.seed)
    seeds = parse_seeds(cfg.seeds) if cfg.seeds else select_split(cases, cfg.split)[: cfg.num_trees]
    model, tokenizer = modeling.load(cfg.base_model, cfg.adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit)
    name = f"{cfg.base_model}+{Path(cfg.adapter).name}" if cfg.adapter else cfg.base_model
    path = run_dir / "trees.jsonl"
    with open(path, "a") as f:
        for case in seeds:
            t = {"seed": case["seed"], "model": name, "createdAt": now_iso(),
                 "children": grow(model, tokenizer, case, cfg, [], 1)}
            f.write(json.dumps(t) + "\n")
            log.info("tree for %r: %d first-level predictions", case["seed"]["event"], len(t["children"]))
    emitter.emit("artifact", name="trees", path=str(path))
    return {"trees": len(seeds), "path": str(path)}
