"""Candidate-based SFT: TRL's SFTTrainer + peft LoRA on prompt/completion pairs (loss on completions only, weighed
per example: a one-token letter counts as much as a written forecast).

Two phases, both resumable:
  1. letters: the choice task (cross-entropy on the actual's letter) and the generation task (the actual's text);
  2. stated: the stated forecast, taught with calibrated targets: phase 1's own letter readout on the training
     prompts, temperature-scaled on a held-out slice of training seed events, verbalised (`A: 0.83`), mixed with
     the choice task so the letters stay. GRPO starts from this and sharpens what the model writes.
Reads top to bottom: data → model → LoRA → phase 1 → readout → phase 2 → save adapter."""

from __future__ import annotations

import logging
import math
import time
from pathlib import Path

from transformers import TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from . import fastpath, modeling, prompts
from .config import split_list, to_dict
from .data import select_split
from .metrics import normalize

log = logging.getLogger("psychohistory")


class EventCallback(TrainerCallback):
    """Turns the trainer's logs into contract-3 train events; optional eval events at intervals; honours a
    cancel request by checkpointing and stopping at the next step."""

    def __init__(self, emitter, job, eval_fn=None, eval_steps: int = 0, time_limit_s: float = 0):
        self.emitter, self.job, self.eval_fn, self.eval_steps = emitter, job, eval_fn, eval_steps
        self.step_offset, self.epoch_offset = 0, 0.0  # a second phase continues the step axis
        self.last_time, self.last_tokens = time.time(), 0.0
        self.deadline = time.time() + time_limit_s if time_limit_s > 0 else None

    def on_train_begin(self, args, state, control, **kw):
        self.last_time, self.last_tokens = time.time(), 0.0  # each phase's trainer counts tokens from 0

    def on_log(self, args, state, control, logs=None, **kw):
        logs = logs or {}
        if "loss" not in logs:
            return
        now = time.time()
        tps = None
        if "num_tokens" in logs:  # TRL counts the tokens it has trained on
            tps = max(0.0, (logs["num_tokens"] - self.last_tokens) / max(now - self.last_time, 1e-9))
            self.last_tokens = logs["num_tokens"]
        self.last_time = now
        reward = logs.get("reward")
        reward_std = logs.get("reward_std")
        self.emitter.emit(
            "train",
            step=self.step_offset + state.global_step,
            epoch=self.epoch_offset + float(state.epoch or 0.0),
            loss=float(logs["loss"]),
            lr=max(0.0, float(logs.get("learning_rate", 0.0))),
            gradNorm=_nonneg(logs.get("grad_norm")),
            tokensPerSecond=tps,
            rewardMean=None if reward is None else float(reward),
            rewardStd=_nonneg(reward_std),
        )
        log.info(
            "step %d loss %.4f%s",
            state.global_step,
            logs["loss"],
            "" if reward is None else f" reward {reward:.4f}±{reward_std or 0:.4f}",
        )

    def on_step_end(self, args, state, control, **kw):
        if self.eval_fn and self.eval_steps and state.global_step % self.eval_steps == 0:
            self.eval_fn(kw["model"])
        if self.deadline and time.time() > self.deadline and not control.should_training_stop:
            log.info("time limit reached at step %d: stopping and saving the adapter", state.global_step)
            control.should_training_stop = True
        if self.job.cancel_requested:
            log.info("cancel requested: checkpointing at step %d and stopping", state.global_step)
            control.should_save = True
            control.should_training_stop = True


def _nonneg(x):
    return None if x is None else max(0.0, float(x))


def trainer_args(cls, cfg, out: str, **extra):
    """The TrainingArguments fields the SFT and GRPO configs share."""
    import torch

    cuda = torch.cuda.is_available()
    return cls(
        output_dir=out,
        num_train_epochs=cfg.num_epochs,
        max_steps=cfg.max_steps,
        per_device_train_batch_size=cfg.batch_size,
        gradient_accumulation_steps=cfg.grad_accum,
        learning_rate=cfg.learning_rate,
        logging_steps=cfg.logging_steps,
        save_steps=cfg.save_steps,
        save_total_limit=2,
        report_to=[],
        seed=cfg.seed,
        bf16=cuda,
        use_cpu=not cuda,
        dataloader_num_workers=0,
        disable_tqdm=True,
        gradient_checkpointing=cfg.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        **extra,
    )


