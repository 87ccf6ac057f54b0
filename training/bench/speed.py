"""Issue 16's benchmark: both arms of each comparison in one run, on one model with random bf16 weights of the real
shape (built on the device like bench/memory.py, nothing downloaded).

  - scoring: evaluation's forward (evaluate._forward: logits of the last position) at batch × seq tokens, eager
    (transformers' GptOss classes) vs the fast path (psychohistory/fastpath.py), tokens/s, MFU on the active
    parameters (2 FLOPs per active non-embedding parameter per token; attention's score FLOPs not counted), the
    memory peak of each; then both arms' logits of the last `agree_positions` positions of the same batch: top-1
    agreement, max and mean absolute difference. Random weights leave near ties among 201k tokens, which bf16
    rounding flips in eager and fast alike, so the agreement is also given where eager's top-1 leads its runner-up
    by more than 2 × the mean absolute difference (`top1AgreementDecided`, over `decidedShare` of the positions).
    `scoring.reference` says what bf16 tolerance is: on a cut-down model of the same layer shape (--ref_layers),
    fp32 eager is the reference and eager bf16, fast bf16 (grouped GEMM, per-expert loop) are each held against it.
  - SFT: TRL's SFTTrainer with the pipeline's LoRA (sft.build_trainer) on SFT examples of synthetic cases (their
    length distribution, the local tiny tokenizer's tokens), padded batches vs --packing (padding-free rows of
    whole examples), the same batches in the same order; tokens/s counts real tokens only, after a warm-up step.
    Two more arms (--sft_fast=true, the default) train the padded and the packed batches through the fast path, as
    SFT does on CUDA: `fastPackingRatio` is packing's gain once the experts cost per token, not per expert.

    python bench/speed.py --shape=gpt-oss-20b --batch=32 --seq=512 --out=speed.json      # the device (H200)
    python bench/speed.py --shape=tiny --batch=4 --seq=64 --sft_batch=4 --sft_steps=3 --sft_cases=40 \\
        --out=/tmp/speed.json                                                           # CPU, a check

Writes {"gpu", "shape", "scoring": {...}, "sft": {...}} (issue 16's format, plus sizes and peaks) to --out."""

from __future__ import annotations

import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from memory import GIB, build, setup  # noqa: E402
from psychohistory import evaluate, fastpath, modeling, prompts, synthetic  # noqa: E402
from psychohistory.config import SFTConfig  # noqa: E402

PEAK_BF16_TFLOPS = {"H200": 989.0, "H100": 989.0, "A100": 312.0, "L40S": 362.0, "A10G": 70.0}  # dense, no sparsity


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def reset_peak():
    if torch.cuda.is_available():
        torch.cuda.synchronize()
        torch.cuda.reset_peak_memory_stats()


def peak_gib():
    return round(torch.cuda.max_memory_allocated() / GIB, 3) if torch.cuda.is_available() else None


def active_params(model) -> int:
    """Non-embedding parameters one token goes through: attention, router, norms, and top-k of the experts."""
    attn_cls, experts_cls = fastpath._classes()
    total = 0
    for name, p in model.named_parameters():
        if "embed_tokens" in name or "lm_head" in name:
            continue
        total += p.numel()
    for m in model.modules():
        if isinstance(m, experts_cls):
            per = sum(p.numel() for p in m.parameters()) // m.num_experts
            total -= per * (m.num_experts - model.config.num_experts_per_tok)
    return total


def peak_tflops(gpu: str, override: str) -> float | None:
    if override:
        return float(override)
    return next((v for k, v in PEAK_BF16_TFLOPS.items() if k in gpu), None)


@torch.no_grad()
def time_scoring(model, ids, mask, iters: int) -> tuple[float, float | None]:
    """tokens/s of evaluation's forward (last position's logits), after one warm-up pass; and the memory peak."""
    evaluate._forward(model, ids, mask, 1)
    reset_peak()
    sync()
    t = time.perf_counter()
    for _ in range(iters):
        evaluate._forward(model, ids, mask, 1)
    sync()
    return ids.numel() * iters / (time.perf_counter() - t), peak_gib()


