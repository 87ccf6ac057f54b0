import pytest

from psychohistory import modeling, prompts

CASE = {"id": "c1", "seed": {"event": "Snap election called in Chile", "date": "2020-05-01"},
        "levels": [{"depth": 1, "candidates": [{"event": "Polls tighten", "label": 0},
                                               {"event": "Opposition unites", "label": 1},
                                               {"event": "Currency falls", "label": 0}]},
                   {"depth": 2, "candidates": [{"event": "Coalition formed", "label": 1},
                                               {"event": "Budget unveiled", "label": 0}]}]}


@pytest.fixture(scope="module")
def tok():
    return modeling.train_tokenizer(["Snap election called in Chile", "Opposition unites", "A: 0.25"], 400)


def test_choice_prompt_context_and_letters():
    user, cands = prompts.choice_user(CASE, 2, seed=1)
    assert "Seed event (2020-05-01): Snap election called in Chile" in user
    assert "Then (depth 1): Opposition unites" in user  # the actual of the earlier depth
    for i, c in enumerate(cands):
        assert f"{'AB'[i]}. {c['event']}" in user
    assert sorted(c["event"] for c in cands) == ["Budget unveiled", "Coalition formed"]


def test_shuffle_is_fixed_by_seed():
    orders = {tuple(c["event"] for c in prompts.shuffled(CASE, 1, s)) for s in range(20)}
    assert len(orders) > 1  # the seed moves the actual around
    assert prompts.shuffled(CASE, 1, 5) == prompts.shuffled(CASE, 1, 5)


def test_generation_prompt_has_no_candidates():
    user = prompts.generation_user(CASE, 1)
    assert "Polls tighten" not in user and "What happened next (depth 1)?" in user


def test_harmony_template_and_completion_only_examples(tok):
    rendered = prompts.render(tok, "hi")
    assert rendered == (f"<|start|>system<|message|>{prompts.SYSTEM}<|end|>"
                        "<|start|>user<|message|>hi<|end|><|start|>assistant")
    ex = prompts.sft_examples([CASE], tok, 1, ["choice", "generation", "probs"])
    assert len(ex) == 6
    _, cands = prompts.choice_user(CASE, 1, 1)
    letter = "ABC"[next(i for i, c in enumerate(cands) if c["label"])]
    assert ex[0]["completion"] == f"<|channel|>final<|message|>{letter}<|return|>"
    assert ex[1]["completion"] == "<|channel|>final<|message|>Opposition unites<|return|>"
    assert ex[2]["completion"].count(": 1.00") == 1 and ex[2]["completion"].count(": 0.00") == 2
    # the tokenized prompt is a prefix of prompt+completion (what TRL's completion mask relies on)
    p = tok(ex[1]["prompt"]).input_ids
    pc = tok(ex[1]["prompt"] + ex[1]["completion"]).input_ids
    assert pc[: len(p)] == p and len(pc) > len(p)


def test_parse_probs_and_reward():
    assert prompts.parse_probs("A: 0.7\nB: 0.2\nC: 0.1", 3) == pytest.approx([0.7, 0.2, 0.1])
    assert prompts.parse_probs("A=70% B=30%", 2) == pytest.approx([0.7, 0.3])
    assert prompts.parse_probs("A: 2, B: 2", 2) == pytest.approx([0.5, 0.5])  # renormalised
    assert prompts.parse_probs("thinking A: 0.1 ... <|channel|>final<|message|>A: 0.9 B: 0.1", 2) == \
        pytest.approx([0.9, 0.1])
    assert prompts.parse_probs("no idea", 3) is None
    assert prompts.parse_probs("D: 0.5", 3) is None  # no letter of this level
    assert prompts.brier_reward("A: 1.0 B: 0.0", [1, 0]) == pytest.approx(1.0)
    assert prompts.brier_reward("A: 0.5 B: 0.5", [1, 0]) == pytest.approx(1 - 0.25)
    assert prompts.brier_reward("nonsense", [1, 0]) == 0.0
