"""The two forecasting prompts of GUIDE "Forecasting", rendered through the tokenizer's chat template.

Harmony (GPT-OSS): a prompt ends with `<|start|>assistant`; the model then picks a channel. Training completions are
`<|channel|>final<|message|>ANSWER<|return|>`; scoring forces FINAL so the next token is the answer itself."""
from __future__ import annotations

import random
import re

from .data import case_id

SYSTEM = "You forecast what happens after a real event. Be concise and calibrated."
FINAL = "<|channel|>final<|message|>"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def context(case: dict, depth: int) -> str:
    """The seed and the actual events of the earlier depths."""
    return context_from(case["seed"], [actual_of(lv) for lv in case["levels"][: depth - 1]])


def context_from(seed: dict, earlier: list[str]) -> str:
    lines = [f"Seed event ({seed['date']}): {seed['event']}"]
    lines += [f"Then (depth {d}): {ev}" for d, ev in enumerate(earlier, 1)]
    return "\n".join(lines)


def shuffled(case: dict, depth: int, seed: int) -> list[dict]:
    """The level's candidates in a fixed pseudo-random order (seeded by run seed, case and depth)."""
    cands = list(case["levels"][depth - 1]["candidates"])
    random.Random(f"{seed}:{case_id(case)}:{depth}").shuffle(cands)
    return cands


def choice_user(case: dict, depth: int, seed: int, probs: bool = False) -> tuple[str, list[dict]]:
    cands = shuffled(case, depth, seed)
    opts = "\n".join(f"{LETTERS[i]}. {c['event']}" for i, c in enumerate(cands))
    ask = ("Give a probability for every letter, one per line, like `A: 0.25`." if probs
           else "Answer with the letter of the event that happened next.")
    return f"{context(case, depth)}\nWhich of these happened next (depth {depth})?\n{opts}\n{ask}", cands


def generation_user(case: dict, depth: int) -> str:
    return generation_user_from(context(case, depth), depth)


def generation_user_from(ctx: str, depth: int) -> str:
    return f"{ctx}\nWhat happened next (depth {depth})? Answer with one short event."


def render(tokenizer, user: str) -> str:
    msgs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
    return tokenizer.apply_chat_template(msgs, tokenize=False, add_generation_prompt=True)


def actual_of(level: dict) -> str:
    return next(c["event"] for c in level["candidates"] if c["label"] == 1)


def probs_answer(cands: list[dict]) -> str:
    return "\n".join(f"{LETTERS[i]}: {float(c['label']):.2f}" for i, c in enumerate(cands))


def sft_examples(cases: list[dict], tokenizer, seed: int, tasks: list[str]) -> list[dict]:
    """Prompt/completion pairs (strings) for TRL's SFTTrainer: loss falls on the completion only.
    choice: the actual's letter; generation: the actual event; probs: 1.00 on the actual, 0.00 elsewhere."""
    eos = tokenizer.eos_token
    out = []
    for case in cases:
        for level in case["levels"]:
            d = level["depth"]
            if "choice" in tasks:
                user, cands = choice_user(case, d, seed)
                letter = LETTERS[next(i for i, c in enumerate(cands) if c["label"] == 1)]
                out.append({"prompt": render(tokenizer, user), "completion": FINAL + letter + eos})
            if "generation" in tasks:
                out.append({"prompt": render(tokenizer, generation_user(case, d)),
                            "completion": FINAL + actual_of(level) + eos})
            if "probs" in tasks:
                user, cands = choice_user(case, d, seed, probs=True)
                out.append({"prompt": render(tokenizer, user), "completion": FINAL + probs_answer(cands) + eos})
    return out


_PAIR = re.compile(r"\b([A-Z])\s*[:=]\s*([0-9]*\.?[0-9]+)\s*(%?)")


def parse_probs(text: str, n: int) -> list[float] | None:
    """`A: 0.7 / B: 0.3` → [0.7, 0.3] renormalised; the last value given for a letter wins (after any reasoning).
    None when no letter of the level gets a number or they sum to 0."""
    if FINAL in text:
        text = text.split(FINAL)[-1]
    vals = [0.0] * n
    seen = False
    for letter, num, pct in _PAIR.findall(text):
        i = LETTERS.find(letter)
        if 0 <= i < n:
            v = float(num) / (100.0 if pct else 1.0)
            vals[i], seen = max(v, 0.0), True
    total = sum(vals)
    if not seen or total <= 0:
        return None
    return [v / total for v in vals]


def brier_reward(text: str, labels: list[int]) -> float:
    """GRPO reward: 1 - Brier of the answer (mean over the level's candidates); 0 when it cannot be parsed."""
    p = parse_probs(text, len(labels))
    if p is None:
        return 0.0
    return 1.0 - sum((pi - y) ** 2 for pi, y in zip(p, labels)) / len(labels)
