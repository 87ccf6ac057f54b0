"""The memory plan: from a recipe (model shape, bf16 or 4-bit loading, LoRA targets and rank, batch, sequence length,
gradient checkpointing) to the estimated peak GPU memory, with a breakdown, and a verdict for a GPU — fits, tight
(over 90 % of it) or no-fit, with the cause and the fixes named. Jobs call `check` before loading a model; the
extension's launch runs the same arithmetic (src/jobs/memoryPlan.ts) on the same facts (schemas/memory-plan.json),
and both test suites check the vectors there. Pure: no torch, so it runs before any GPU time is spent.

    python -m psychohistory.memplan --base_model=openai/gpt-oss-20b --target_parameters=mlp.experts.gate_up_proj,\
mlp.experts.down_proj --lora_rank=64 --gpu=A10G"""

from __future__ import annotations

import dataclasses
import functools
import json
import sys
from dataclasses import dataclass

from .config import CONFIGS
from .schemas import schema_dir

GIB = 2**30
ATTENTION_MODULES = ("q_proj", "k_proj", "v_proj", "o_proj")
DENSE_MLP_MODULES = ("gate_proj", "up_proj", "down_proj")


@functools.cache
def facts() -> dict:
    return json.loads((schema_dir() / "memory-plan.json").read_text())


@functools.cache
def _prices() -> dict:
    return json.loads((schema_dir() / "gpu-prices.json").read_text())["usdPerSecond"]


@dataclass(frozen=True)
class Shape:
    label: str
    arch: str  # "gpt-oss" (MoE, experts as 3-D parameters) or "llama" (dense)
    hiddenSize: int
    layers: int
    heads: int
    kvHeads: int
    headDim: int
    intermediateSize: int
    experts: int  # 0 = dense MLP
    expertsPerToken: int
    vocabSize: int
    tiedEmbeddings: bool
    attentionBias: bool


def shape_from(d: dict) -> Shape:
    names = {f.name for f in dataclasses.fields(Shape)}
    return Shape(**{k: v for k, v in {"label": "custom", **d}.items() if k in names})


def config_kwargs(shape: dict) -> dict:
    """The transformers config arguments (GptOssConfig or LlamaConfig) that a shape of the plan's `models` names."""
    kwargs = dict(
        vocab_size=shape["vocabSize"],
        hidden_size=shape["hiddenSize"],
        intermediate_size=shape["intermediateSize"],
        num_hidden_layers=shape["layers"],
        num_attention_heads=shape["heads"],
        num_key_value_heads=shape["kvHeads"],
        head_dim=shape["headDim"],
        tie_word_embeddings=shape["tiedEmbeddings"],
        attention_bias=shape["attentionBias"],
    )
    if shape["arch"] == "gpt-oss":
        kwargs.update(num_local_experts=shape["experts"], num_experts_per_tok=shape["expertsPerToken"])
    return kwargs


def resolve_model(name: str) -> tuple[str, Shape] | None:
    """Known shape for a model name: the plan's key, an alias (HF name), or a path whose last part is an alias's."""
    want = name.strip().lower().rstrip("/")
    tail = want.rsplit("/", 1)[-1]
    for key, m in facts()["models"].items():
        aliases = [a.lower() for a in m["aliases"]]
        if want == key or want in aliases or tail in {a.rsplit("/", 1)[-1] for a in aliases}:
            return key, shape_from(m)
    return None


# --- parameter counts -----------------------------------------------------------------------------------------------


def _linear_dims(s: Shape) -> dict[str, tuple[int, int]]:
    """(in, out) of each nn.Linear a LoRA target_modules name can hit, per layer."""
    q, kv = s.heads * s.headDim, s.kvHeads * s.headDim
    dims = {
        "q_proj": (s.hiddenSize, q),
        "k_proj": (s.hiddenSize, kv),
        "v_proj": (s.hiddenSize, kv),
        "o_proj": (q, s.hiddenSize),
    }
    if not s.experts:
        dims.update(
            gate_proj=(s.hiddenSize, s.intermediateSize),
            up_proj=(s.hiddenSize, s.intermediateSize),
            down_proj=(s.intermediateSize, s.hiddenSize),
        )
    return dims


