// The config each job takes (`python -m psychohistory <kind> --key=value`, the Modal functions' one
// dict, `launch --set key=value`): every key with its type, default and meaning. One fact for both
// halves: exported to schemas/job-config.schema.json, which training/psychohistory/config.py's
// dataclasses are checked against (training/tests/test_job_config.py), as are the launch form, the
// CLI's flags and the contributed settings here (test/unit/jobs/jobConfig.test.ts). Unknown keys are
// refused on both sides. `baseModel` is the one model the pipeline trains: the default of the
// `psychohistory.baseModel` setting and of the Modal entry points; a bare local job command line
// defaults to the seconds-fast `tiny` stand-in instead.
import { z } from 'zod';
import type { RunKind } from './run';

/** The model the pipeline trains (GPT-OSS-20B). */
export const PIPELINE_BASE_MODEL = 'openai/gpt-oss-20b';

// One key a line: its type, default and meaning (the JSON Schema's `default` and `description`).
const str = (value: string, meaning: string) => z.string().default(value).describe(meaning);
const int = (value: number, meaning: string) => z.number().int().default(value).describe(meaning);
const num = (value: number, meaning: string) => z.number().default(value).describe(meaning);
const bool = (value: boolean, meaning: string) => z.boolean().default(value).describe(meaning);
const fastForward = (meaning: string) => z.enum(['auto', 'on', 'off']).default('auto').describe(meaning);

const common = {
  run_dir: str('', 'where run.json / metrics.jsonl / logs.txt / trees.jsonl go ("" = ./runs/<run_id>)'),
  run_id: str('', 'run id ("" = the run directory\'s name, or a fresh timestamp id)'),
  dataset: str('', 'path to a cases .jsonl (contract 1)'),
  dataset_text: str('', 'the same JSONL inline (used on Modal, where the file is not mounted)'),
  base_model: str('tiny', 'HF path/name; "smollm2-135m" (real, offline); "tiny"/"small"/"medium" (built here)'),
  adapter: str('', 'start from this LoRA adapter dir ("" = the bare base model)'),
  output_dir: str('', 'adapter/checkpoints dir ("" = <run_dir>/adapter)'),
  gpu: str('A10G', 'GPU type, for the cost event (Modal\'s GPU name; "cpu" when local on CPU)'),
  seed: int(1337, 'seeds shuffling, sampling and init'),
  eval_seed: int(90210, 'seeds evaluation only (candidate order of scored prompts, bootstrap)'),
  max_seq_length: int(512, 'longest tokenized example kept'),
  load_in_4bit: bool(false, 'unsloth only: load the base model in 4 bit'),
};

// Keys SFT and GRPO share with the same meaning (config.py writes them in both dataclasses).
const training = {
  max_steps: int(-1, 'stop after this many optimizer steps (-1 = num_epochs decides)'),
  grad_accum: int(1, 'gradient accumulation steps'),
  lora_dropout: num(0, 'LoRA dropout'),
  target_parameters: str('', 'MoE expert weights too, opt-in: "mlp.experts.gate_up_proj,mlp.experts.down_proj"'),
  modules_to_save: str('', 'also train these whole modules, e.g. "lm_head" (saved with the adapter)'),
  logging_steps: int(1, 'emit a train event every N steps'),
  time_limit_s: num(0, 'stop (and save the adapter) after this many seconds (0 = no limit)'),
  split: str('train', 'which split to train on'),
};

export const SftConfigSchema = z
  .object({
    ...common,
    ...training,
    num_epochs: num(1, 'passes over the training examples'),
    batch_size: int(8, 'examples per device step'),
    learning_rate: num(2e-4, 'peak learning rate (linear decay)'),
    warmup_ratio: num(0.03, 'share of steps spent warming up'),
    lora_rank: int(16, 'LoRA rank r'),
    lora_alpha: int(32, 'LoRA alpha (scale = alpha / r)'),
    target_modules: str('q_proj,k_proj,v_proj,o_proj', 'LoRA on these nn.Linear names ("all-linear" ok)'),
    gradient_checkpointing: bool(true, 'recompute activations in backward (the 20B memory plan assumes it)'),
    tasks: str('choice,generation,stated', 'example kinds per case level (see prompts.py); stated = phase 2'),
    stated_epochs: num(1, "phase 2: epochs on the stated forecast (targets: phase 1's letter readout)"),
    stated_tasks: str(
      'choice,stated,generation',
      "phase 2's example kinds (choice and generation keep what phase 1 taught)",
    ),
    unfamiliar_fraction: num(
      0,
      'share of groups of similar seed events whose answers SFT never trains (the stated forecast learns its readout there; GRPO practises on them)',
    ),
    grpo_holdout: bool(false, "keep the calibration slice's answers out of phase 2 too, for GRPO --cases=holdout"),
    packing: bool(
      false,
      'padding-free batches: each batch as one row with position ids (no pad tokens; same per-example loss, tests/test_sft_packing.py)',
    ),
    fast_forward: fastForward(
      "GptOss fast forward (fastpath.py) for SFT's training steps and readouts: auto = on for CUDA, eager elsewhere; on | off",
    ),
    eval_steps: int(0, 'emit eval events every N steps on the eval split (0 = only at the end)'),
    eval_max_cases: int(16, 'cases used by the interval eval'),
    save_steps: int(50, 'checkpoint every N steps (resume picks up the last one)'),
  })
  .strict();