def train_and_save(trainer, tokenizer, cfg, out: str, job, emitter, stage: str, final: str = "", artifact: str = ""):
    """Train (resuming from the last checkpoint in `out`), then save the adapter with its meta (into `final`,
    default <out>/final) and emit the artifact event (named `artifact`, default "<stage> adapter"). Shared by SFT
    and GRPO. Returns (train result, adapter dir); the dir is None when cancelled."""
    resume = get_last_checkpoint(out) if Path(out).is_dir() else None
    if resume:
        log.info("resuming from %s", resume)
    job.in_trainer = True
    result = trainer.train(resume_from_checkpoint=resume)
    job.in_trainer = False
    if job.cancel_requested:
        return result, None
    final = final or str(Path(out) / "final")
    trainer.save_model(final)
    tokenizer.save_pretrained(final)
    modeling.write_adapter_meta(final, cfg.base_model, cfg.adapter, stage, to_dict(cfg))
    emitter.emit("artifact", name=artifact or f"{stage} adapter", path=final)
    return result, final


def example_index(labels, position_ids=None):
    """Which example each token belongs to: its row in a padded batch; in a padding-free batch (TRL's collator with
    padding_free: examples end to end in one row, positions restarting at 0) the segment between restarts."""
    import torch

    if position_ids is None:
        return torch.arange(labels.shape[0], device=labels.device)[:, None].expand_as(labels)
    new = torch.diff(position_ids, prepend=position_ids[:, :1] - 1, dim=-1) != 1
    new[:, 0] = True
    return new.reshape(-1).cumsum(0).reshape(position_ids.shape) - 1


def packed_attention_masks(model, input_ids, position_ids) -> dict | None:
    """The attention masks of a padding-free row, split at its position-id restarts, as the prepared mask mapping a
    GptOss model accepts in place of attention_mask. transformers 4.57's GptOssModel builds its masks without the
    position ids (Llama's passes them), so without this every example would attend to the ones before it in the
    row. None for other models (transformers splits the row itself)."""
    import torch
    from transformers.masking_utils import create_causal_mask, create_sliding_window_causal_mask

    cfg = model.config
    if getattr(cfg, "model_type", "") != "gpt_oss":
        return None
    embeds = torch.empty(*input_ids.shape, 0, dtype=model.get_input_embeddings().weight.dtype, device=input_ids.device)
    kw = dict(
        config=cfg,
        input_embeds=embeds,
        attention_mask=None,
        past_key_values=None,
        position_ids=position_ids,
        cache_position=torch.arange(input_ids.shape[1], device=input_ids.device),
    )
    return {"full_attention": create_causal_mask(**kw), "sliding_attention": create_sliding_window_causal_mask(**kw)}