def scoring(model, a: dict, dev, gpu: str) -> dict:
    B, T, iters, keep = int(a["batch"]), int(a["seq"]), int(a["iters"]), int(a["agree_positions"])
    g = torch.Generator().manual_seed(3)
    ids = torch.randint(3, model.config.vocab_size, (B, T), generator=g).to(dev)
    mask = torch.ones_like(ids)
    out = {"batch": B, "seq": T, "iters": iters, "activeParams": active_params(model)}
    logits = {}
    for arm in ("eager", "fast"):
        if arm == "fast":
            fastpath.enable(model, "on")
        else:
            fastpath.disable(model)
        try:
            tps, peak = time_scoring(model, ids, mask, iters)
            out[f"{arm}TokensPerSecond"], out[f"{arm}PeakGiB"] = round(tps, 1), peak
            with torch.no_grad():
                logits[arm] = evaluate._forward(model, ids, mask, keep).reshape(-1, model.config.vocab_size)
        except Exception as e:  # a row of the result (out of memory, a kernel missing), not the end of the run
            out[f"{arm}Error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            print(f"[scoring] {arm} failed: {out[f'{arm}Error']}", flush=True)
        print(f"[scoring] {arm}: {json.dumps({k: v for k, v in out.items() if k.startswith(arm)})}", flush=True)
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    fastpath.disable(model)
    if "eagerTokensPerSecond" in out and "fastTokensPerSecond" in out:
        out["ratio"] = round(out["fastTokensPerSecond"] / out["eagerTokensPerSecond"], 3)
        peak = peak_tflops(gpu, a["peak_tflops"])
        flops = 2 * out["activeParams"]
        out["peakTflops"] = peak
        out["mfu"] = round(out["fastTokensPerSecond"] * flops / (peak * 1e12), 4) if peak else None
        out["eagerMfu"] = round(out["eagerTokensPerSecond"] * flops / (peak * 1e12), 4) if peak else None
    if len(logits) == 2:
        e, f = logits["eager"], logits["fast"]
        diff = (e - f).abs()
        top2 = e.topk(2, -1).values
        decided = (top2[:, 0] - top2[:, 1]) > 2 * diff.mean()
        same = e.argmax(-1) == f.argmax(-1)
        out.update(
            agreePositions=int(e.shape[0]),
            top1Agreement=round(same.float().mean().item(), 5),
            maxAbsLogitDiff=round(diff.max().item(), 5),
            meanAbsLogitDiff=round(diff.mean().item(), 6),
            logitScale=round(e.abs().max().item(), 3),
            decidedShare=round(decided.float().mean().item(), 4),
            top1AgreementDecided=round(same[decided].float().mean().item(), 5) if decided.any() else None,
        )
    return out


def sft_arm(model, tok, examples, a: dict, packing: bool, fast: bool = False) -> tuple[object, dict]:
    from transformers import TrainerCallback

    from psychohistory.sft import build_trainer

    class Steps(TrainerCallback):
        def __init__(self):
            self.times, self.tokens = [], []

        def on_step_begin(self, args, state, control, **kw):
            sync()
            self.t0, self.seen = time.perf_counter(), trainer.tokens_seen

        def on_step_end(self, args, state, control, **kw):
            sync()
            self.times.append(time.perf_counter() - self.t0)
            self.tokens.append(trainer.tokens_seen - self.seen)

    cb = Steps()
    cfg = SFTConfig(
        batch_size=int(a["sft_batch"]),
        max_steps=int(a["sft_steps"]),
        logging_steps=1,
        save_steps=10**6,
        lora_rank=16,
        lora_alpha=32,
        max_seq_length=int(a["sft_seq"]),
        packing=packing,
        gradient_checkpointing=a["sft_gc"] not in ("false", "0", "no"),
        seed=1337,
    )
    fastpath.enable(model, "on" if fast else "off")
    reset_peak()
    with tempfile.TemporaryDirectory() as d:
        trainer = build_trainer(cfg, model, tok, examples, d, [cb])
        trainer.train()
        fastpath.disable(model)
        losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
        model = trainer.model.unload()  # the bare model again for the other arm
    r = {
        "tokensPerSecond": round(sum(cb.tokens[1:]) / sum(cb.times[1:]), 1) if len(cb.times) > 1 else None,
        "secondsPerStep": round(statistics.median(cb.times[1:] or cb.times), 3),
        "tokensPerStep": round(statistics.mean(cb.tokens), 1),
        "peakGiB": peak_gib(),
        "losses": losses,
    }
    print(f"[sft] {'packed' if packing else 'padded'}{' fast' if fast else ''}: {json.dumps(r)}", flush=True)
    return model, r


def sft(model, a: dict) -> dict:
    from transformers import AutoTokenizer

    tok = AutoTokenizer.from_pretrained(modeling.resolve_base("tiny"))  # its ids are valid in any shape's vocab
    tok.padding_side = "right"
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=int(a["sft_cases"]), seed=7))
    examples = prompts.sft_examples(
        [c for c in cases if c["split"] == "train"], tok, 1337, ["choice", "generation", "stated"]
    )
    lengths = [len(tok(e["prompt"] + e["completion"], add_special_tokens=False).input_ids) for e in examples]
    out = {
        "batch": int(a["sft_batch"]),
        "steps": int(a["sft_steps"]),
        "examples": len(examples),
        "maxSeqLength": int(a["sft_seq"]),
        "meanLength": round(statistics.mean(lengths), 1),
        "maxLength": max(lengths),
        "gradientCheckpointing": a["sft_gc"] not in ("false", "0", "no"),
    }
    model.train()
    arms = {"padded": (False, False), "packed": (True, False), "paddedFast": (False, True), "packedFast": (True, True)}
    chosen = [x.strip() for x in a["sft_arms"].split(",") if x.strip()]
    if unknown := [x for x in chosen if x not in arms]:
        raise SystemExit(f"--sft_arms: unknown {', '.join(unknown)}; expected some of {', '.join(arms)}")
    if a["sft_fast"] in ("false", "0", "no"):  # eager only
        chosen = [x for x in chosen if not arms[x][1]]
    for name in chosen:
        packing, fast = arms[name]
        try:
            model, r = sft_arm(model, tok, examples, a, packing, fast)
            out[f"{name}TokensPerSecond"], out[f"{name}PeakGiB"] = r["tokensPerSecond"], r["peakGiB"]
            out[f"{name}SecondsPerStep"], out[f"{name}TokensPerStep"] = r["secondsPerStep"], r["tokensPerStep"]
            out[f"{name}Losses"] = r["losses"]
        except Exception as e:  # a row of the result, not the end of the run
            out[f"{name}Error"] = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            print(f"[sft] {name} failed: {out[f'{name}Error']}", flush=True)
            break  # the model may still carry that arm's LoRA: no later arm on it
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    if out.get("paddedTokensPerSecond") and out.get("packedTokensPerSecond"):
        out["ratio"] = round(out["packedTokensPerSecond"] / out["paddedTokensPerSecond"], 3)
    if out.get("paddedTokensPerSecond") and out.get("packedFastTokensPerSecond"):
        out["fastRatio"] = round(out["packedFastTokensPerSecond"] / out["paddedTokensPerSecond"], 3)
    if out.get("paddedFastTokensPerSecond") and out.get("packedFastTokensPerSecond"):  # packing's own share, fast
        out["fastPackingRatio"] = round(out["packedFastTokensPerSecond"] / out["paddedFastTokensPerSecond"], 3)
    model.eval()
    return out


