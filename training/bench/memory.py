"""Peak memory of SFT steps against the memory plan (psychohistory/memplan.py), per LoRA configuration.

One step is what TRL's SFTTrainer does with a peft LoRA on a bf16 model: forward under bf16 autocast, the logits
handed back in fp32 (accelerate), TRL's entropy and token-accuracy metrics on them, the loss's backward with gradient
checkpointing (non-reentrant), one AdamW step, gradients set to None. The model has the real shape and random bf16
weights, built straight on the device (no download, no fp32 copy). The peak is that of the last step (--steps=2: by
then AdamW's moments exist while the gradients do, the steady state), per phase and overall.

On a GPU the numbers are torch.cuda.max_memory_allocated / max_memory_reserved. On CPU (the test, `--shape=tiny`)
a dispatch mode counts the bytes of live tensor storages, the same quantity as the allocator's allocated bytes.

    python bench/memory.py --shape=gpt-oss-20b --configs=att-r8,att-r64,exp-r8,exp-r64 --batch=4 --seq=512 \\
        --out=memory-gpt-oss-20b.json
    python bench/memory.py --shape=tiny --batch=2 --seq=32 --out=/tmp/memory.json     # CPU, a few seconds

Configs: att-rN = LoRA rank N on q,k,v,o (the default recipe); exp-rN = the same plus peft target_parameters on the
experts (mlp.experts.gate_up_proj, mlp.experts.down_proj). Dims can be overridden (--layers=2, --vocab=…) to fit a
smaller card or to fit the plan's constants on a cut-down shape."""

from __future__ import annotations

import gc
import json
import sys
import time
import weakref
from pathlib import Path

import torch
from torch.utils._python_dispatch import TorchDispatchMode
from torch.utils._pytree import tree_flatten

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from psychohistory import memplan  # noqa: E402
from psychohistory.config import parse_args  # noqa: E402

GIB = 2**30
ATTENTION = ["q_proj", "k_proj", "v_proj", "o_proj"]
EXPERTS = ["mlp.experts.gate_up_proj", "mlp.experts.down_proj"]
OVERRIDES = {
    "layers": "layers",
    "hidden": "hiddenSize",
    "intermediate": "intermediateSize",
    "heads": "heads",
    "kv_heads": "kvHeads",
    "head_dim": "headDim",
    "experts": "experts",
    "active": "expertsPerToken",
    "vocab": "vocabSize",
}


class LiveBytes(TorchDispatchMode):
    """Bytes of live tensor storages created under the mode (plus a baseline), and their peak. A storage is counted
    once, when an op first returns it, and uncounted when it is freed (a weakref on the storage object, which torch
    keeps alive exactly as long as the storage)."""

    def __init__(self, existing=()):
        super().__init__()
        self.current = self.peak = 0
        self.seen: dict[int, weakref.ref] = {}
        for t in existing:  # parameters, buffers: counted now, so that views of them later are not new storage
            self._count(t)
        self.peak = self.current

    def reset_peak(self):
        self.peak = self.current

    def _free(self, key: int, nbytes: int):
        self.seen.pop(key, None)
        self.current -= nbytes

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in tree_flatten(out)[0]:
            if isinstance(t, torch.Tensor) and t.device.type != "meta":
                self._count(t)
        return out

    def _count(self, t: torch.Tensor):
        st = t.untyped_storage()
        key = st._cdata
        if key in self.seen and self.seen[key]() is not None:
            return
        n = st.nbytes()
        self.seen[key] = weakref.ref(st, lambda _, k=key, n=n: self._free(k, n))
        self.current += n
        self.peak = max(self.peak, self.current)


class Meter:
    """Peak memory on CUDA (the caching allocator's counters) or CPU (LiveBytes)."""

    def __init__(self, device: torch.device, model):
        self.cuda = device.type == "cuda"
        self.mode = None if self.cuda else LiveBytes([*model.parameters(), *model.buffers()])

    def __enter__(self):
        if not self.cuda:
            self.mode.__enter__()
        self.reset()
        return self

    def __exit__(self, *exc):
        if not self.cuda:
            self.mode.__exit__(*exc)

    def reset(self):
        if self.cuda:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        else:
            self.mode.reset_peak()

    def peak(self) -> float:
        if self.cuda:
            torch.cuda.synchronize()
            return torch.cuda.max_memory_allocated() / GIB
        return self.mode.peak / GIB

    def reserved(self) -> float | None:
        """The allocator's reserved peak since the last reset (CUDA only): what nvidia-smi shows, less the context."""
        return torch.cuda.max_memory_reserved() / GIB if self.cuda else None