def pack_rows(input_ids, position_ids, labels, row_len: int, pad_id: int):
    """A padding-free batch (one row of N tokens, examples end to end) → rows of at most `row_len` tokens holding
    whole examples in order, each row's tail padded as a segment of its own with no labels. One row of N tokens
    would cost attention over N² pairs; rows of max_seq_length cost what padded batches do, without their pads."""
    import torch

    flat_pos, n = position_ids[0], input_ids.shape[1]
    starts = (flat_pos == 0).nonzero().flatten().tolist() + [n]
    spans = list(zip(starts[:-1], starts[1:]))
    row_len = max([row_len] + [e - s for s, e in spans])
    rows, cur, used = [], [], 0
    for s, e in spans:
        if cur and used + e - s > row_len:
            rows.append(cur)
            cur, used = [], 0
        cur.append((s, e))
        used += e - s
    rows.append(cur)
    width = max(sum(e - s for s, e in r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=input_ids.dtype, device=input_ids.device)
    lab = torch.full((len(rows), width), -100, dtype=labels.dtype, device=labels.device)
    pos = torch.zeros((len(rows), width), dtype=position_ids.dtype, device=position_ids.device)
    for i, r in enumerate(rows):
        j = 0
        for s, e in r:
            ids[i, j : j + e - s], lab[i, j : j + e - s], pos[i, j : j + e - s] = (
                input_ids[0, s:e],
                labels[0, s:e],
                flat_pos[s:e],
            )
            j += e - s
        pos[i, j:] = torch.arange(width - j, device=pos.device)  # the tail: a segment of its own
    return ids, pos, lab


def per_example_loss(logits, labels, position_ids=None):
    """Mean over the examples of each example's mean token cross-entropy on its completion (labels != -100), padded
    or padding-free alike (see example_index). Only the completion positions' logits are copied to float."""
    import torch
    import torch.nn.functional as F

    tgt = labels[:, 1:]
    ex = example_index(labels, position_ids)[:, 1:]  # the example of the token each position predicts
    rows = (tgt != -100).nonzero(as_tuple=True)
    nll = F.cross_entropy(logits[:, :-1, :][rows].float(), tgt[rows], reduction="none")
    n_ex = int(ex.max()) + 1
    n = torch.zeros(n_ex, device=nll.device).index_add_(0, ex[rows], torch.ones_like(nll))
    per_example = torch.zeros(n_ex, device=nll.device).index_add_(0, ex[rows], nll) / n.clamp(min=1)
    return per_example[n > 0].mean() if bool((n > 0).any()) else logits.sum() * 0.0


def example_weighted(trainer_cls):
    """`trainer_cls` with the loss of each example = the mean over its completion tokens, and the batch loss = the
    mean over examples (TRL's default averages over tokens, so long answers drown the one-token letters)."""

    class ExampleWeighted(trainer_cls):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.model_accepts_loss_kwargs = False  # the loss is already a mean: Trainer divides by grad_accum
            self.tokens_seen = 0

        def log(self, logs, *a, **kw):
            if "loss" in logs:
                logs["num_tokens"] = float(self.tokens_seen)  # what EventCallback turns into tokens/s
            return super().log(logs, *a, **kw)

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            if model.training:
                self.tokens_seen += (
                    int(inputs["attention_mask"].sum()) if "attention_mask" in inputs else inputs["input_ids"].numel()
                )
            batch = {k: inputs[k] for k in ("input_ids", "attention_mask", "position_ids") if k in inputs}
            labels = inputs["labels"]
            packed = "attention_mask" not in batch and "position_ids" in batch  # a padding-free row (--packing)
            if packed:
                batch["input_ids"], batch["position_ids"], labels = pack_rows(
                    batch["input_ids"],
                    batch["position_ids"],
                    labels,
                    self.args.max_length or 1024,
                    self.processing_class.pad_token_id,
                )
                batch["attention_mask"] = packed_attention_masks(model, batch["input_ids"], batch["position_ids"])
            # no KV cache: with one, transformers would not split a padding-free row at its position-id restarts
            out = model(**batch, use_cache=False)
            loss = per_example_loss(out.logits, labels, batch["position_ids"] if packed else None)
            return (loss, out) if return_outputs else loss

    return ExampleWeighted


def build_trainer(
    cfg, model, tokenizer, examples: list[dict], out: str, callbacks, num_epochs: float | None = None, peft: bool = True
):
    """TRL SFTTrainer (per-example loss) with a fresh LoRA, or on `model` as it is when peft=False (phase 2, whose
    model already carries phase 1's LoRA). Also used by the benchmark."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    args = trainer_args(
        SFTConfig,
        cfg,
        out,
        warmup_ratio=cfg.warmup_ratio,
        lr_scheduler_type="linear",
        max_length=cfg.max_seq_length,
        completion_only_loss=True,
        packing=False,
        padding_free=cfg.packing,
    )  # same batches, without their pad tokens
    if num_epochs is not None:
        args.num_train_epochs = num_epochs
    if cfg.packing:  # TRL warns that only flash attention splits padding-free rows: compute_loss does it here
        log.info(
            "SFT packing: padding-free batches cut into rows of whole examples, attention split at each "
            "example's start (sft.packed_attention_masks)"
        )
    return example_weighted(SFTTrainer)(
        model=model,
        args=args,
        train_dataset=Dataset.from_list(examples),
        processing_class=tokenizer,
        peft_config=modeling.lora_config(cfg, model) if peft else None,
        callbacks=callbacks,
    )


def held_out_slice(cases: list[dict], fraction: float, seed: int) -> tuple[list[dict], list[dict]]:
    """(fit, calibration): whole seed events go to the calibration slice, so it is held out like an eval split."""
    import random

    events = sorted({normalize(c["seed"]["event"]) for c in cases})
    k = int(round(len(events) * fraction)) if len(events) > 1 else 0
    held = set(random.Random(f"calibration:{seed}").sample(events, k))
    return (
        [c for c in cases if normalize(c["seed"]["event"]) not in held],
        [c for c in cases if normalize(c["seed"]["event"]) in held],
    )


SIMILAR = 0.5  # word-set Jaccard at which two seed events are the same kind of event about different entities


def similar_groups(events: list[str]) -> list[list[str]]:
    """Seed events joined (transitively) when their word sets overlap by Jaccard >= SIMILAR: "Central bank of Chile
    raises rates" and "… of Japan raises rates" land in one group, a strike and a flu outbreak in two."""
    from .metrics import jaccard

    parent = list(range(len(events)))

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(events)):
        for j in range(i + 1, len(events)):
            if jaccard(events[i], events[j]) >= SIMILAR:
                parent[root(j)] = root(i)
    groups: dict[int, list[str]] = {}
    for i, e in enumerate(events):
        groups.setdefault(root(i), []).append(e)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def partition(cases: list[dict], tasks: list[str], unfamiliar_fraction: float, seed: int):
    """(fit, calibration, unfamiliar) of the training cases. Unfamiliar: whole groups of similar seed events, held
    out of every answer SFT trains on, so the stated forecast also learns what the model says about a kind of event
    it never saw (and GRPO can practise on it). Calibration: whole seed events of the rest, held out of phase 1
    (epoch choice and temperature). A pure function of its arguments: GRPO recomputes it from the adapter's config."""
    import random

    events = sorted({normalize(c["seed"]["event"]) for c in cases})
    groups = similar_groups(events)
    k = int(round(len(groups) * unfamiliar_fraction)) if len(groups) > 2 else 0
    unfamiliar = {e for g in random.Random(f"unfamiliar:{seed}").sample(groups, k) for e in g}
    rest = [c for c in cases if normalize(c["seed"]["event"]) not in unfamiliar]
    fit, calib = held_out_slice(rest, 0.1 if "stated" in tasks else 0.0, seed)
    return fit, calib, [c for c in cases if normalize(c["seed"]["event"]) in unfamiliar]


