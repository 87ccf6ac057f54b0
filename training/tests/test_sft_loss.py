"""SFT weighs its loss per example: a one-token letter counts as much as a long written answer."""

import pytest
import torch
import torch.nn.functional as F

from psychohistory.sft import per_example_loss


def test_each_example_counts_once_whatever_its_length():
    torch.manual_seed(0)
    logits = torch.randn(2, 6, 11)
    labels = torch.full((2, 6), -100)
    labels[0, 5] = 3  # a one-token answer (a letter)
    labels[1, 2:6] = torch.tensor([1, 4, 2, 9])  # a four-token answer
    nll = F.cross_entropy(
        logits[:, :-1].reshape(-1, 11), labels[:, 1:].reshape(-1), ignore_index=-100, reduction="none"
    ).view(2, 5)
    letter, written = nll[0, 4], nll[1, 1:5].mean()
    assert per_example_loss(logits, labels) == pytest.approx(float((letter + written) / 2), rel=1e-5)
    token_mean = float(nll[labels[:, 1:] != -100].mean())  # TRL's default would weigh the letter 1/5
    assert per_example_loss(logits, labels) != pytest.approx(token_mean, rel=1e-3)


def test_examples_without_completion_are_skipped_and_gradients_flow():
    logits = torch.randn(2, 4, 5, requires_grad=True)
    labels = torch.full((2, 4), -100)
    labels[1, 3] = 2
    loss = per_example_loss(logits, labels)
    loss.backward()
    assert float(loss.detach()) == pytest.approx(float(-torch.log_softmax(logits[1, 2].detach(), -1)[2]), rel=1e-5)
    assert logits.grad[0].abs().sum() == 0 and logits.grad[1, 2].abs().sum() > 0
