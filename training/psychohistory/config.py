"""One config dataclass per job, and the nanoGPT-style `--key=value` overrides that the command line and the Modal
functions share. Unknown keys are refused: a typo must never silently train with a default."""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass


@dataclass
class Common:
    run_dir: str = ""                     # where run.json / metrics.jsonl / logs.txt / trees.jsonl go ("" = ./runs/<run_id>)
    run_id: str = ""                      # run id ("" = the run directory's name, or a fresh timestamp id)
    dataset: str = ""                     # path to a cases .jsonl (contract 1)
    dataset_text: str = ""                # the same JSONL inline (used on Modal, where the file is not mounted)
    base_model: str = "tiny"              # HF path/name; "smollm2-135m" (real, offline); "tiny"/"small"/"medium" (built here)
    adapter: str = ""                     # start from this LoRA adapter dir ("" = the bare base model)
    output_dir: str = ""                  # adapter/checkpoints dir ("" = <run_dir>/adapter)
    gpu: str = "A10G"                     # GPU type, for the cost event (Modal's GPU name; "cpu" when local on CPU)
    seed: int = 1337                      # seeds shuffling, sampling and init
    eval_seed: int = 90210                # seeds evaluation only (candidate order of scored prompts, bootstrap)
    max_seq_length: int = 512             # longest tokenized example kept
    load_in_4bit: bool = False            # unsloth only: load the base model in 4 bit


@dataclass
class SFTConfig(Common):
    num_epochs: float = 1.0               # passes over the training examples
    max_steps: int = -1                   # stop after this many optimizer steps (-1 = num_epochs decides)
    batch_size: int = 8                   # examples per device step
    grad_accum: int = 1                   # gradient accumulation steps
    learning_rate: float = 2e-4           # peak learning rate (linear decay)
    warmup_ratio: float = 0.03            # share of steps spent warming up
    lora_rank: int = 16                   # LoRA rank r
    lora_alpha: int = 32                  # LoRA alpha (scale = alpha / r)
    lora_dropout: float = 0.0             # LoRA dropout
    target_modules: str = "q_proj,k_proj,v_proj,o_proj"   # LoRA on these nn.Linear names ("all-linear" ok)
    target_parameters: str = ""           # MoE expert weights too, opt-in: "mlp.experts.gate_up_proj,mlp.experts.down_proj"
    modules_to_save: str = ""             # also train these whole modules, e.g. "lm_head" (saved with the adapter)
    gradient_checkpointing: bool = True   # recompute activations in backward (the 20B memory plan assumes it)
    tasks: str = "choice,generation,stated"  # example kinds per case level (see prompts.py); stated = phase 2
    stated_epochs: float = 1.0            # phase 2: epochs on the stated forecast (targets: phase 1's letter readout)
    stated_tasks: str = "choice,stated,generation"  # phase 2's example kinds (choice and generation keep what phase 1 taught)
    unfamiliar_fraction: float = 0.0      # share of groups of similar seed events whose answers SFT never trains (the stated forecast learns its readout there; GRPO practises on them)
    grpo_holdout: bool = False            # keep the calibration slice's answers out of phase 2 too, for GRPO --cases=holdout
    logging_steps: int = 1                # emit a train event every N steps
    eval_steps: int = 0                   # emit eval events every N steps on the eval split (0 = only at the end)
    eval_max_cases: int = 16              # cases used by the interval eval
    save_steps: int = 50                  # checkpoint every N steps (resume picks up the last one)
    time_limit_s: float = 0.0             # stop (and save the adapter) after this many seconds (0 = no limit)
    split: str = "train"                  # which split to train on
    packing: bool = False                 # padding-free batches: each batch as one row with position ids (no pad tokens; same per-example loss, tests/test_sft_packing.py)
    fast_forward: str = "auto"            # GptOss fast forward (fastpath.py) for SFT's training steps and readouts: auto = on for CUDA, eager elsewhere; on | off