def fit_temperature(readouts: list[list[float]], labels: list[list[int]]) -> float:
    """The temperature T that minimises the log loss of p^(1/T), renormalised, on held-out levels (grid search)."""

    def nll(t):
        total = 0.0
        for p, y in zip(readouts, labels):
            w = [max(x, 1e-12) ** (1.0 / t) for x in p]
            total -= math.log(w[y.index(1)] / sum(w))
        return total

    # 0.5 .. 50, geometric, then infinity = the uniform forecast: a readout that is confidently wrong (an unfamiliar
    # kind of event) is best said flat, and one that beats no flat forecast is best said exactly uniform — any
    # ordering it keeps is noise that costs skill.
    grid = [0.5 * 100 ** (i / 160) for i in range(161)] + [math.inf]
    return min(grid, key=nll) if readouts else 1.0


def finite(t: float | None) -> float | None:
    return None if t is None or math.isinf(t) else t


def temper(p: list[float], t: float) -> list[float]:
    w = [max(x, 1e-12) ** (1.0 / t) for x in p]
    return [x / sum(w) for x in w]


def letter_readouts(model, tokenizer, cases: list[dict], seed: int, batch: int) -> list[tuple[dict, tuple]]:
    """[(item, (probs, candidates))] for every level of `cases`, scored in eval mode (evaluation pads on the left
    itself, whatever the tokenizer's side); the model is put back in the mode it was in."""
    from . import evaluate

    return evaluate.in_batches(
        model,
        evaluate.level_items(cases),
        batch,
        lambda items: list(zip(items, evaluate.letter_readout(model, tokenizer, items, seed))),
    )


def readout_brier(readouts) -> tuple[float, float]:
    """(Brier, skill against the uniform forecast) of letter readouts, as evaluation defines them."""
    from . import metrics

    r = metrics.readout([{"probs": p, "labels": [c["label"] for c in cands]} for _, (p, cands) in readouts], "probs")
    return r["brier"], r["brierSkill"]


MIN_SELECT_LEVELS = 20  # fewer held-out levels than this choose an epoch (or a temperature) by noise, not skill