def _expert_dims(s: Shape) -> dict[str, tuple[int, int]]:
    """(in, out) per expert of the 3-D expert parameters: gate_up_proj [E, H, 2I], down_proj [E, I, H]."""
    if not s.experts:
        return {}
    return {"gate_up_proj": (s.hiddenSize, 2 * s.intermediateSize), "down_proj": (s.intermediateSize, s.hiddenSize)}


def param_counts(s: Shape) -> dict:
    """Total parameters, and those that 4-bit loading quantises (the linear weights inside the layers)."""
    H, L = s.hiddenSize, s.layers
    lin = _linear_dims(s)
    attn_w = sum(i * o for k, (i, o) in lin.items() if k in ATTENTION_MODULES)
    attn_b = (s.heads * s.headDim + 2 * s.kvHeads * s.headDim + H) if s.attentionBias else 0
    sinks = s.heads if s.arch == "gpt-oss" else 0
    if s.experts:
        mlp_w = sum(s.experts * i * o for i, o in _expert_dims(s).values())
        mlp_other = s.experts * (2 * s.intermediateSize + H) + s.experts * (H + 1)  # expert biases + router
    else:
        mlp_w = sum(i * o for k, (i, o) in lin.items() if k in DENSE_MLP_MODULES)
        mlp_other = 0
    per_layer = attn_w + attn_b + sinks + mlp_w + mlp_other + 2 * H
    embed = s.vocabSize * H * (1 if s.tiedEmbeddings else 2)
    total = L * per_layer + embed + H
    active = total
    if s.experts:  # as OpenAI counts it: the active experts only, and without the input embedding
        experts_all = mlp_w + s.experts * (2 * s.intermediateSize + H)
        active = total - L * experts_all * (s.experts - s.expertsPerToken) // s.experts - s.vocabSize * H
    return {"total": total, "quantizable": L * (attn_w + mlp_w), "active": active}


def _split(s: str) -> list[str]:
    return [x.strip() for x in (s or "").split(",") if x.strip()]


def lora_params(s: Shape, target_modules: str, target_parameters: str, rank: int, modules_to_save: str = "") -> dict:
    """Trainable parameters peft creates. A Linear in→out gets r·(in + out). A 3-D expert parameter [E, in, out]
    gets one rank-r pair per expert: peft's ParamWrapper makes lora_A in→r·E and lora_B r·E→out: r·E·(in + out)."""
    lin = _linear_dims(s)
    tm = target_modules.strip()
    names = list(lin) if tm == "all-linear" else [n for n in _split(tm) if n in lin]
    modules = s.layers * sum(rank * (lin[n][0] + lin[n][1]) for n in names)
    experts = 0
    for p in _split(target_parameters):
        key = p.rsplit(".", 1)[-1]
        if key in _expert_dims(s):  # a dense model has none: lora_config drops them
            i, o = _expert_dims(s)[key]
            experts += s.layers * rank * s.experts * (i + o)
    saved = sum(s.vocabSize * s.hiddenSize for m in _split(modules_to_save) if m in ("lm_head", "embed_tokens"))
    return {"modules": modules, "experts": experts, "saved": saved, "total": modules + experts + saved}


# --- the plan -------------------------------------------------------------------------------------------------------


@dataclass
class Recipe:
    model: str | dict  # a name the plan knows (see schemas/memory-plan.json) or a shape dict
    loading: str = "bf16"  # "bf16" | "4bit"
    target_modules: str = "q_proj,k_proj,v_proj,o_proj"
    target_parameters: str = ""
    modules_to_save: str = ""
    lora_rank: int = 16
    batch_size: int = 8
    max_seq_length: int = 512  # tokens per sequence (GRPO: prompt + completion)
    gradient_checkpointing: bool = True
    mode: str = "train"  # "train" (SFT/GRPO step) | "infer" (evaluation, generation)