def setup(argv: list[str], defaults: dict) -> tuple[dict, torch.device, dict]:
    """The command line over `defaults` (and --shape=gpt-oss-20b, --device= for CUDA when there is one, else CPU),
    the device, and the shape (shape_of)."""
    a = {"shape": "gpt-oss-20b", "device": "", **defaults, **parse_args(argv)}
    device = torch.device(a["device"] or ("cuda" if torch.cuda.is_available() else "cpu"))
    return a, device, shape_of(a)


def shape_of(a: dict) -> dict:
    if a["shape"] not in memplan.facts()["models"]:
        raise SystemExit(f"unknown --shape={a['shape']}; known: {', '.join(memplan.facts()['models'])}")
    shape = dict(memplan.facts()["models"][a["shape"]])
    for flag, key in OVERRIDES.items():
        if flag in a:
            shape[key] = int(a[flag])
    if any(flag in a for flag in OVERRIDES):
        shape["label"] = f"{shape['label']} (cut down)"
    return shape


def build(shape: dict, device: torch.device, seq: int):
    """The model for `shape` with random bf16 weights, built on `device` (transformers' own init, bf16 throughout)."""
    common = dict(**memplan.config_kwargs(shape), attn_implementation="eager", use_cache=False)
    if shape["arch"] == "gpt-oss":
        from transformers import GptOssConfig, GptOssForCausalLM

        # 131072 positions: the published config, whose yarn factor 32 expects it (rope buffers are tiny)
        cfg, cls = GptOssConfig(max_position_embeddings=max(131072, seq), **common), GptOssForCausalLM
    else:
        from transformers import LlamaConfig, LlamaForCausalLM

        cfg, cls = LlamaConfig(max_position_embeddings=max(8192, seq), **common), LlamaForCausalLM
    torch.manual_seed(0)
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.bfloat16)
    try:
        with torch.device(device):
            model = cls(cfg)
    finally:
        torch.set_default_dtype(old)
    return model


def parse_config(name: str) -> tuple[str, int]:
    kind, _, r = name.partition("-r")
    if kind not in ("att", "exp") or not r.isdigit():
        raise SystemExit(f"bad config {name!r}: use att-rN or exp-rN")
    return kind, int(r)


@torch.no_grad()
def trl_metrics(logits: torch.Tensor, labels: torch.Tensor):
    """What TRL's SFTTrainer computes on the logits each step: entropy (in chunks of 128 rows), token accuracy."""
    flat = logits.reshape(-1, logits.shape[-1])
    entropy = torch.cat([-(lp.exp() * lp).sum(-1) for lp in (torch.log_softmax(c, dim=-1) for c in flat.split(128))])
    shift = logits[..., :-1, :].contiguous()
    accuracy = (shift.argmax(-1) == labels[..., 1:]).float().mean()
    return entropy.mean().item(), accuracy.item()


def trl_like_step(model, batch: dict, opt, device: torch.device, meter: Meter | None = None) -> tuple[dict, dict]:
    """One SFTTrainer step; with `meter`, the allocated and reserved peaks (GiB) of each phase: forward (with the
    metrics), backward, optimizer."""
    phases, reserved = {}, {}
    if meter:
        meter.reset()
    with torch.autocast(device.type, dtype=torch.bfloat16):
        out = model(**batch)
    loss = out.loss
    logits = out.logits.float()  # accelerate's convert_outputs_to_fp32
    del out
    trl_metrics(logits, batch["labels"])
    del logits
    if meter:
        phases["forward"], reserved["forward"] = meter.peak(), meter.reserved()
        meter.reset()
    loss.backward()
    del loss
    if meter:
        phases["backward"], reserved["backward"] = meter.peak(), meter.reserved()
        meter.reset()
    opt.step()
    opt.zero_grad(set_to_none=True)
    if meter:
        phases["optimizer"], reserved["optimizer"] = meter.peak(), meter.reserved()
    return phases, reserved