def compare(logits: torch.Tensor, ref: torch.Tensor) -> dict:
    """Top-1 agreement and absolute differences of `logits` against `ref` (rows = positions); `decided`: positions
    where ref's top-1 leads its runner-up by more than 0.1 (random weights leave many near ties)."""
    diff = (logits - ref).abs()
    top2 = ref.topk(2, -1).values
    decided = (top2[:, 0] - top2[:, 1]) > 0.1
    same = logits.argmax(-1) == ref.argmax(-1)
    return {
        "top1Agreement": round(same.float().mean().item(), 5),
        "top1AgreementDecided": round(same[decided].float().mean().item(), 5) if decided.any() else None,
        "decidedShare": round(decided.float().mean().item(), 4),
        "maxAbsLogitDiff": round(diff.max().item(), 5),
        "meanAbsLogitDiff": round(diff.mean().item(), 6),
    }


def reference(shape: dict, a: dict, dev) -> dict:
    """What bf16 tolerance is: the same cut-down model (the real layer shape, `ref_layers` layers) in fp32, eager, is
    the reference; eager bf16 and the fast path in bf16 (grouped GEMM and the per-expert loop) are each compared to
    it. The fast path is within tolerance when it is as close to fp32 as eager bf16 is."""
    n, B, T, keep = int(a["ref_layers"]), int(a["ref_batch"]), int(a["seq"]), int(a["agree_positions"])
    model = build({**shape, "layers": n}, dev, T).eval()
    g = torch.Generator().manual_seed(4)
    ids = torch.randint(3, model.config.vocab_size, (B, T), generator=g).to(dev)
    mask = torch.ones_like(ids)
    out = {"layers": n, "batch": B, "seq": T, "positions": B * keep}

    def logits(m=model) -> torch.Tensor:
        with torch.no_grad():
            return evaluate._forward(m, ids, mask, keep).reshape(-1, m.config.vocab_size)

    model.float()
    fastpath.disable(model)
    ref = logits()
    out["fp32Fast"] = (fastpath.enable(model, "on"), compare(logits(), ref))[1]  # fp32: the loop, same maths
    model.to(torch.bfloat16)
    fastpath.disable(model)
    out["bf16Eager"] = compare(logits(), ref)
    for backend in ("grouped", "loop"):
        fastpath.MOE_BACKEND = backend
        fastpath.enable(model, "on")
        try:
            out[f"bf16Fast{backend.title()}"] = compare(logits(), ref)
        except Exception as e:  # a kernel this build lacks: a row, not the end of the run
            out[f"bf16Fast{backend.title()}"] = {"error": f"{type(e).__name__}: {str(e).splitlines()[0]}"}
        fastpath.disable(model)
    fastpath.MOE_BACKEND = "auto"
    print(f"[reference] {json.dumps(out)}", flush=True)
    del model
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return out


