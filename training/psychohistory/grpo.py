"""GRPO with TRL's GRPOTrainer: the model reads the stated prompt and writes a probability per letter; reward = 1 -
Brier of that stated forecast, parsed exactly as evaluation parses it (0 when it cannot be parsed), so what GRPO
trains is what evaluation reports as GRPO's headline. For a harmony model the prompt forces the final channel, so
the completion is the answer itself (no reasoning to budget for, no channel markers for TRL's decoding to strip).
A fresh small LoRA (rank 4 by default) on top of the base with the SFT adapter merged in, so the KL reference is
the SFT model."""

from __future__ import annotations

import logging
from pathlib import Path

from transformers.trainer_utils import get_last_checkpoint

from . import fastpath, modeling, prompts
from .data import select_split
from .config import ConfigError, split_list
from .sft import EventCallback, partition, train_and_save, trainer_args

log = logging.getLogger("psychohistory")


def reward_brier(completions, labels, **kw) -> list[float]:
    """TRL reward function: `labels` is the dataset column with the level's labels in letter order."""
    return [prompts.brier_reward(c if isinstance(c, str) else c[-1]["content"], y) for c, y in zip(completions, labels)]


def dataset_rows(cases: list[dict], tokenizer, seed: int) -> list[dict]:
    rows = []
    for case in cases:
        for level in case["levels"]:
            user, cands = prompts.choice_user(case, level["depth"], seed, probs=True)
            rows.append({"prompt": prompts.render(tokenizer, user), "labels": [c["label"] for c in cands]})
    return rows


def practice_cases(train_cases: list[dict], cfg) -> list[dict]:
    """The cases GRPO practises on: all of the split, or (cases=holdout) those whose answers the SFT adapter never
    trained on, recomputed from its config: on them a stated forecast is rewarded for being calibrated, not for
    recalling a memorised answer (label noise included)."""
    if cfg.cases == "all":
        return train_cases
    if cfg.cases != "holdout":
        raise ConfigError(f"--cases={cfg.cases!r}: expected all or holdout")
    sft_cfg = modeling.adapter_meta(cfg.adapter).get("config", {}) if cfg.adapter else {}
    if not sft_cfg.get("grpo_holdout"):
        raise ConfigError(
            f"--cases=holdout: the adapter {cfg.adapter or '(none)'} was not trained with "
            "--grpo_holdout=true, so SFT has seen every answer; fix: train SFT with --grpo_holdout=true "
            "(and --unfamiliar_fraction), or use --cases=all"
        )
    _, calib, unfamiliar = partition(
        train_cases,
        split_list(sft_cfg.get("tasks", "")),
        float(sft_cfg.get("unfamiliar_fraction", 0.0)),
        int(sft_cfg.get("seed", 1337)),
    )
    if not calib + unfamiliar:
        raise ConfigError("--cases=holdout: the SFT adapter held no cases out; fix: --cases=all")
    log.info(
        "GRPO practises on %d held-out cases (%d calibration, %d unfamiliar) of %d",
        len(calib) + len(unfamiliar),
        len(calib),
        len(unfamiliar),
        len(train_cases),
    )
    return calib + unfamiliar


def training_args(cfg, out: str):
    """TRL's GRPOConfig for this job."""
    from trl import GRPOConfig

    if cfg.scale_rewards not in ("group", "batch", "none"):
        raise ConfigError(f"--scale_rewards={cfg.scale_rewards!r}: expected group, batch or none")
    if cfg.steps_per_generation < 0:
        raise ConfigError(f"--steps_per_generation={cfg.steps_per_generation}: expected 0 (one) or more")
    same_name = ("num_generations", "beta", "scale_rewards", "temperature", "max_completion_length")  # as TRL's
    return trainer_args(
        GRPOConfig,
        cfg,
        out,
        **{k: getattr(cfg, k) for k in same_name},
        steps_per_generation=cfg.steps_per_generation or None,  # 0: TRL's own default (one)
        max_prompt_length=cfg.max_seq_length,
        log_completions=False,
    )


def run(cfg, cases: list[dict], emitter, run_dir: Path, job) -> dict:
    from datasets import Dataset
    from trl import GRPOTrainer

    if cfg.batch_size % cfg.num_generations:
        raise ValueError(f"batch_size={cfg.batch_size} must be a multiple of num_generations={cfg.num_generations}")
    fastpath.check(cfg.fast_forward)
    out = cfg.output_dir or str(run_dir / "adapter")
    args = training_args(cfg, out)  # bad values stop here, before the model loads
    train_cases = practice_cases(select_split(cases, cfg.split), cfg)
    model, tokenizer = modeling.load(
        cfg.base_model, cfg.adapter, cfg.seed, cfg.max_seq_length, cfg.load_in_4bit, for_training=True
    )
    fastpath.enable(model, cfg.fast_forward)  # the policy's and the reference's passes (peft keeps the swap)
    prompts.check_letters(tokenizer, train_cases)
    rows = dataset_rows(train_cases, tokenizer, cfg.seed)
    log.info(
        "GRPO on %d choice prompts from %d %s cases, group size %d, beta %g, rewards scaled by %s",
        len(rows),
        len(train_cases),
        cfg.split,
        cfg.num_generations,
        cfg.beta,
        cfg.scale_rewards,
    )

    trainer = GRPOTrainer(
        model=model,
        reward_funcs=[reward_brier],
        args=args,
        train_dataset=Dataset.from_list(rows),
        processing_class=tokenizer,
        peft_config=modeling.lora_config(cfg, model),
        callbacks=[EventCallback(emitter, job, time_limit_s=cfg.time_limit_s)],
    )
    result, final = train_and_save(trainer, tokenizer, cfg, out, job, emitter, "grpo")
    if final is None:
        return {"cancelled": True, "checkpoint": get_last_checkpoint(out)}
    rewards = [h["reward"] for h in trainer.state.log_history if "reward" in h]
    return {
        "adapter": final,
        "steps": trainer.state.global_step,
        "trainLoss": result.training_loss,
        "rewardFirst": rewards[0] if rewards else None,
        "rewardLast": rewards[-1] if rewards else None,
    }