class BestEpoch(TrainerCallback):
    """Scores the letter readout on held-out cases at the end of every epoch and, when training ends, puts back the
    trainable weights of the best epoch: a small model gains from more epochs until it starts to memorise the
    training events, and the held-out calibration slice (never trained on in phase 1) says when."""

    def __init__(self, tokenizer, cases: list[dict], seed: int, batch: int):
        self.tokenizer, self.cases, self.seed, self.batch = tokenizer, cases, seed, batch
        self.best, self.best_epoch, self.weights, self.curve = float("inf"), None, None, []

    def on_epoch_end(self, args, state, control, model=None, **kw):
        brier, skill = readout_brier(letter_readouts(model, self.tokenizer, self.cases, self.seed, self.batch))
        self.curve.append({"epoch": round(float(state.epoch or 0), 3), "brier": brier, "brierSkill": skill})
        log.info(
            "epoch %.2f: letter readout on the held-out calibration slice: Brier %.4f, skill %.3f",
            state.epoch or 0,
            brier,
            skill,
        )
        if brier < self.best:
            self.best, self.best_epoch = brier, self.curve[-1]["epoch"]
            self.weights = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}

    def on_train_end(self, args, state, control, model=None, **kw):
        if self.weights is None:
            return
        import torch

        params = dict(model.named_parameters())
        with torch.no_grad():
            for name, value in self.weights.items():
                params[name].copy_(value)
        log.info("kept the weights of epoch %s (calibration letter Brier %.4f)", self.best_epoch, self.best)


def tempered(readouts) -> tuple[dict, float]:
    """Readouts tempered by the T fitted on them (1 below MIN_SELECT_LEVELS: a temperature fitted on a few levels
    is noise, mostly 0.5 or 5), keyed by (case id, depth) in the prompt's letter order; and T."""
    from .data import case_id

    t = (
        fit_temperature([p for _, (p, _) in readouts], [[c["label"] for c in cands] for _, (_, cands) in readouts])
        if len(readouts) >= MIN_SELECT_LEVELS
        else 1.0
    )
    return {(case_id(it["case"]), it["depth"]): temper(p, t) for it, (p, _) in readouts}, t


def stated_targets(model, tokenizer, fit_cases, calib_cases, unfamiliar_cases, seed: int, batch: int):
    """Phase 2's targets: the letter readout of every training level, tempered by T fitted on the calibration
    slice (phase 1 never trained on it); unfamiliar levels tempered by a T fitted on themselves (what the model
    should say about a kind of event it never saw: mostly flatter). Returns (targets, T, T unfamiliar)."""
    from .data import case_id

    calib = letter_readouts(model, tokenizer, calib_cases, seed, batch)
    _, t = tempered(calib)
    targets = {
        (case_id(it["case"]), it["depth"]): temper(p, t)
        for it, (p, _) in letter_readouts(model, tokenizer, fit_cases, seed, batch) + calib
    }
    t_unfamiliar = None
    if unfamiliar_cases:
        unfamiliar, t_unfamiliar = tempered(letter_readouts(model, tokenizer, unfamiliar_cases, seed, batch))
        targets.update(unfamiliar)
    return targets, t, t_unfamiliar


def phase2_cases(train_cases, fit_cases, calib_cases, grpo_holdout: bool) -> tuple[list[dict], list[dict]]:
    """(answered, stated only): phase 2 trains answers (choice, generation) only where SFT may know them — never on
    the unfamiliar kinds of event, and not on the calibration slice when it is kept for GRPO — and the stated
    forecast (the model's own readout, which reveals no answer) on every training case."""
    answered = fit_cases if grpo_holdout else fit_cases + calib_cases
    ids = {id(c) for c in answered}
    return answered, [c for c in train_cases if id(c) not in ids]


