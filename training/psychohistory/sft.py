"""Candidate-based SFT: TRL's SFTTrainer + peft LoRA on prompt/completion pairs (loss on completions only).
Reads top to bottom: data → model → LoRA → trainer → train (resuming from the last checkpoint) → save adapter."""
from __future__ import annotations

import logging
import time
from pathlib import Path

from transformers import TrainerCallback
from transformers.trainer_utils import get_last_checkpoint

from . import modeling, prompts
from .config import split_list, to_dict
from .data import select_split

log = logging.getLogger("psychohistory")


class EventCallback(TrainerCallback):
    """Turns the trainer's logs into contract-3 train events; optional eval events at intervals; honours a
    cancel request by checkpointing and stopping at the next step."""

    def __init__(self, emitter, job, eval_fn=None, eval_steps: int = 0, time_limit_s: float = 0):
        self.emitter, self.job, self.eval_fn, self.eval_steps = emitter, job, eval_fn, eval_steps
        self.last_time, self.last_tokens = time.time(), 0.0
        self.deadline = time.time() + time_limit_s if time_limit_s > 0 else None

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
        self.emitter.emit("train", step=state.global_step, epoch=float(state.epoch or 0.0),
                          loss=float(logs["loss"]), lr=max(0.0, float(logs.get("learning_rate", 0.0))),
                          gradNorm=_nonneg(logs.get("grad_norm")), tokensPerSecond=tps,
                          rewardMean=None if reward is None else float(reward),
                          rewardStd=_nonneg(reward_std))
        log.info("step %d loss %.4f%s", state.global_step, logs["loss"],
                 "" if reward is None else f" reward {reward:.4f}±{reward_std or 0:.4f}")

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
    return cls(output_dir=out, num_train_epochs=cfg.num_epochs, max_steps=cfg.max_steps,
               per_device_train_batch_size=cfg.batch_size, gradient_accumulation_steps=cfg.grad_accum,
               learning_rate=cfg.learning_rate, logging_steps=cfg.logging_steps, save_steps=cfg.save_steps,
               save_total_limit=2, report_to=[], seed=cfg.seed, bf16=cuda, use_cpu=not cuda,
               dataloader_num_workers=0, disable_tqdm=True, **extra)


def train_and_save(trainer, tokenizer, cfg, out: str, job, emitter, stage: str):
    """Train (resuming from the last checkpoint in `out`), then save the adapter with its meta and emit the
    artifact event. Shared by SFT and GRPO. Returns (train result, adapter dir); the dir is None when cancelled."""
    resume = get_last_checkpoint(out) if Path(out).is_dir() else None
    if resume:
        log.info("resuming from %s", resume)
    job.in_trainer = True
    result = trainer.train(resume_from_checkpoint=resume)
    job.in_trainer = False
    if job.cancel_requested:
        return result, None
    final = str(Path(out) / "final")
    trainer.save_model(final)
    tokenizer.save_pretrained(final)
    modeling.write_adapter_meta(final, cfg.base_model, cfg.adapter, stage, to_dict(cfg))
    emitter.emit("artifact", name=f"{stage} adapter", path=final)
    return result, final


def build_trainer(cfg, model, tokenizer, examples: list[dict], out: str, callbacks):
    """TRL SFTTrainer with a fresh LoRA (also used by the benchmark)."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    args = trainer_args(SFTConfig, cfg, out, warmup_ratio=cfg.warmup_ratio, lr_scheduler_type="linear",
                        max_length=cfg.max_seq_length, completion_only_loss=True, packing=False)
    return SFTTrainer(model=model, args=args, train_dataset=Dataset.from_list(examples),
                      processing_class=tokenizer, peft_config=modeling.lora_config(cfg, model),
                      callbacks=callbacks)


def run(cfg, cases: list[dict], emitter, run_dir: Path, job) -> dict:
    from . import evaluate

    train_cases = select_split(cases, cfg.split)
    model, tokenizer = modeling.load(cfg.base_model, cfg.adapter, cfg.seed, cfg.max_seq_length,
                                     cfg.load_in_4bit, for_training=True)
    tokenizer.padding_side = "right"  # training pads on the right; scoring switches to left
    examples = prompts.sft_examples(train_cases, tokenizer, cfg.seed, split_list(cfg.tasks))
    log.info("SFT on %d examples from %d %s cases", len(examples), len(train_cases), cfg.split)

    eval_cases = [c for c in cases if c.get("split") == "eval"][: cfg.eval_max_cases]
    eval_fn = None
    if cfg.eval_steps and eval_cases:
        def eval_fn(m):  # interval eval on a few eval cases, as stage "sft"
            tokenizer.padding_side = "left"
            res = evaluate.score_cases(m, tokenizer, eval_cases, cfg.seed, 8, 16)
            tokenizer.padding_side = "right"
            evaluate.emit_eval(emitter, "sft", *evaluate.summarize(res))

    out = cfg.output_dir or str(run_dir / "adapter")
    trainer = build_trainer(cfg, model, tokenizer, examples, out,
                            [EventCallback(emitter, job, eval_fn, cfg.eval_steps, cfg.time_limit_s)])
    trainable = sum(p.numel() for p in trainer.model.parameters() if p.requires_grad)
    log.info("trainable parameters: %d", trainable)
    result, final = train_and_save(trainer, tokenizer, cfg, out, job, emitter, "sft")
    if final is None:
        return {"cancelled": True, "checkpoint": get_last_checkpoint(out)}
    if eval_fn and trainer.state.global_step % cfg.eval_steps:
        eval_fn(trainer.model)
    return {"adapter": final, "steps": trainer.state.global_step, "trainLoss": result.training_loss,
            "trainableParameters": trainable, "examples": len(examples)}