@dataclass
class Plan:
    model: str
    label: str
    trainable_params: int
    params: int
    breakdown: dict  # GiB at the peak: weights, lora, activations, logits, expertDeltas, overhead
    peak_phase: str  # "logits" (end of forward) | "layers" (a layer's backward) | "forward"
    allocated_gib: float  # what torch.cuda.max_memory_allocated would show
    total_gib: float  # + CUDA context and fragmentation: what must fit on the card

    def to_json(self) -> dict:
        return {
            "model": self.model,
            "trainableParams": self.trainable_params,
            "params": self.params,
            "breakdown": self.breakdown,
            "peakPhase": self.peak_phase,
            "allocatedGiB": self.allocated_gib,
            "totalGiB": self.total_gib,
        }


def plan(recipe: Recipe) -> Plan | None:
    """The estimated peak for `recipe`, or None for a model the plan does not know."""
    if isinstance(recipe.model, dict):
        key, s = "custom", shape_from(recipe.model)
    else:
        found = resolve_model(recipe.model)
        if found is None:
            return None
        key, s = found
    c = facts()["constants"]
    counts = param_counts(s)
    b4 = c["bytesPerParam"]["4bit"]
    bf16 = c["bytesPerParam"]["bf16"]
    weights = (
        counts["total"] * bf16
        if recipe.loading != "4bit"
        else (counts["total"] - counts["quantizable"]) * bf16 + counts["quantizable"] * b4
    )

    train = recipe.mode == "train"
    lora = (
        lora_params(s, recipe.target_modules, recipe.target_parameters, recipe.lora_rank, recipe.modules_to_save)
        if train
        else {"total": 0, "experts": 0}
    )
    lora_bytes = lora["total"] * c["trainableBytesPerParam"]

    B, T = recipe.batch_size, recipe.max_seq_length
    N = B * T
    a = c["activationBytesPerToken"]
    mlp = s.expertsPerToken * s.intermediateSize if s.experts else s.intermediateSize
    per_token = (
        a["hidden"] * s.hiddenSize
        + a["attention"] * s.heads * s.headDim
        + a["kv"] * s.kvHeads * s.headDim
        + a["mlp"] * mlp
    )
    layer = bf16 * N * per_token + c["attentionScoreCopies"] * bf16 * B * s.heads * T * T
    ckpt = c["checkpointBytesPerTokenHidden"] * N * s.hiddenSize * s.layers

    expert_bytes = 0
    if lora["experts"]:
        targeted = sum(
            s.experts * i * o
            for k, (i, o) in _expert_dims(s).items()
            if any(p.rsplit(".", 1)[-1] == k for p in _split(recipe.target_parameters))
        )
        expert_bytes = c["expertDeltaCopies"] * targeted * bf16

    if train:
        logits = c["logitsBytesPerTokenTrain"] * N * s.vocabSize
        saved = ckpt if recipe.gradient_checkpointing else s.layers * layer
        working = layer if recipe.gradient_checkpointing else 0
        if logits >= working + expert_bytes:
            phase, acts, logit_part, expert_part = "logits", saved, logits, 0
        else:
            phase, acts, logit_part, expert_part = "layers", saved + working, 0, expert_bytes
    else:  # one layer live at a time and the KV cache; logits of the last position only (logits_to_keep, generate)
        kv_cache = 2 * bf16 * s.layers * N * s.kvHeads * s.headDim
        logits = c["logitsBytesPerSequenceInfer"] * B * s.vocabSize
        phase, acts, logit_part, expert_part = "forward", layer + kv_cache, logits, 0

    allocated = weights + lora_bytes + acts + logit_part + expert_part
    overhead = c["cudaContextGiB"] * GIB + c["fragmentation"] * allocated

    def r(x: float) -> float:
        return round(x / GIB, 3)

    breakdown = {
        "weights": r(weights),
        "lora": r(lora_bytes),
        "activations": r(acts),
        "logits": r(logit_part),
        "expertDeltas": r(expert_part),
        "overhead": r(overhead),
    }
    return Plan(
        model=key,
        label=s.label,
        trainable_params=lora["total"],
        params=counts["total"],
        breakdown=breakdown,
        peak_phase=phase,
        allocated_gib=r(allocated),
        total_gib=r(allocated + overhead),
    )