def run(cfg, cases: list[dict], emitter, run_dir: Path, job) -> dict:
    from peft import PeftModel

    from . import evaluate

    fastpath.check(cfg.fast_forward)
    train_cases = select_split(cases, cfg.split)
    tasks = split_list(cfg.tasks)
    model, tokenizer = modeling.load(
        cfg.base_model, cfg.adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit, for_training=True
    )
    fastpath.enable(model, cfg.fast_forward)  # peft wraps these same modules: phase 2 and the readouts keep it
    prompts.check_letters(tokenizer, train_cases)
    tokenizer.padding_side = "right"  # training pads on the right; scoring pads on the left by itself
    fit_cases, calib_cases, unfamiliar = partition(train_cases, tasks, cfg.unfamiliar_fraction, cfg.seed)
    examples = prompts.sft_examples(fit_cases, tokenizer, cfg.seed, [t for t in tasks if t != "stated"])
    log.info(
        "SFT phase 1 (%s) on %d examples from %d %s cases (held out: %d cases for calibration, %d cases of "
        "unfamiliar kinds of event)",
        ",".join(t for t in tasks if t != "stated"),
        len(examples),
        len(fit_cases),
        cfg.split,
        len(calib_cases),
        len(unfamiliar),
    )

    eval_cases = [c for c in cases if c.get("split") == "eval"][: cfg.eval_max_cases]
    eval_fn = None
    if cfg.eval_steps and eval_cases:

        def eval_fn(m):  # interval eval on a few eval cases, as stage "sft"
            res = evaluate.score_cases(m, tokenizer, eval_cases, cfg.eval_seed, 8, 16)
            evaluate.emit_eval(emitter, "sft", *evaluate.summarize(res, "sft"))

    out = cfg.output_dir or str(run_dir / "adapter")
    callback = EventCallback(emitter, job, eval_fn, cfg.eval_steps, cfg.time_limit_s)
    phase1 = str(Path(out) / "letters") if "stated" in tasks else out  # its own checkpoints when a phase 2 follows
    best = []
    if "stated" in tasks and (Path(phase1) / "final" / "adapter_config.json").exists():
        log.info("phase 1 already done: %s/final", phase1)  # a resumed run
        model = PeftModel.from_pretrained(model, f"{phase1}/final", is_trainable=True)
        trainer, result = None, None
    else:
        calib_levels = sum(len(c["levels"]) for c in calib_cases)
        best = (
            [BestEpoch(tokenizer, calib_cases, cfg.seed, cfg.batch_size)] if calib_levels >= MIN_SELECT_LEVELS else []
        )
        if calib_cases and not best:
            log.info(
                "calibration slice of %d levels: too few to choose an epoch by, the last one is kept", calib_levels
            )
        trainer = build_trainer(cfg, model, tokenizer, examples, phase1, [callback, *best])
        log.info("trainable parameters: %d", sum(p.numel() for p in trainer.model.parameters() if p.requires_grad))
        result, final = train_and_save(
            trainer,
            tokenizer,
            cfg,
            phase1,
            job,
            emitter,
            "sft",
            artifact="sft phase 1 (before the stated forecast)" if phase1 != out else "",
        )
        if final is None:
            return {"cancelled": True, "checkpoint": get_last_checkpoint(phase1)}
        model = trainer.model
    steps, temperature, t_unfamiliar = trainer.state.global_step if trainer else 0, None, None
    curve = best[0].curve if trainer and best else []
    if "stated" in tasks:
        targets, temperature, t_unfamiliar = stated_targets(
            model, tokenizer, fit_cases, calib_cases, unfamiliar, cfg.seed, cfg.batch_size
        )
        log.info(
            "phase 2 (stated): targets = letter readout at temperature %.2f (fitted on %d held-out cases)%s",
            temperature,
            len(calib_cases),
            ""
            if t_unfamiliar is None
            else f"; on the unfamiliar cases at their own temperature {t_unfamiliar:.2f}"
            + (" (uniform: their readout beats no flat forecast)" if math.isinf(t_unfamiliar) else ""),
        )
        answered, stated_only = phase2_cases(train_cases, fit_cases, calib_cases, cfg.grpo_holdout)
        examples2 = prompts.sft_examples(
            answered, tokenizer, cfg.seed, split_list(cfg.stated_tasks), targets
        ) + prompts.sft_examples(stated_only, tokenizer, cfg.seed, ["stated"], targets)
        callback.step_offset, callback.epoch_offset = steps, float(trainer.state.epoch or 0) if trainer else 0.0
        trainer = build_trainer(
            cfg,
            model,
            tokenizer,
            examples2,
            str(Path(out) / "stated"),
            [callback],
            num_epochs=cfg.stated_epochs,
            peft=False,
        )
        result, final = train_and_save(
            trainer, tokenizer, cfg, str(Path(out) / "stated"), job, emitter, "sft", final=str(Path(out) / "final")
        )
        if final is None:
            return {"cancelled": True, "checkpoint": get_last_checkpoint(str(Path(out) / "stated"))}
        steps += trainer.state.global_step
    if eval_fn and steps % cfg.eval_steps:
        eval_fn(trainer.model)
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    return {
        "adapter": final,
        "steps": steps,
        "trainLoss": result.training_loss if result else None,
        "trainableParameters": trainable,
        "examples": len(examples),
        # JSON has no infinity: a temperature of infinity (said uniform) is reported as null with its own flag
        "statedTemperature": finite(temperature),
        "statedUniform": temperature == math.inf,
        "unfamiliarTemperature": finite(t_unfamiliar) if "stated" in tasks else None,
        "unfamiliarUniform": t_unfamiliar == math.inf,
        "heldOut": {"calibration": len(calib_cases), "unfamiliar": len(unfamiliar), "forGrpo": cfg.grpo_holdout},
        "calibrationCurve": curve,
        "bestEpoch": best[0].best_epoch if curve else None,
    }