def run_config(base, name: str, shape: dict, a: dict, device: torch.device) -> tuple[object, dict]:
    from peft import LoraConfig, get_peft_model

    kind, rank = parse_config(name)
    B, T, gc_on = int(a["batch"]), int(a["seq"]), a["gc"] not in ("false", "0", "no")
    target_parameters = EXPERTS if kind == "exp" else None
    lc = LoraConfig(
        r=rank,
        lora_alpha=2 * rank,
        lora_dropout=0.0,
        target_modules=ATTENTION,
        target_parameters=target_parameters,
        bias="none",
        task_type="CAUSAL_LM",
    )
    if not gc_on:
        base.gradient_checkpointing_disable()
    elif hasattr(base, "activation_checkpointing_enable"):  # transformers 5's name (the old one warns)
        base.activation_checkpointing_enable(activation_checkpointing_kwargs={"use_reentrant": False})
    else:
        base.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    base.train()
    model = get_peft_model(base, lc)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    g = torch.Generator(device="cpu").manual_seed(1)
    ids = torch.randint(0, shape["vocabSize"], (B, T), generator=g).to(device)
    batch = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": ids.clone()}

    recipe = memplan.Recipe(
        model=shape,
        target_modules=",".join(ATTENTION),
        target_parameters=",".join(target_parameters or []),
        lora_rank=rank,
        batch_size=B,
        max_seq_length=T,
        gradient_checkpointing=gc_on,
    )
    p = memplan.plan(recipe)
    steps = max(1, int(a["steps"]))
    meter = Meter(device, model)
    times = []
    with meter:
        for i in range(steps):
            t = time.perf_counter()
            last = i == steps - 1
            phases, reserved = trl_like_step(model, batch, opt, device, meter if last else None)
            if device.type == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - t)
    measured = max(phases.values())
    r = {
        "config": name,
        "loraRank": rank,
        "targetParameters": ",".join(target_parameters or []),
        "batch": B,
        "seq": T,
        "gradientCheckpointing": gc_on,
        "trainableParams": trainable,
        "planTrainableParams": p.trainable_params,
        "measuredPeakGiB": round(measured, 6),
        "measuredReservedGiB": round(max(reserved.values()), 6) if meter.cuda else None,
        "phasesGiB": {k: round(v, 6) for k, v in phases.items()},
        "planAllocatedGiB": p.allocated_gib,
        "planTotalGiB": p.total_gib,
        "planBreakdownGiB": p.breakdown,
        "planPeakPhase": p.peak_phase,
        "ratio": round(measured / p.allocated_gib, 3),
        "secondsPerStep": round(times[-1], 3),
        "steps": steps,
    }
    del opt, batch
    base = model.unload()  # the bare model again, for the next configuration
    del model
    gc.collect()
    if device.type == "cuda":
        torch.cuda.empty_cache()
    return base, r


DEFAULTS = dict(configs="att-r8,att-r64,exp-r8,exp-r64", batch="4", seq="512", steps="2", gc="true", out="memory.json")


def main(argv: list[str]) -> dict:
    a, device, shape = setup(argv, DEFAULTS)
    import peft
    import transformers

    t = time.perf_counter()
    base = build(shape, device, int(a["seq"]))
    build_s = time.perf_counter() - t
    params = sum(p.numel() for p in base.parameters())
    results = {
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "deviceGiB": round(torch.cuda.get_device_properties(device).total_memory / GIB, 2)
        if device.type == "cuda"
        else None,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "peft": peft.__version__,
        "shape": a["shape"],
        "dims": shape,
        "params": params,
        "planParams": memplan.param_counts(memplan.shape_from(shape))["total"],
        "buildSeconds": round(build_s, 1),
        "configs": [],
    }
    print(f"[{a['shape']}] {params / 1e9:.2f} B parameters on {results['device']}, built in {build_s:.1f}s", flush=True)
    for name in a["configs"].split(","):
        try:
            base, r = run_config(base, name.strip(), shape, a, device)
        except torch.OutOfMemoryError as e:  # a row of the table, not the end of the benchmark
            r = {"config": name, "error": f"out of memory: {str(e).splitlines()[0]}"}
            gc.collect()
            torch.cuda.empty_cache()
        results["configs"].append(r)
        print(json.dumps(r), flush=True)
        Path(a["out"]).write_text(json.dumps(results, indent=2))
    print(table(results))
    return results


def table(results: dict) -> str:
    rows = [
        "| config | trainable | measured peak GiB | plan GiB | measured / plan | s/step |",
        "|---|---|---|---|---|---|",
    ]
    for r in results["configs"]:
        if "error" in r:
            rows.append(f"| {r['config']} | | {r['error']} | | | |")
            continue
        rows.append(
            f"| {r['config']} | {r['trainableParams'] / 1e6:.1f} M | {r['measuredPeakGiB']:.2f} | "
            f"{r['planAllocatedGiB']:.2f} | {r['ratio']:.2f} | {r['secondsPerStep']:.1f} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    main(sys.argv[1:])