# --- GPUs and the verdict -------------------------------------------------------------------------------------------


def gpu_info(gpu: str) -> tuple[str, dict] | None:
    """Modal's GPU name (case-insensitive; "H100:2" or "H100!" count as one H100) → (name, facts)."""
    want = gpu.split(":", 1)[0].rstrip("!").strip().upper()
    for name, g in facts()["gpus"].items():
        if want == name.upper() or want in (a.upper() for a in g["aliases"]):
            return name, g
    return None


def gpus_by_size() -> list[str]:
    """GPU names, smallest memory first, then cheapest."""
    prices = _prices()
    names = list(facts()["gpus"])
    return sorted(names, key=lambda n: (facts()["gpus"][n]["gib"], prices.get(n, 0.0)))


def verdict_of(gib: float, gpu_gib: float) -> str:
    if gib > gpu_gib:
        return "no-fit"
    return "tight" if gib > facts()["constants"]["tightFraction"] * gpu_gib else "fits"


def describe(recipe: Recipe, p: Plan) -> str:
    """ "GPT-OSS-20B (bf16) with expert LoRA r=64, batch 4 × 512 tokens" — the recipe in the words of the message."""
    if recipe.mode != "train":
        return f"{p.label} ({recipe.loading}), batch {recipe.batch_size} × {recipe.max_seq_length} tokens"
    lp = lora_params(_shape(recipe), recipe.target_modules, recipe.target_parameters, recipe.lora_rank)
    where = (
        "expert LoRA"
        if lp["experts"]
        else "attention-only LoRA"
        if set(_split(recipe.target_modules)) <= set(ATTENTION_MODULES)
        and recipe.target_modules.strip() != "all-linear"
        else f"LoRA on {recipe.target_modules}"
    )
    gc = "" if recipe.gradient_checkpointing else ", no gradient checkpointing"
    return (
        f"{p.label} ({recipe.loading}) with {where} r={recipe.lora_rank}, batch {recipe.batch_size} × "
        f"{recipe.max_seq_length} tokens{gc}"
    )


def _apply(r: Recipe, change: dict) -> Recipe:
    kw = {k: v for k, v in change.items() if k != "load_in_4bit"}
    if change.get("load_in_4bit"):
        kw["loading"] = "4bit"
    return dataclasses.replace(r, **kw)


def _largest_batch(recipe: Recipe, cap: float) -> int | None:
    """The largest of batch/2, batch/4, … ≥ 1 with which `recipe` fits `cap` GiB."""
    b = recipe.batch_size // 2
    while b >= 1:
        if verdict_of(plan(dataclasses.replace(recipe, batch_size=b)).total_gib, cap) == "fits":
            return b
        b //= 2
    return None


