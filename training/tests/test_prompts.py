import pytest

from psychohistory import modeling, prompts

CASE = {
    "id": "c1",
    "seed": {"event": "Snap election called in Chile", "date": "2020-05-01"},
    "levels": [
        {
            "depth": 1,
            "candidates": [
                {"event": "Polls tighten", "label": 0},
                {"event": "Opposition unites", "label": 1},
                {"event": "Currency falls", "label": 0},
            ],
        },
        {
            "depth": 2,
            "candidates": [{"event": "Coalition formed", "label": 1}, {"event": "Budget unveiled", "label": 0}],
        },
    ],
}


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


def test_harmony_template_forces_the_final_channel_and_completion_only_examples(tok):
    rendered = prompts.render(tok, "hi")
    assert rendered == (
        f"<|start|>system<|message|>{prompts.SYSTEM}<|end|>"
        "<|start|>user<|message|>hi<|end|><|start|>assistant<|channel|>final<|message|>"
    )
    _, cands = prompts.choice_user(CASE, 1, 1)
    stated = {("c1", 1): [0.1, 0.7, 0.2], ("c1", 2): [0.55, 0.45]}
    ex = prompts.sft_examples([CASE], tok, 1, ["choice", "generation", "stated"], stated)
    assert len(ex) == 6
    letter = "ABC"[next(i for i, c in enumerate(cands) if c["label"])]
    assert ex[0]["completion"] == f"{letter}<|return|>"
    assert ex[1]["completion"] == "Opposition unites<|return|>"
    # calibrated targets, verbalised, most likely letter first
    assert ex[2]["completion"] == "B: 0.70\nC: 0.20\nA: 0.10<|return|>"
    assert prompts.parse_probs(ex[5]["completion"], 2) == pytest.approx([0.55, 0.45])
    # the tokenized prompt is a prefix of prompt+completion (what TRL's completion mask relies on)
    p = tok(ex[1]["prompt"]).input_ids
    pc = tok(ex[1]["prompt"] + ex[1]["completion"]).input_ids
    assert pc[: len(p)] == p and len(pc) > len(p)


def test_parse_probs_and_reward():
    assert prompts.parse_probs("A: 0.7\nB: 0.2\nC: 0.1", 3) == pytest.approx([0.7, 0.2, 0.1])
    assert prompts.parse_probs("A=70% B=30%", 2) == pytest.approx([0.7, 0.3])
    assert prompts.parse_probs("A: 2, B: 2", 2) == pytest.approx([0.5, 0.5])  # renormalised
    assert prompts.parse_probs("thinking A: 0.1 ... <|channel|>final<|message|>A: 0.9 B: 0.1", 2) == pytest.approx(
        [0.9, 0.1]
    )
    assert prompts.parse_probs("no idea", 3) is None
    assert prompts.parse_probs("D: 0.5", 3) is None  # no letter of this level
    assert prompts.parse_probs("A: 0.25", 4) is None  # partial: not renormalised into certainty
    assert prompts.brier_reward("A: 1.0 B: 0.0", [1, 0]) == pytest.approx(1.0)
    assert prompts.brier_reward("A: 0.5 B: 0.5", [1, 0]) == pytest.approx(1 - 0.25)
    assert prompts.brier_reward("nonsense", [1, 0]) == 0.0


def test_reward_and_evaluation_read_the_same_stated_forecast():
    from psychohistory import metrics

    labels = [0, 1, 0]
    for text in ["A: 0.2\nB: 0.7\nC: 0.1", "B=60% A=40%", "<|channel|>final<|message|>C: 1", "garbage"]:
        probs, ok = prompts.stated_forecast(text, 3)
        level = {
            "case": "x",
            "depth": 1,
            "probs": probs,
            "stated": probs,
            "parsed": ok,
            "labels": labels,
            "nll": 1.0,
            "ntok": 1,
            "match": "none",
        }
        s = metrics.summarize([level], "grpo")
        assert s["parseFailures"] == (0 if ok else 1)
        if ok:  # the reward is 1 - the Brier evaluation reports as GRPO's headline
            assert prompts.brier_reward(text, labels) == pytest.approx(1 - s["brier"])
        else:  # unparsable: reward 0, evaluation scores the uniform forecast
            assert prompts.brier_reward(text, labels) == 0.0 and s["brierSkill"] == pytest.approx(0.0)


def test_letters_must_be_single_tokens(tok):
    prompts.check_letters(tok, [CASE])  # A, B, C are single tokens here
    bad = modeling.train_tokenizer(["xyz"], 300)  # a byte-level BPE with no merges still has single letters...
    assert len(prompts.letter_ids(bad, 3)) == 3

    class Splitter:  # ...so a tokenizer that splits letters is simulated
        name_or_path = "splitter"

        def __call__(self, text, add_special_tokens=False):
            return type("E", (), {"input_ids": [1, 2]})()

    with pytest.raises(ValueError, match="splits the letter 'A' into 2 tokens.*fix"):
        prompts.check_letters(Splitter(), [CASE])


def test_a_base_model_that_cannot_load_names_the_presets(tmp_path):
    with pytest.raises(modeling.ModelLoadError, match="cannot be loaded.*fix.*smollm2-135m"):
        modeling.load(str(tmp_path / "no-such-model"))
