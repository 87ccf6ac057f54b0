"""Benchmarks measured side by side in one process, reported as ratios:
  - evaluation throughput: case levels/s scored batched vs one level at a time (same levels, same code path);
  - SFT tokens/s through TRL's SFTTrainer + LoRA at batch B vs batch 1.
On a local preset model and on the GPT-OSS-20B shape (transformers' GptOss classes, random bf16 weights, eager
attention; tokens come from the preset's tokenizer, whose ids are all valid in the 201k vocabulary).

    python bench/bench.py --models=small,gpt-oss-20b --levels=32 --batch=16 --sft_steps=6 --out=bench.json"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psychohistory import evaluate, modeling, prompts, synthetic  # noqa: E402
from psychohistory.config import SFTConfig, parse_args  # noqa: E402

# GPT-OSS-20B as published (config.json of openai/gpt-oss-20b), without the MXFP4 quantization.
GPT_OSS_20B = dict(
    vocab_size=201088,
    hidden_size=2880,
    intermediate_size=2880,
    num_hidden_layers=24,
    num_attention_heads=64,
    num_key_value_heads=8,
    head_dim=64,
    num_local_experts=32,
    num_experts_per_tok=4,
    sliding_window=128,
    max_position_embeddings=131072,
)


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def load(name: str, tokenizer_preset: str):
    if name != "gpt-oss-20b":
        return modeling.load(name)
    from transformers import AutoTokenizer, GptOssConfig, GptOssForCausalLM

    tok = AutoTokenizer.from_pretrained(modeling.resolve_base(tokenizer_preset))
    tok.padding_side = "left"
    cfg = GptOssConfig(
        **GPT_OSS_20B,
        layer_types=["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(24)],
        pad_token_id=tok.pad_token_id,
        eos_token_id=tok.eos_token_id,
        bos_token_id=tok.bos_token_id,
        attn_implementation="eager",
        tie_word_embeddings=False,
    )
    torch.manual_seed(0)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)  # build straight in bf16 on the GPU: fp32 would need 84 GB
    with torch.device(modeling.device()):
        model = GptOssForCausalLM(cfg)
    torch.set_default_dtype(old)
    return model.eval(), tok


def bench_eval(model, tok, cases, n_levels: int, batch: int, max_new_tokens: int) -> dict:
    items = [c for c in cases]
    levels = sum(len(c["levels"]) for c in items)
    while levels > n_levels and len(items) > 1:
        levels -= len(items.pop()["levels"])
    evaluate.score_cases(model, tok, items[:1], 1337, batch, max_new_tokens)  # warm-up
    out = {}
    for b in (1, batch):
        sync()
        t = time.perf_counter()
        evaluate.score_cases(model, tok, items, 1337, b, max_new_tokens)
        sync()
        out[f"batch{b}_levels_per_s"] = levels / (time.perf_counter() - t)
    out["levels"] = levels
    out["batched_vs_single"] = out[f"batch{batch}_levels_per_s"] / out["batch1_levels_per_s"]
    return out


def bench_sft(model, tok, cases, batch: int, steps: int, target_parameters: str) -> dict:
    from psychohistory.sft import build_trainer
    from transformers import TrainerCallback

    class Tps(TrainerCallback):
        def __init__(self):
            self.rates, self.last = [], None

        def on_step_begin(self, args, state, control, **kw):
            sync()
            self.t0 = time.perf_counter()

        def on_log(self, args, state, control, logs=None, **kw):
            if logs and "num_tokens" in logs:
                if self.last is not None:
                    self.rates.append((logs["num_tokens"] - self.last) / self.dt)
                self.last = logs["num_tokens"]

        def on_step_end(self, args, state, control, **kw):
            sync()
            self.dt = time.perf_counter() - self.t0

    tok.padding_side = "right"
    examples = prompts.sft_examples(cases, tok, 1337, ["choice", "generation", "probs"])
    out = {}
    for b in (1, batch):
        cb = Tps()
        cfg = SFTConfig(
            batch_size=b,
            max_steps=steps,
            logging_steps=1,
            save_steps=10**6,
            lora_rank=16,
            lora_alpha=32,
            target_parameters=target_parameters,
            num_epochs=1.0,
        )
        with tempfile.TemporaryDirectory() as d:
            trainer = build_trainer(cfg, model, tok, examples, d, [cb])
            trainer.train()
            model = trainer.model.unload() if hasattr(trainer.model, "unload") else model  # drop the LoRA again
        out[f"batch{b}_tokens_per_s"] = statistics.median(cb.rates[1:] or cb.rates)  # first step is warm-up
    out["batched_vs_single"] = out[f"batch{batch}_tokens_per_s"] / out["batch1_tokens_per_s"]
    out["lora_on_experts"] = bool(target_parameters)
    tok.padding_side = "left"
    return out


def main(argv):
    a = {
        "models": "small",
        "levels": "32",
        "batch": "16",
        "sft_steps": "6",
        "max_new_tokens": "16",
        "tokenizer_preset": "small",
        "out": "bench.json",
        "skip_sft": "",
        **parse_args(argv),
    }
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=200, seed=7))
    results = {
        "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu",
        "torch": torch.__version__,
    }
    for name in a["models"].split(","):
        t = time.perf_counter()
        model, tok = load(name, a["tokenizer_preset"])
        r = {"params": sum(p.numel() for p in model.parameters()), "load_s": time.perf_counter() - t}
        print(f"[{name}] {r['params'] / 1e6:.1f} M parameters, loaded in {r['load_s']:.1f}s", flush=True)
        r["eval"] = bench_eval(model, tok, cases, int(a["levels"]), int(a["batch"]), int(a["max_new_tokens"]))
        print(f"[{name}] eval {json.dumps(r['eval'])}", flush=True)
        if not a["skip_sft"]:
            # the 20B shape: LoRA on attention only (expert LoRA materialises full expert deltas per layer)
            tp = "" if name == "gpt-oss-20b" else "mlp.experts.gate_up_proj,mlp.experts.down_proj"
            r["sft"] = bench_sft(model, tok, cases[:60], int(a["batch"]) // 2, int(a["sft_steps"]), tp)
            print(f"[{name}] sft {json.dumps(r['sft'])}", flush=True)
        if torch.cuda.is_available():
            r["max_memory_gb"] = torch.cuda.max_memory_allocated() / 2**30
        results[name] = r
        del model
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats()
        Path(a["out"]).write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