def fixes(recipe: Recipe, gpu: str, gpu_gib: float | None = None) -> list[dict]:
    """What makes `recipe` fit: GPUs where it fits unchanged (two at most, cheapest first), then single config
    changes that fit on `gpu`; when none does alone, the switches together (and a smaller batch if that is still
    needed). Each fix: {"gpu"} or {"set", "label"}, with the "gib" it needs."""
    base = plan(recipe)
    if base is None:
        return []
    prices = _prices()
    fitting = [n for n in gpus_by_size() if verdict_of(base.total_gib, facts()["gpus"][n]["gib"]) == "fits"]
    out = [{"gpu": n, "gib": base.total_gib} for n in sorted(fitting, key=lambda n: prices.get(n, 0.0))[:2]]
    here = gpu_info(gpu)
    if here is None and gpu_gib is None:
        return out
    cap = gpu_gib if gpu_gib is not None else here[1]["gib"]
    switches: list[tuple[dict, str]] = []
    if (
        recipe.mode == "train"
        and lora_params(_shape(recipe), recipe.target_modules, recipe.target_parameters, recipe.lora_rank)["experts"]
    ):
        switches.append(({"target_parameters": ""}, 'attention-only LoRA (target_parameters="")'))
    if recipe.mode == "train" and not recipe.gradient_checkpointing:
        switches.append(({"gradient_checkpointing": True}, "gradient_checkpointing=true"))
    if recipe.loading != "4bit":
        switches.append(({"load_in_4bit": True}, "load_in_4bit=true (unsloth)"))
    alone = []
    for change, label in switches:
        p = plan(_apply(recipe, change))
        if verdict_of(p.total_gib, cap) == "fits":
            alone.append({"set": change, "label": label, "gib": p.total_gib})
    b = _largest_batch(recipe, cap)
    if b is not None:
        alone.append(
            {
                "set": {"batch_size": b},
                "label": f"batch_size={b}",
                "gib": plan(dataclasses.replace(recipe, batch_size=b)).total_gib,
            }
        )
    if alone:
        return out + alone
    together, merged, labels = recipe, {}, []
    for change, label in switches:
        together, labels = _apply(together, change), [*labels, label]
        merged.update(change)
        if verdict_of(plan(together).total_gib, cap) == "fits":
            return out + [{"set": merged, "label": " and ".join(labels), "gib": plan(together).total_gib}]
    b = _largest_batch(together, cap)
    if b is not None:
        together = dataclasses.replace(together, batch_size=b)
        return out + [
            {
                "set": {**merged, "batch_size": b},
                "label": " and ".join([*labels, f"batch_size={b}"]),
                "gib": plan(together).total_gib,
            }
        ]
    return out


def _shape(recipe: Recipe) -> Shape:
    return shape_from(recipe.model) if isinstance(recipe.model, dict) else resolve_model(recipe.model)[1]


def _gib(x: float) -> str:
    return f"{x:.1f}"


def message_for(
    recipe: Recipe, p: Plan, gpu: str, verdict: str, fix_list: list[dict], card: tuple[str, dict] | None = None
) -> str:
    name, g = card or gpu_info(gpu)
    what = f"{describe(recipe, p)} needs ~{_gib(p.total_gib)} GiB"
    card = f"{name} has {_gib(g['gib'])} GiB" + (f" ({g['nominalGB']} GB)" if g.get("nominalGB") else "")
    if verdict == "fits":
        return f"{what}; {card}: fits."
    options = (
        [f"pick {' or '.join(f['gpu'] for f in fix_list if 'gpu' in f)}"] if any("gpu" in f for f in fix_list) else []
    )
    options += [f"{f['label']} (~{_gib(f['gib'])} GiB)" for f in fix_list if "set" in f]
    fix = f" Fix: {', or '.join(options)}." if options else " No GPU on Modal holds it; shrink the recipe."
    if verdict == "tight":
        return (
            f"{what}; {card}: tight (over {round(facts()['constants']['tightFraction'] * 100)} %), it may run "
            f"out of memory.{fix}"
        )
    return f"{what}; {card}: does not fit.{fix}"


