"""SFT packing (--packing=true: TRL 0.23's padding-free batches, the examples of a batch end to end in one row with
position ids restarting at 0) gives each example the loss it has in the padded batch: sft.packed_attention_masks
splits the row's attention at the position-id restarts (transformers 4.57's GptOssModel does not: it builds its
masks without the position ids, so TRL's padding-free row alone leaks, which the control test shows), eager and
fast path alike, and sft.per_example_loss splits the row into its examples the same way."""

import pytest
import torch

from psychohistory import fastpath, modeling, prompts, sft
from psychohistory.config import SFTConfig
from test_fastpath import tiny_gptoss


def per_example(model, seqs, completion_from, packed: bool):
    """Each example's mean cross-entropy on its tokens from `completion_from` on, padded (right) or packed."""
    labels_of = [[-100] * c + s[c:] for s, c in zip(seqs, completion_from)]
    if packed:
        ids = torch.tensor([sum(seqs, [])])
        pos = torch.cat([torch.arange(len(s)) for s in seqs])[None]
        labels = torch.tensor([sum(([-100] + lab[1:] for lab in labels_of), [])])
        with torch.no_grad():
            out = model(
                input_ids=ids,
                position_ids=pos,
                use_cache=False,
                attention_mask=sft.packed_attention_masks(model, ids, pos),
            ).logits
        return per_example_losses(out, labels, pos)
    n = max(len(s) for s in seqs)
    ids = torch.tensor([s + [0] * (n - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in seqs])
    labels = torch.tensor([lab + [-100] * (n - len(lab)) for lab in labels_of])
    with torch.no_grad():
        out = model(input_ids=ids, attention_mask=mask, use_cache=False).logits
    return per_example_losses(out, labels, None)


def per_example_losses(logits, labels, position_ids):
    tgt = labels[:, 1:]
    ex = sft.example_index(labels, position_ids)[:, 1:]
    nll = torch.nn.functional.cross_entropy(
        logits[:, :-1].reshape(-1, logits.shape[-1]), tgt.reshape(-1), reduction="none", ignore_index=-100
    ).view_as(tgt)
    keep = tgt != -100
    return [float(nll[keep & (ex == e)].mean()) for e in range(int(ex[keep].max()) + 1) if (keep & (ex == e)).any()]


SEQS = [
    [5, 9, 14, 3, 77, 40, 41, 8, 9, 10, 12],
    [6, 7, 100, 101],
    [30, 31, 32, 33, 34, 35, 36, 37, 38],
    [90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 60, 61, 62, 63],
]
FROM = [6, 2, 5, 9]


@pytest.mark.parametrize("fast", [False, True])
def test_packed_row_gives_each_example_its_padded_loss(fast):
    model = tiny_gptoss()  # 4 layers, a sliding window of 6 (shorter than the packed row), left-over sinks
    if fast:
        fastpath.enable(model, "on")
    padded = per_example(model, SEQS, FROM, packed=False)
    packed = per_example(model, SEQS, FROM, packed=True)
    assert len(padded) == len(packed) == 4
    assert packed == pytest.approx(padded, rel=1e-5, abs=1e-5)


def test_per_example_loss_is_the_same_padded_and_packed():
    """The training loss itself (sft.per_example_loss, which the trainer minimises), not only per-example losses."""
    model = tiny_gptoss()
    n = max(len(s) for s in SEQS)
    labels_of = [[-100] * c + s[c:] for s, c in zip(SEQS, FROM)]
    ids = torch.tensor([s + [0] * (n - len(s)) for s in SEQS])
    mask = torch.tensor([[1] * len(s) + [0] * (n - len(s)) for s in SEQS])
    labels = torch.tensor([lab + [-100] * (n - len(lab)) for lab in labels_of])
    with torch.no_grad():
        padded = sft.per_example_loss(model(input_ids=ids, attention_mask=mask).logits, labels)
        pids = torch.tensor([sum(SEQS, [])])
        pos = torch.cat([torch.arange(len(s)) for s in SEQS])[None]
        plabels = torch.tensor([sum(([-100] + lab[1:] for lab in labels_of), [])])
        masks = sft.packed_attention_masks(model, pids, pos)
        packed = sft.per_example_loss(
            model(input_ids=pids, position_ids=pos, attention_mask=masks, use_cache=False).logits, plabels, pos
        )
    assert float(packed) == pytest.approx(float(padded), rel=1e-5)


def test_rows_of_whole_examples_keep_the_padded_loss():
    """sft.pack_rows: the padding-free row cut into rows of at most 16 tokens (whole examples, tails padded as
    segments without labels): the same training loss as the padded batch."""
    model = tiny_gptoss()
    labels_of = [[-100] * c + s[c:] for s, c in zip(SEQS, FROM)]
    flat = torch.tensor([sum(SEQS, [])])
    flat_pos = torch.cat([torch.arange(len(s)) for s in SEQS])[None]
    flat_labels = torch.tensor([sum(([-100] + lab[1:] for lab in labels_of), [])])
    ids, pos, labels = sft.pack_rows(flat, flat_pos, flat_labels, 16, 0)
    assert ids.shape == (3, 15)  # [11+4] [9] [14]: whole examples in order, none over 16, as wide as the widest
    assert torch.equal(ids[ids != 0], flat[0])
    with torch.no_grad():
        packed = sft.per_example_loss(
            model(
                input_ids=ids,
                position_ids=pos,
                use_cache=False,
                attention_mask=sft.packed_attention_masks(model, ids, pos),
            ).logits,
            labels,
            pos,
        )
    padded = sum(per_example(model, SEQS, FROM, packed=False)) / len(SEQS)
    assert float(packed) == pytest.approx(padded, rel=1e-5)


def test_a_padding_free_row_alone_leaks_in_transformers_gptoss():
    """The control: the row with restarting positions but transformers' own masks (what TRL's padding_free hands a
    GptOss model) changes the loss of every example after the first, so the tests above can see contamination."""
    model = tiny_gptoss()
    padded = per_example(model, SEQS, FROM, packed=False)
    ids = torch.tensor([sum(SEQS, [])])
    pos = torch.cat([torch.arange(len(s)) for s in SEQS])[None]
    with torch.no_grad():
        logits = model(input_ids=ids, position_ids=pos, use_cache=False).logits
    labels = torch.tensor([sum(([-100] + ([-100] * c + s[c:])[1:] for s, c in zip(SEQS, FROM)), [])])
    leaked = per_example_losses(logits, labels, pos)
    assert leaked[0] == pytest.approx(padded[0], rel=1e-5)
    assert all(abs(a - b) > 1e-3 for a, b in zip(leaked[1:], padded[1:]))


def test_trainer_batches_padded_and_packed_have_the_same_loss(small_cases, tmp_path):
    """Through TRL: the SFTTrainer's own collator (padding_free when --packing=true) and compute_loss."""
    model, tok = modeling.load("tiny")
    tok.padding_side = "right"
    examples = prompts.sft_examples(small_cases[:3], tok, 1337, ["choice", "generation"])[:6]
    # One step of a small LoRA over the whole batch; the two trainers differ only in packing.
    one_step = dict(batch_size=6, max_steps=1, lora_rank=4, lora_alpha=8, gradient_checkpointing=False, save_steps=1000)
    losses, shapes = {}, {}
    for packing in (False, True):
        cfg = SFTConfig(**one_step, packing=packing)
        trainer = sft.build_trainer(cfg, model, tok, examples, str(tmp_path / str(packing)), [])
        batch = trainer.data_collator([trainer.train_dataset[i] for i in range(len(examples))])
        shapes[packing] = tuple(batch["input_ids"].shape)
        assert ("attention_mask" in batch) != packing
        with torch.no_grad():
            losses[packing] = float(trainer.compute_loss(trainer.model.eval(), batch))
        model = trainer.model.unload()
    assert shapes[True][0] == 1 and shapes[True][1] < shapes[False][0] * shapes[False][1]  # fewer tokens: no pads
    assert losses[True] == pytest.approx(losses[False], rel=1e-5)