def main(argv: list[str]) -> dict:
    a, dev, shape = setup(
        argv,
        {
            "batch": "32",
            "seq": "512",
            "iters": "5",
            "agree_positions": "64",
            "sft_batch": "8",
            "sft_steps": "6",
            "sft_seq": "512",
            "sft_fast": "true",
            "sft_arms": "padded,packed,paddedFast,packedFast",  # in this order; e.g. paddedFast,packedFast alone
            "sft_cases": "200",
            "sft_gc": "true",
            "skip_sft": "",
            "skip_scoring": "",
            "peak_tflops": "",
            "out": "speed.json",
            "ref_layers": "4",
            "ref_batch": "4",
        },
    )
    import transformers

    if shape["arch"] != "gpt-oss":
        raise SystemExit(f"--shape={a['shape']} is not GPT-OSS-shaped: the fast path is for GptOss models only")
    ref = reference(shape, a, dev) if int(a["ref_layers"]) > 0 else None
    t = time.perf_counter()
    model = build(shape, dev, int(a["seq"])).eval()
    gpu = torch.cuda.get_device_name(dev) if dev.type == "cuda" else "cpu"
    results = {
        "gpu": gpu,
        "shape": a["shape"],
        "dims": shape,
        "dtype": "bfloat16",
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "groupedMm": hasattr(torch, "_grouped_mm"),
        "params": sum(p.numel() for p in model.parameters()),
        "buildSeconds": round(time.perf_counter() - t, 1),
    }
    print(
        f"[{a['shape']}] {results['params'] / 1e9:.2f} B parameters on {gpu}, built in {results['buildSeconds']}s",
        flush=True,
    )
    if not a["skip_scoring"]:
        results["scoring"] = {**scoring(model, a, dev, gpu), "reference": ref}
        Path(a["out"]).write_text(json.dumps(results, indent=2))
    if not a["skip_sft"]:
        results["sft"] = sft(model, a)
    Path(a["out"]).write_text(json.dumps(results, indent=2))
    print(json.dumps({k: results.get(k) for k in ("gpu", "shape", "scoring", "sft")}, indent=2))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
