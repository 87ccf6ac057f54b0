"""Why GRPO's advantages are not divided by each group's reward spread (scale_rewards=none by default).

All completions of a group answer one prompt, so they share one realised outcome. Divided by the group's own
spread, every group pushes its forecast toward that outcome by the same amount however close the forecast already
is — the Brier reward turns into a sign, and a forecast right 70 % of the time is pushed on toward 1 (the SmolLM2
runs of session 7: GRPO's stated 0.95 came true 79 % of the time, and more so the higher the lr). Undivided, the
push is the reward's own slope, zero where the forecast equals the truth: a proper score stays proper."""

import random
import statistics

from psychohistory import prompts
from psychohistory.config import make_config

TRUTH = 0.7  # P(A) of every prompt


def push(q0: float, scale: str, batches: int = 600, groups: int = 8, size: int = 8) -> float:
    """The expected direction of GRPO's update of P(A) at q0: mean over batches of sum_i advantage_i * (q_i - q0),
    with TRL's advantages (reward minus its group's mean, divided by the group's or the batch's std, or not)."""
    rng = random.Random(0)
    total = 0.0
    for _ in range(batches):
        batch = []
        for _ in range(groups):
            labels = [1, 0] if rng.random() < TRUTH else [0, 1]
            qs = [min(0.99, max(0.01, round(q0 + rng.gauss(0, 0.05), 2))) for _ in range(size)]
            batch.append((qs, [prompts.brier_reward(f"A: {q:.2f}\nB: {1 - q:.2f}", labels) for q in qs]))
        spread = statistics.stdev(r for _, rs in batch for r in rs)
        for qs, rs in batch:
            s = {"group": statistics.stdev(rs), "batch": spread, "none": 1.0}[scale] + 1e-4
            total += sum((r - statistics.mean(rs)) / s * (q - q0) for q, r in zip(qs, rs))
    return total / batches


def test_group_scaling_pushes_a_forecast_past_the_truth():
    assert push(0.8, "group") > 0 and push(0.9, "group") > 0  # on toward 1, though the truth is 0.7
    assert push(0.8, "batch") > 0  # the batch's spread depends on the outcomes too: still past the truth


def test_unscaled_advantages_settle_on_the_truth():
    assert push(0.6, "none") > 0 > push(0.8, "none")


def test_the_default_keeps_the_brier_reward_proper():
    assert make_config("grpo", {}).scale_rewards == "none"