export const GrpoConfigSchema = z
  .object({
    ...common,
    ...training,
    num_epochs: num(1, 'passes over the choice prompts'),
    batch_size: int(8, 'completions per device step (must be a multiple of num_generations)'),
    learning_rate: num(5e-5, 'peak learning rate'),
    num_generations: int(4, 'group size: completions sampled per prompt'),
    steps_per_generation: int(
      0,
      'optimizer steps per generation round (0 = one, as TRL does): more steps share one batched rollout, which is most of a step on a small model',
    ),
    beta: num(0.04, 'KL penalty towards the reference model'),
    temperature: num(1, 'sampling temperature for the group'),
    max_completion_length: int(64, 'tokens a completion may use (the final channel is forced: answer only)'),
    lora_rank: int(4, 'LoRA rank r (small: GRPO nudges, SFT teaches)'),
    lora_alpha: int(8, 'LoRA alpha'),
    target_modules: str('q_proj,k_proj,v_proj,o_proj', 'LoRA on these nn.Linear names'),
    gradient_checkpointing: bool(true, 'recompute activations in backward'),
    save_steps: int(50, 'checkpoint every N steps'),
    cases: z
      .enum(['all', 'holdout'])
      .default('all')
      .describe(
        'all | holdout: only the training cases the SFT adapter never saw answered (its calibration slice and unfamiliar groups)',
      ),
    scale_rewards: z
      .enum(['group', 'batch', 'none'])
      .default('none')
      .describe(
        "advantages divided by the reward std of each group (TRL's default), of the batch, or not at all (none: the default here, the only one that keeps the Brier reward proper)",
      ),
    fast_forward: fastForward(
      'GptOss fast forward (fastpath.py) for scoring and rollouts: auto = on for CUDA, eager elsewhere; on | off',
    ),
  })
  .strict();

export const EvalConfigSchema = z
  .object({
    ...common,
    split: str('eval', 'which split to evaluate'),
    stages: str('baseline', 'comma list of baseline,sft,grpo'),
    adapters: str('', 'comma list of stage=adapter_dir, e.g. "sft=runs/a/adapter,grpo=runs/b/adapter"'),
    max_cases: int(0, 'evaluate at most this many cases (0 = all)'),
    num_trees: int(4, 'forecast trees written to trees.jsonl (per stage)'),
    batch_size: int(16, 'prompts per forward pass'),
    max_new_tokens: int(24, 'tokens generated per prediction (match coverage)'),
    max_stated_tokens: int(64, 'tokens the stated forecast may use (the final channel is forced)'),
    bootstrap: int(1000, 'bootstrap resamples (over cases) for the 95 % intervals'),
    judge: str('', 'LLM judge for match coverage ("" = off; "openrouter:<model>" on Modal)'),
    match_embeddings: bool(true, 'semantic match by sentence embeddings too (all-MiniLM-L6-v2), else Jaccard only'),
    fast_forward: fastForward('GptOss fast forward (fastpath.py): auto = on for CUDA, eager elsewhere; on | off'),
  })
  .strict();

export const GenerateConfigSchema = z
  .object({
    ...common,
    seeds: str('', 'inline seeds "event|YYYY-MM-DD;event|date" (else the dataset\'s seeds)'),
    split: str('eval', 'dataset split whose seeds are used'),
    num_trees: int(4, 'trees to write'),
    depth: int(3, 'levels to grow below the seed'),
    num_samples: int(4, 'samples drawn per node; distinct ones become children'),
    temperature: num(1, 'sampling temperature'),
    max_new_tokens: int(24, 'tokens per generated event'),
  })
  .strict();

export const JOB_CONFIG_SCHEMAS = {
  sft: SftConfigSchema,
  grpo: GrpoConfigSchema,
  eval: EvalConfigSchema,
  generate: GenerateConfigSchema,
} as const satisfies Record<RunKind, z.ZodObject>;

export const JobConfigSchema = z
  .object({
    baseModel: z
      .literal(PIPELINE_BASE_MODEL)
      .default(PIPELINE_BASE_MODEL)
      .describe(
        'the model the pipeline trains: the default of the editor setting psychohistory.baseModel and of the Modal entry points',
      ),
    ...JOB_CONFIG_SCHEMAS,
  })
  .strict()
  .describe('Every job config by kind, with its keys, types, defaults and meanings.');

/** A job's default for a key (its zod default), e.g. jobDefault('sft', 'lora_rank') = 16. */
export function jobDefault(kind: RunKind, key: string): unknown {
  const shape: Record<string, z.ZodType> = JOB_CONFIG_SCHEMAS[kind].shape;
  const field = shape[key];
  if (!field) throw new Error(`the ${kind} job has no config key ${key}`);
  return field.parse(undefined);
}

/** The keys a job knows. */
export function jobKeys(kind: RunKind): string[] {
  return Object.keys(JOB_CONFIG_SCHEMAS[kind].shape);
}