def assess(recipe: Recipe, gpu: str, gpu_gib: float | None = None) -> dict:
    """{"verdict", "gib", "message", "fixes", "plan"} for `recipe` on `gpu`. verdict: fits | tight | no-fit | unknown
    (a model or GPU the plan does not know — never a reason to refuse). `gpu_gib`: the memory of the device the job
    actually has (torch.cuda.get_device_properties(0).total_memory / 2**30), used instead of the table's."""
    p = plan(recipe)
    if p is None:
        return {
            "verdict": "unknown",
            "gib": None,
            "fixes": [],
            "plan": None,
            "message": f"no memory plan for base model {recipe.model!r}; launching without a memory check",
        }
    g = gpu_info(gpu or "")
    if gpu_gib is not None:
        g = (g[0] if g else gpu or "this GPU", {"gib": round(gpu_gib, 2)})
    if g is None:
        return {
            "verdict": "unknown",
            "gib": p.total_gib,
            "fixes": [],
            "plan": p,
            "message": f"{describe(recipe, p)} needs ~{_gib(p.total_gib)} GiB; GPU {gpu!r} is not in the plan's "
            "table, so it is not checked",
        }
    verdict = verdict_of(p.total_gib, g[1]["gib"])
    fix_list = [] if verdict == "fits" else fixes(recipe, gpu, g[1]["gib"])
    return {
        "verdict": verdict,
        "gib": p.total_gib,
        "fixes": fix_list,
        "plan": p,
        "message": message_for(recipe, p, gpu, verdict, fix_list, g),
    }


def check_recipe(recipe: Recipe, gpu: str) -> tuple[str, float | None, str]:
    """(verdict, estimated GiB, message)."""
    a = assess(recipe, gpu)
    return a["verdict"], a["gib"], a["message"]


def fix_name(f: dict) -> str:
    """A fix as the vectors name it: "gpu:H100" or its label."""
    return f"gpu:{f['gpu']}" if "gpu" in f else f["label"]


# --- from a job config ----------------------------------------------------------------------------------------------


def recipe_of(cfg, kind: str | None = None) -> Recipe:
    """A job config (SFTConfig / GRPOConfig / EvalConfig / GenerateConfig, or the dict a launch sends) → Recipe.
    Keys the config leaves out take the job's defaults (config.py's, which are schemas/job-config.schema.json's)."""
    d = dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else dict(cfg)
    if kind is None:
        kind = d.get("kind") or {
            "SFTConfig": "sft",
            "GRPOConfig": "grpo",
            "EvalConfig": "eval",
            "GenerateConfig": "generate",
        }.get(type(cfg).__name__, "sft")
    v = {**dataclasses.asdict(CONFIGS[kind]()), **{k: val for k, val in d.items() if val is not None}}
    train = kind in ("sft", "grpo")
    seq = int(v["max_seq_length"]) + (int(v.get("max_completion_length", 0)) if kind == "grpo" else 0)
    batch = int(v.get("batch_size", v.get("num_samples", 4)))
    return Recipe(
        model=v["base_model"],
        loading="4bit" if _bool(v.get("load_in_4bit")) else "bf16",
        target_modules=str(v.get("target_modules", "")),
        target_parameters=str(v.get("target_parameters", "")),
        modules_to_save=str(v.get("modules_to_save", "")),
        lora_rank=int(v.get("lora_rank", 0)),
        batch_size=batch,
        max_seq_length=seq,
        gradient_checkpointing=_bool(v.get("gradient_checkpointing")),
        mode="train" if train else "infer",
    )


def _bool(x) -> bool:
    return x in (True, 1) or (isinstance(x, str) and x.lower() in ("true", "1", "yes"))


def check(
    cfg, gpu: str | None = None, kind: str | None = None, gpu_gib: float | None = None
) -> tuple[str, float | None, str]:
    """(verdict, GiB, message) for a job config on `gpu` (default: the config's own gpu; `gpu_gib` = the memory of the
    device in hand, if known). The jobs call it before loading the model and stop on "no-fit"; "unknown" (a model or
    GPU the plan does not know) never stops a run."""
    d = dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else dict(cfg)
    a = assess(recipe_of(cfg, kind), gpu or str(d.get("gpu", "")), gpu_gib)
    return a["verdict"], a["gib"], a["message"]


