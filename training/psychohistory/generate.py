"""The generate job, and the tree code the forecast service shares: grow forecast trees (contract 4) from seeds by
free generation. At each node the model samples `num_samples` next events; distinct ones (after normalisation)
become children with their sample share as probability (at most `breadth` of them, the most frequent first); the
most likely child is grown further (`expand="top"`, the generate job) or every child (`expand="all"`, the service's
depth × breadth tree), down to `depth`. Trees grow level by level: every node of one level, across all the trees in
hand, is sampled in one batched `generate` call — that is how the service batches concurrent requests. When the
seed comes from a case with known levels, each prediction is matched against the actual event of its depth."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
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
def sample_events(
    model, tokenizer, users: list[str], n: int, temperature: float, max_new_tokens: int
) -> list[list[str]]:
    """`n` sampled next events for each prompt in `users`, all in one left-padded batch."""
    from .evaluate import _ids, generate_texts

    seqs = [_ids(tokenizer, prompts.render(tokenizer, u)) for u in users]
    texts = generate_texts(
        model, tokenizer, seqs, max_new_tokens, do_sample=True, temperature=temperature, num_return_sequences=n
    )
    return [texts[i * n : (i + 1) * n] for i in range(len(users))]


@dataclass
class TreeSpec:
    case: dict  # {"seed": {event, date}, "levels": [...]} (levels may be empty)
    depth: int  # levels to grow below the seed
    breadth: int = 0  # children kept per node (0 = every distinct sample)
    expand: str = "top"  # "top": grow the most likely child only; "all": grow every child
    children: list = field(default_factory=list)


def _children(case: dict, samples: list[str], depth: int, breadth: int) -> list[dict]:
    samples = [s for s in samples if s]
    if not samples:
        return []
    groups = Counter(metrics.normalize(s) for s in samples)
    first = {}
    for s in samples:
        first.setdefault(metrics.normalize(s), s)
    actual = prompts.actual_of(case["levels"][depth - 1]) if depth <= len(case["levels"]) else None
    nodes = []
    for key, count in groups.most_common(breadth or None):
        nodes.append({"event": first[key], "probability": count / len(samples), "depth": depth, "children": []})
    if actual is not None:
        for node, m in zip(nodes, matching.default().match_many((n["event"], actual) for n in nodes)):
            node["match"] = {"kind": m.kind, "score": m.score, "actual": actual}
            node["actual"] = m.kind in ("exact", "semantic")
    return nodes


def grow_trees(
    model,
    tokenizer,
    specs: list[TreeSpec],
    num_samples: int,
    temperature: float,
    max_new_tokens: int,
    batch_size: int = 64,
) -> list[list[dict]]:
    """The children (contract-4 nodes) of each spec's seed, grown level by level with one batched sampling call
    per level (chunks of `batch_size` prompts)."""
    # frontier: (spec, earlier events on the path, the list the new children go into, their depth)
    frontier = [(s, [], s.children, 1) for s in specs if s.depth >= 1]
    while frontier:
        users = [
            prompts.generation_user_from(prompts.context_from(s.case["seed"], earlier), d)
            for s, earlier, _, d in frontier
        ]
        samples = []
        for i in range(0, len(users), batch_size):
            samples += sample_events(
                model, tokenizer, users[i : i + batch_size], num_samples, temperature, max_new_tokens
            )
        nxt = []
        for (s, earlier, into, d), got in zip(frontier, samples):
            into.extend(_children(s.case, got, d, s.breadth))
            if d < s.depth:
                grown = into if s.expand == "all" else into[:1]
                nxt += [(s, earlier + [n["event"]], n["children"], d + 1) for n in grown]
        frontier = nxt
    return [s.children for s in specs]


def run(cfg, cases: list[dict] | None, emitter, run_dir: Path) -> dict:
    torch.manual_seed(cfg.seed)
    seeds = parse_seeds(cfg.seeds) if cfg.seeds else select_split(cases, cfg.split)[: cfg.num_trees]
    model, tokenizer = modeling.load(cfg.base_model, cfg.adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit)
    name = f"{cfg.base_model}+{Path(cfg.adapter).name}" if cfg.adapter else cfg.base_model
    specs = [TreeSpec(case=case, depth=cfg.depth) for case in seeds]
    grow_trees(model, tokenizer, specs, cfg.num_samples, cfg.temperature, cfg.max_new_tokens)
    path = run_dir / "trees.jsonl"
    with open(path, "a") as f:
        for spec in specs:
            t = {"seed": spec.case["seed"], "model": name, "createdAt": now_iso(), "children": spec.children}
            f.write(json.dumps(t) + "\n")
            log.info("tree for %r: %d first-level predictions", spec.case["seed"]["event"], len(t["children"]))
    emitter.emit("artifact", name="trees", path=str(path))
    return {"trees": len(seeds), "path": str(path)}
