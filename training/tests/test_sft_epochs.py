"""SFT phase 1 keeps the epoch whose letter readout scores best on the held-out calibration slice (measured on the
H200: a 135M model's held-out skill climbs steeply from epoch 3 to 5 and then flattens or falls as it memorises)."""

from types import SimpleNamespace

import pytest
import torch

from psychohistory import sft


class OneWeight(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.tensor(0.0))
        self.frozen = torch.nn.Parameter(torch.tensor(5.0), requires_grad=False)


def fake_readouts(model, tokenizer, cases, seed, batch):
    """One two-candidate level whose actual is the first: the readout puts sigmoid(w) on it."""
    p = float(torch.sigmoid(model.w.detach()))
    return [({}, ([p, 1 - p], [{"label": 1}, {"label": 0}]))]


def test_the_best_epoch_weights_are_put_back(monkeypatch):
    monkeypatch.setattr(sft, "letter_readouts", fake_readouts)
    model, cb = OneWeight(), sft.BestEpoch(tokenizer=None, cases=[{}], seed=0, batch=8)
    for epoch, w in enumerate([0.5, 3.0, 1.0], 1):  # epoch 2 is best, epoch 3 overfits
        model.w.data.fill_(w)
        cb.on_epoch_end(None, SimpleNamespace(epoch=float(epoch)), None, model=model)
    cb.on_train_end(None, None, None, model=model)
    assert cb.best_epoch == 2.0 and float(model.w.detach()) == pytest.approx(3.0)
    assert [round(c["brierSkill"], 3) for c in cb.curve] == [
        round(sft.readout_brier(fake_readouts(m, None, None, 0, 0))[1], 3)
        for m in [SimpleNamespace(w=torch.tensor(w)) for w in (0.5, 3.0, 1.0)]
    ]
    assert float(model.frozen.detach()) == 5.0  # only trainable weights are kept and restored


def test_readout_brier_matches_the_definition():
    brier, skill = sft.readout_brier([({}, ([0.8, 0.2], [{"label": 1}, {"label": 0}]))])
    assert brier == pytest.approx((0.2**2 + 0.2**2) / 2)
    assert skill == pytest.approx(1 - brier / 0.25)  # uniform on two candidates: (0.5² + 0.5²) / 2
