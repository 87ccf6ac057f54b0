"""Letter-readout learning curves of SFT phase 1, per epoch, on the calibration slice (what SFT selects its epoch
by) and, for diagnosis only, on both held-out splits. A benchmark to choose the recipe, not part of training: no
weights are selected here by eval data.

    python bench/sft_curve.py --dataset=data.jsonl --base_model=smollm2-135m --out=curve.json \
        --variants="letters:tasks=choice;mixed:tasks=choice,generation" --num_epochs=8 --batch_size=32"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psychohistory import modeling, prompts, sft  # noqa: E402
from psychohistory.config import make_config, parse_args, split_list  # noqa: E402
from psychohistory.data import load_cases, select_split  # noqa: E402


class Watch(sft.BestEpoch):
    """The same per-epoch score, without putting any weights back."""

    def on_train_end(self, *a, **kw):
        pass


def variant(base: dict, spec: str) -> tuple[str, dict]:
    name, _, kv = spec.partition(":")
    over = dict(base)
    for item in filter(None, kv.split(",")):
        key, _, value = item.partition("=")
        if key == "tasks":  # tasks=choice+generation (commas separate settings)
            value = value.replace("+", ",")
        over[key] = value
    return name, over


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    out = Path(args.pop("out", "curve.json"))
    specs = args.pop("variants", "letters:tasks=choice").split(";")
    results = []
    for spec in specs:
        name, over = variant(args, spec)
        cfg = make_config(
            "sft",
            {
                "learning_rate": 1e-3,
                "lora_rank": 16,
                "lora_alpha": 32,
                "target_modules": "all-linear",
                "gradient_checkpointing": False,
                "save_steps": 100000,
                "logging_steps": 10,
                **over,
            },
        )
        cases = load_cases(cfg.dataset)
        train = select_split(cases, "train")
        fit, calib = sft.held_out_slice(train, 0.1, cfg.seed)
        model, tok = modeling.load(cfg.base_model, "", cfg.seed, cfg.max_seq_length, for_training=True)
        tok.padding_side = "right"
        examples = prompts.sft_examples(fit, tok, cfg.seed, split_list(cfg.tasks))
        watch = {
            "calibration": Watch(tok, calib, cfg.seed, 128),
            "seed": Watch(tok, select_split(cases, "eval"), cfg.eval_seed, 128),
            "chain": Watch(tok, select_split(cases, "test"), cfg.eval_seed, 128),
        }
        t = time.time()
        with tempfile.TemporaryDirectory() as d:
            trainer = sft.build_trainer(cfg, model, tok, examples, d, list(watch.values()))
            trainer.train()
        row = {
            "variant": name,
            "config": over,
            "examples": len(examples),
            "steps": trainer.state.global_step,
            "seconds": round(time.time() - t, 1),
            **{k: w.curve for k, w in watch.items()},
        }
        print(json.dumps({k: row[k] for k in ("variant", "steps", "seconds")}), flush=True)
        for e, (c, s, ch) in enumerate(zip(row["calibration"], row["seed"], row["chain"])):
            print(
                f"  epoch {c['epoch']}: skill calib {c['brierSkill']:.3f} seed {s['brierSkill']:.3f} "
                f"chain {ch['brierSkill']:.3f}",
                flush=True,
            )
        results.append(row)
        out.write_text(json.dumps(results, indent=1) + "\n")
        del model, trainer


if __name__ == "__main__":
    main(sys.argv[1:])