@dataclass
class GRPOConfig(Common):
    num_epochs: float = 1.0               # passes over the choice prompts
    max_steps: int = -1                   # stop after this many optimizer steps (-1 = num_epochs decides)
    batch_size: int = 8                   # completions per device step (must be a multiple of num_generations)
    grad_accum: int = 1                   # gradient accumulation steps
    learning_rate: float = 5e-5           # peak learning rate
    num_generations: int = 4              # group size: completions sampled per prompt
    steps_per_generation: int = 0         # optimizer steps per generation round (0 = one, as TRL does): more steps share one batched rollout, which is most of a step on a small model
    beta: float = 0.04                    # KL penalty towards the reference model
    temperature: float = 1.0              # sampling temperature for the group
    max_completion_length: int = 64       # tokens a completion may use (the final channel is forced: answer only)
    lora_rank: int = 4                    # LoRA rank r (small: GRPO nudges, SFT teaches)
    lora_alpha: int = 8                   # LoRA alpha
    lora_dropout: float = 0.0             # LoRA dropout
    target_modules: str = "q_proj,k_proj,v_proj,o_proj"   # LoRA on these nn.Linear names
    target_parameters: str = ""           # MoE expert weights too, opt-in: "mlp.experts.gate_up_proj,mlp.experts.down_proj"
    gradient_checkpointing: bool = True   # recompute activations in backward
    modules_to_save: str = ""             # also train these whole modules, e.g. "lm_head" (saved with the adapter)
    logging_steps: int = 1                # emit a train event every N steps
    save_steps: int = 50                  # checkpoint every N steps
    time_limit_s: float = 0.0             # stop (and save the adapter) after this many seconds (0 = no limit)
    split: str = "train"                  # which split to train on
    cases: str = "all"                    # all | holdout: only the training cases the SFT adapter never saw answered (its calibration slice and unfamiliar groups)
    scale_rewards: str = "none"           # advantages divided by the reward std of each group (TRL's default), of the batch, or not at all (none: the default here, the only one that keeps the Brier reward proper)
    fast_forward: str = "auto"            # GptOss fast forward (fastpath.py) for scoring and rollouts: auto = on for CUDA, eager elsewhere; on | off


@dataclass
class EvalConfig(Common):
    split: str = "eval"                   # which split to evaluate
    stages: str = "baseline"              # comma list of baseline,sft,grpo
    adapters: str = ""                    # comma list of stage=adapter_dir, e.g. "sft=runs/a/adapter,grpo=runs/b/adapter"
    max_cases: int = 0                    # evaluate at most this many cases (0 = all)
    num_trees: int = 4                    # forecast trees written to trees.jsonl (per stage)
    batch_size: int = 16                  # prompts per forward pass
    max_new_tokens: int = 24              # tokens generated per prediction (match coverage)
    max_stated_tokens: int = 64           # tokens the stated forecast may use (the final channel is forced)
    bootstrap: int = 1000                 # bootstrap resamples (over cases) for the 95 % intervals
    judge: str = ""                       # LLM judge for match coverage ("" = off; "openrouter:<model>" on Modal)
    match_embeddings: bool = True         # semantic match by sentence embeddings too (all-MiniLM-L6-v2), else Jaccard only
    fast_forward: str = "auto"            # GptOss fast forward (fastpath.py): auto = on for CUDA, eager elsewhere; on | off


@dataclass
class GenerateConfig(Common):
    seeds: str = ""                       # inline seeds "event|YYYY-MM-DD;event|date" (else the dataset's seeds)
    split: str = "eval"                   # dataset split whose seeds are used
    num_trees: int = 4                    # trees to write
    depth: int = 3                        # levels to grow below the seed
    num_samples: int = 4                  # samples drawn per node; distinct ones become children
    temperature: float = 1.0              # sampling temperature
    max_new_tokens: int = 24              # tokens per generated event


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"               # address to listen on (loopback by default)
    port: int = 8000                      # port to listen on (0 = any free port, printed at start)
    base_model: str = "tiny"              # as for the jobs: HF path/name or a preset
    adapter: str = ""                     # arm A: LoRA adapter dir ("" = the bare base model)
    adapter_b: str = ""                   # arm B for A/B routing: adapter dir, "base" = the bare base ("" = no B)
    b_share: float = 0.5                  # share of requests routed to arm B (by a hash of the request)
    db: str = "serve.db"                  # SQLite file: forecasts, outcomes, the cache (on Modal: on the Volume)
    tokens_file: str = ""                 # bearer tokens, one per line (else env PSYCHOHISTORY_TOKENS, comma list)
    rate: float = 2.0                     # token bucket refill per bearer token, requests per second
    burst: int = 10                       # token bucket size: requests a token may make at once
    cache_ttl_s: float = 86400.0          # identical requests answered from the cache this long (0 = no cache)
    max_depth: int = 4                    # deepest tree a request may ask for
    max_breadth: int = 4                  # most children per node a request may ask for
    max_body_bytes: int = 16384           # larger request bodies are refused (413)
    timeout_s: float = 120.0              # a forecast not computed within this long is answered 504
    max_queue: int = 64                   # trees waiting for the model; beyond it requests get 429
    max_batch: int = 16                   # trees grown together in one batch
    batch_wait_ms: float = 10.0           # how long the batcher waits for more requests before it starts
    num_samples: int = 8                  # samples drawn per node; the most frequent distinct ones become children
    temperature: float = 1.0              # sampling temperature
    max_new_tokens: int = 24              # tokens per generated event
    max_chat_tokens: int = 256            # cap on one chat completion's tokens (a larger max_tokens is cut to it)
    cpu_threads: int = 1                  # torch threads without a GPU (small models lose more to thread sync than they gain; 0 = torch's default)
    seed: int = 1337                      # seeds model building and sampling
    max_seq_length: int = 512             # as for the jobs
    load_in_4bit: bool = False            # unsloth only: load the base model in 4 bit
    fast_forward: str = "auto"            # GptOss fast forward (fastpath.py): auto = on for CUDA, eager elsewhere; on | off


