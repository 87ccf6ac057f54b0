"""The forecasting prompts of GUIDE "Forecasting", rendered through the tokenizer's own chat template.

Every prompt ends where the answer starts: for a harmony model (GPT-OSS) the final channel is forced
(`<|start|>assistant<|channel|>final<|message|>`), so the answer is parsed from the final channel only and the next
token of the choice prompt is the letter itself; any other chat model (ChatML for SmolLM2) answers right after its
assistant header. A completion is the answer followed by the tokenizer's end-of-turn token.

One forecast, two readouts of the same level: the letter readout (next-token distribution over the letters of the
choice prompt) and the stated forecast (a probability per letter the model writes for the stated prompt)."""

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
    ask = (
        "Give a probability for every letter, one per line, like `A: 0.25`."
        if probs
        else "Answer with the letter of the event that happened next."
    )
    return f"{context(case, depth)}\nWhich of these happened next (depth {depth})?\n{opts}\n{ask}", cands


def generation_user(case: dict, depth: int) -> str:
    return generation_user_from(context(case, depth), depth)


def generation_user_from(ctx: str, depth: int) -> str:
    return f"{ctx}\nWhat happened next (depth {depth})? Answer with one short event."


def is_harmony(tokenizer) -> bool:
    """A harmony tokenizer (GPT-OSS) has the channel token. Asked once per tokenizer: get_vocab() builds a dict."""
    if not hasattr(tokenizer, "_psychohistory_harmony"):
        tokenizer._psychohistory_harmony = "<|channel|>" in tokenizer.get_vocab()
    return tokenizer._psychohistory_harmony


def render(tokenizer, user: str) -> str:
    """The whole prompt up to where the answer starts (the final channel forced for harmony models)."""
    return render_chat(tokenizer, [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}])


def render_chat(tokenizer, messages: list[dict]) -> str:
    """Any conversation, rendered as render() does (the forecast service's chat completions use it)."""
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return text + FINAL if is_harmony(tokenizer) else text


def letter_ids(tokenizer, n: int) -> list[int]:
    """Token ids of the first n candidate letters; each must be one token for the letter readout."""
    out = []
    for letter in LETTERS[:n]:
        ids = tokenizer(letter, add_special_tokens=False).input_ids
        if len(ids) != 1:
            name = getattr(tokenizer, "name_or_path", "") or type(tokenizer).__name__
            raise ValueError(
                f"the tokenizer of {name} splits the letter {letter!r} into {len(ids)} tokens; the "
                f"letter readout needs one token per letter; fix: use a base model whose tokenizer has "
                f"single-token capital letters, or keep levels to fewer candidates"
            )
        out.append(ids[0])
    return out


def check_letters(tokenizer, cases: list[dict]) -> None:
    """Start-up check: every level's letters are one token each (raises naming the letter and the fix)."""
    letter_ids(tokenizer, max(len(lv["candidates"]) for c in cases for lv in c["levels"]))


def actual_of(level: dict) -> str:
    return next(c["event"] for c in level["candidates"] if c["label"] == 1)


def stated_answer(probs: list[float]) -> str:
    """A forecast written the way the stated prompt asks, `C: 0.53` per line with two decimals, most likely letter
    first: the first token written is then the letter readout's own top choice, so what the model states starts
    from what it already knows (measured: in letter order a 135M model wrote a fixed falling pattern instead)."""
    order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))
    return "\n".join(f"{LETTERS[i]}: {probs[i]:.2f}" for i in order)


def sft_examples(cases: list[dict], tokenizer, seed: int, tasks: list[str], stated: dict | None = None) -> list[dict]:
    """Prompt/completion pairs (strings) for TRL's SFTTrainer: loss falls on the completion only.
    choice: the actual's letter; generation: the actual event; stated: the calibrated forecast `stated[(case id,
    depth)]` (probabilities in the shuffled letter order, e.g. the model's own letter readout), verbalised."""
    eos = tokenizer.eos_token
    out = []
    for case in cases:
        for level in case["levels"]:
            d = level["depth"]
            if "choice" in tasks:
                user, cands = choice_user(case, d, seed)
                letter = LETTERS[next(i for i, c in enumerate(cands) if c["label"] == 1)]
                out.append({"prompt": render(tokenizer, user), "completion": letter + eos})
            if "generation" in tasks:
                out.append(
                    {"prompt": render(tokenizer, generation_user(case, d)), "completion": actual_of(level) + eos}
                )
            if "stated" in tasks and stated is not None:
                user, _ = choice_user(case, d, seed, probs=True)
                out.append(
                    {"prompt": render(tokenizer, user), "completion": stated_answer(stated[(case_id(case), d)]) + eos}
                )
    return out


_PAIR = re.compile(r"\b([A-Z])\s*[:=]\s*([0-9]*\.?[0-9]+)\s*(%?)")


def parse_probs(text: str, n: int) -> list[float] | None:
    """`A: 0.7 / B: 0.3` → [0.7, 0.3] renormalised; the last value given for a letter wins (after any reasoning).
    None (a parse failure) unless every letter of the level gets a number and they do not sum to 0: a partial
    answer like `A: 0.25` says nothing about the other letters, and renormalising it would claim certainty."""
    if FINAL in text:
        text = text.split(FINAL)[-1]
    vals: list[float | None] = [None] * n
    for letter, num, pct in _PAIR.findall(text):
        i = LETTERS.find(letter)
        if 0 <= i < n:
            vals[i] = max(float(num) / (100.0 if pct else 1.0), 0.0)
    if any(v is None for v in vals) or sum(vals) <= 0:
        return None
    return [v / sum(vals) for v in vals]


def stated_forecast(text: str, n: int) -> tuple[list[float], bool]:
    """The stated forecast of a level as evaluation scores it: the parsed answer, or uniform when it cannot be
    parsed (second value False: a parse failure)."""
    p = parse_probs(text, n)
    return (p, True) if p is not None else ([1.0 / n] * n, False)


def brier_reward(text: str, labels: list[int]) -> float:
    """GRPO reward: 1 - Brier of the stated forecast that evaluation scores (mean over the level's candidates);
    0 when it cannot be parsed."""
    p, ok = stated_forecast(text, len(labels))
    if not ok:
        return 0.0
    return 1.0 - sum((pi - y) ** 2 for pi, y in zip(p, labels)) / len(labels)