def check_fields(
    base_model: str, gpu: str = "A10G", load_in_4bit: bool = False, train: bool = True, **recipe
) -> tuple[str, float | None, str]:
    """`check` with the fields spelled out: the job config's names where they differ from the Recipe's, the rest
    (lora_rank, batch_size, …) as Recipe has them, with its defaults (sequence length = all tokens of one example)."""
    return check_recipe(
        Recipe(
            model=base_model, loading="4bit" if load_in_4bit else "bf16", mode="train" if train else "infer", **recipe
        ),
        gpu,
    )


class MemoryPlanError(RuntimeError):
    """A recipe that cannot fit the GPU: raised before any model is loaded."""


def require_fit(
    cfg, gpu: str | None = None, kind: str | None = None, gpu_gib: float | None = None, log=None
) -> tuple[str, float | None, str]:
    """`check`, raising MemoryPlanError on no-fit and logging a warning when tight: what a job calls before it loads
    the model. On a GPU pass the device in hand:
        props = torch.cuda.get_device_properties(0)
        require_fit(cfg, props.name, gpu_gib=props.total_memory / 2**30, log=log)
    """
    verdict, gib, message = check(cfg, gpu, kind, gpu_gib)
    if verdict == "no-fit":
        raise MemoryPlanError(message)
    if log is not None:
        (log.warning if verdict == "tight" else log.info)("memory plan: %s", message)
    return verdict, gib, message


def vector_expected(v: dict) -> dict:
    """What the formula gives for a test vector of schemas/memory-plan.json ({"name", "kind", "config", "gpu"})."""
    a = assess(recipe_of(v["config"], v["kind"]), v["gpu"])
    p = a["plan"]
    if p is None:
        return {"verdict": a["verdict"]}
    return {
        "trainableParams": p.trainable_params,
        "params": p.params,
        "allocatedGiB": p.allocated_gib,
        "totalGiB": p.total_gib,
        "peakPhase": p.peak_phase,
        "breakdown": p.breakdown,
        "verdict": a["verdict"],
        "fixes": [fix_name(f) for f in a["fixes"]],
        "message": a["message"],
    }


def _dump(x, indent: int = 0) -> str:
    """JSON with containers of plain values on one line (the schema file stays readable)."""
    pad = "  " * (indent + 1)
    if isinstance(x, dict) and any(isinstance(v, (dict, list)) and v for v in x.values()):
        items = [f"{pad}{json.dumps(k)}: {_dump(v, indent + 1)}" for k, v in x.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(x, list) and any(isinstance(v, (dict, list)) for v in x):
        return "[\n" + ",\n".join(pad + _dump(v, indent + 1) for v in x) + "\n" + "  " * indent + "]"
    return json.dumps(x, ensure_ascii=False, separators=(", ", ": "))


def write_vectors() -> None:
    """Recompute the vectors' expected values after a change of the constants (then check the diff: the trainable
    counts are also pinned by hand in tests/test_memplan.py)."""
    path = schema_dir() / "memory-plan.json"
    data = json.loads(path.read_text())
    facts.cache_clear()
    for v in data["vectors"]:
        v["expected"] = vector_expected(v)
    path.write_text(_dump(data) + "\n")


def main(argv: list[str]) -> int:
    """Print the plan for --key=value config keys (the job's keys, plus --kind and --gpu); --write-vectors refreshes
    the test vectors' expected values in schemas/memory-plan.json."""
    if argv == ["--write-vectors"]:
        write_vectors()
        return 0
    from .config import parse_args

    args = parse_args(argv)
    kind = args.pop("kind", "sft")
    gpu = args.pop("gpu", "")
    recipe = recipe_of(args, kind)
    p = plan(recipe)
    print(json.dumps(p.to_json() if p else None, indent=2))
    for name in [gpu] if gpu else gpus_by_size():
        print(check_recipe(recipe, name)[2] if gpu else f"{name}: {check_recipe(recipe, name)[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