CONFIGS = {"sft": SFTConfig, "grpo": GRPOConfig, "eval": EvalConfig, "generate": GenerateConfig}
COMMANDS = {**CONFIGS, "serve": ServeConfig}  # jobs (a run directory each) and the forecast service


class ConfigError(ValueError):
    pass


def _coerce(name: str, value, typ):
    if isinstance(value, str) and typ is str and value[:1] in "[{":
        try:  # the extension passes arrays/objects as JSON, e.g. --target_modules=["q_proj","v_proj"]
            value = json.loads(value)
        except json.JSONDecodeError:
            return value
        if isinstance(value, dict):
            return ",".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, str) and typ is not str:
        try:
            if typ is bool:
                low = value.lower()
                if low not in ("true", "false", "1", "0", "yes", "no"):
                    raise ValueError
                return low in ("true", "1", "yes")
            return typ(value)
        except ValueError:
            raise ConfigError(f"--{name}={value!r}: expected {typ.__name__}") from None
    if typ is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if typ is str and not isinstance(value, str):
        if isinstance(value, (list, tuple)):  # a JS caller may send target_modules as an array
            return ",".join(str(v) for v in value)
        if isinstance(value, dict):  # adapters as {"sft": path}
            return ",".join(f"{k}={v}" for k, v in value.items())
        return str(value)
    if not isinstance(value, typ) or (typ is int and isinstance(value, bool)):
        raise ConfigError(f"{name}={value!r}: expected {typ.__name__}")
    return value


def make_config(kind: str, overrides: dict):
    """Build the job's config from a dict (the Modal function argument, or parsed --key=value pairs)."""
    if kind not in COMMANDS:
        raise ConfigError(f"unknown job {kind!r}; expected one of {', '.join(COMMANDS)}")
    cls = COMMANDS[kind]
    fields = {f.name: f for f in dataclasses.fields(cls)}
    aliases = {"stages_adapters": "adapters"}
    kwargs = {}
    for key, value in overrides.items():
        key = aliases.get(key.replace("-", "_"), key.replace("-", "_"))
        if key not in fields:
            raise ConfigError(
                f"unknown config key {key!r} for {kind}; known keys: {', '.join(sorted(fields))}")
        kwargs[key] = _coerce(key, value, type(fields[key].default))
    return cls(**kwargs)


def parse_args(argv: list[str]) -> dict:
    """--key=value pairs → dict of strings (typed later by make_config)."""
    out = {}
    for arg in argv:
        if not arg.startswith("--") or "=" not in arg:
            raise ConfigError(f"bad argument {arg!r}: use --key=value")
        key, value = arg[2:].split("=", 1)
        out[key] = value
    return out


def to_dict(cfg) -> dict:
    d = dataclasses.asdict(cfg)
    d.pop("dataset_text", None)  # run.json keeps the config as launched, not the whole dataset
    return d


def split_list(s: str) -> list[str]:
    return [x.strip() for x in s.split(",") if x.strip()]


def parse_adapters(s: str) -> dict:
    out = {}
    for item in split_list(s):
        if "=" not in item:
            raise ConfigError(f"adapters entry {item!r}: use stage=path, e.g. sft=runs/a/adapter")
        stage, path = item.split("=", 1)
        out[stage.strip()] = path.strip()
    return out


def dumps(cfg) -> str:
    return json.dumps(to_dict(cfg), indent=2)
