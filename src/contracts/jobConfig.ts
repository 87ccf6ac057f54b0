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

const common = {
  run_dir: z
    .string()
    .default('')
    .describe('where run.json / metrics.jsonl / logs.txt / trees.jsonl go ("" = ./runs/<run_id>)'),
  run_id: z.string().default('').describe('run id ("" = the run directory\'s name, or a fresh timestamp id)'),
  dataset: z.string().default('').describe('path to a cases .jsonl (contract 1)'),
  dataset_text: z.string().default('').describe('the same JSONL inline (used on Modal, where the file is not mounted)'),
  base_model: z
    .string()
    .default('tiny')
    .describe('HF path/name; "smollm2-135m" (real, offline); "tiny"/"small"/"medium" (built here)'),
  adapter: z.string().default('').describe('start from this LoRA adapter dir ("" = the bare base model)'),
  output_dir: z.string().default('').describe('adapter/checkpoints dir ("" = <run_dir>/adapter)'),
  gpu: z.string().default('A10G').describe('GPU type, for the cost event (Modal\'s GPU name; "cpu" when local on CPU)'),
  seed: z.number().int().default(1337).describe('seeds shuffling, sampling and init'),
  eval_seed: z
    .number()
    .int()
    .default(90210)
    .describe('seeds evaluation only (candidate order of scored prompts, bootstrap)'),
  max_seq_length: z.number().int().default(512).describe('longest tokenized example kept'),
  load_in_4bit: z.boolean().default(false).describe('unsloth only: load the base model in 4 bit'),
};

// Keys SFT and GRPO share with the same meaning (config.py writes them in both dataclasses).
const training = {
  max_steps: z.number().int().default(-1).describe('stop after this many optimizer steps (-1 = num_epochs decides)'),
  grad_accum: z.number().int().default(1).describe('gradient accumulation steps'),
  lora_dropout: z.number().default(0).describe('LoRA dropout'),
  target_parameters: z
    .string()
    .default('')
    .describe('MoE expert weights too, opt-in: "mlp.experts.gate_up_proj,mlp.experts.down_proj"'),
  modules_to_save: z
    .string()
    .default('')
    .describe('also train these whole modules, e.g. "lm_head" (saved with the adapter)'),
  logging_steps: z.number().int().default(1).describe('emit a train event every N steps'),
  time_limit_s: z.number().default(0).describe('stop (and save the adapter) after this many seconds (0 = no limit)'),
  split: z.string().default('train').describe('which split to train on'),
};

export const SftConfigSchema = z
  .object({
    ...common,
    ...training,
    num_epochs: z.number().default(1).describe('passes over the training examples'),
    batch_size: z.number().int().default(8).describe('examples per device step'),
    learning_rate: z.number().default(2e-4).describe('peak learning rate (linear decay)'),
    warmup_ratio: z.number().default(0.03).describe('share of steps spent warming up'),
    lora_rank: z.number().int().default(16).describe('LoRA rank r'),
    lora_alpha: z.number().int().default(32).describe('LoRA alpha (scale = alpha / r)'),
    target_modules: z
      .string()
      .default('q_proj,k_proj,v_proj,o_proj')
      .describe('LoRA on these nn.Linear names ("all-linear" ok)'),
    gradient_checkpointing: z
      .boolean()
      .default(true)
      .describe('recompute activations in backward (the 20B memory plan assumes it)'),
    tasks: z
      .string()
      .default('choice,generation,stated')
      .describe('example kinds per case level (see prompts.py); stated = phase 2'),
    stated_epochs: z
      .number()
      .default(1)
      .describe("phase 2: epochs on the stated forecast (targets: phase 1's letter readout)"),
    stated_tasks: z
      .string()
      .default('choice,stated,generation')
      .describe("phase 2's example kinds (choice and generation keep what phase 1 taught)"),
    unfamiliar_fraction: z
      .number()
      .default(0)
      .describe(
        'share of groups of similar seed events whose answers SFT never trains (the stated forecast learns its readout there; GRPO practises on them)',
      ),
    grpo_holdout: z
      .boolean()
      .default(false)
      .describe("keep the calibration slice's answers out of phase 2 too, for GRPO --cases=holdout"),
    packing: z
      .boolean()
      .default(false)
      .describe(
        'padding-free batches: each batch as one row with position ids (no pad tokens; same per-example loss, tests/test_sft_packing.py)',
      ),
    fast_forward: z
      .enum(['auto', 'on', 'off'])
      .default('auto')
      .describe(
        "GptOss fast forward (fastpath.py) for SFT's training steps and readouts: auto = on for CUDA, eager elsewhere; on | off",
      ),
    eval_steps: z
      .number()
      .int()
      .default(0)
      .describe('emit eval events every N steps on the eval split (0 = only at the end)'),
    eval_max_cases: z.number().int().default(16).describe('cases used by the interval eval'),
    save_steps: z.number().int().default(50).describe('checkpoint every N steps (resume picks up the last one)'),
  })
  .strict();

export const GrpoConfigSchema = z
  .object({
    ...common,
    ...training,
    num_epochs: z.number().default(1).describe('passes over the choice prompts'),
    batch_size: z
      .number()
      .int()
      .default(8)
      .describe('completions per device step (must be a multiple of num_generations)'),
    learning_rate: z.number().default(5e-5).describe('peak learning rate'),
    num_generations: z.number().int().default(4).describe('group size: completions sampled per prompt'),
    beta: z.number().default(0.04).describe('KL penalty towards the reference model'),
    temperature: z.number().default(1).describe('sampling temperature for the group'),
    max_completion_length: z
      .number()
      .int()
      .default(64)
      .describe('tokens a completion may use (the final channel is forced: answer only)'),
    lora_rank: z.number().int().default(4).describe('LoRA rank r (small: GRPO nudges, SFT teaches)'),
    lora_alpha: z.number().int().default(8).describe('LoRA alpha'),
    target_modules: z.string().default('q_proj,k_proj,v_proj,o_proj').describe('LoRA on these nn.Linear names'),
    gradient_checkpointing: z.boolean().default(true).describe('recompute activations in backward'),
    save_steps: z.number().int().default(50).describe('checkpoint every N steps'),
    cases: z
      .enum(['all', 'holdout'])
      .default('all')
      .describe(
        'all | holdout: only the training cases the SFT adapter never saw answered (its calibration slice and unfamiliar groups)',
      ),
    scale_rewards: z
      .enum(['group', 'batch', 'none'])
      .default('group')
      .describe(
        "advantages divided by the reward std of each group (TRL's default), of the batch, or not at all (none: a group that barely differs is not blown up)",
      ),
    fast_forward: z
      .enum(['auto', 'on', 'off'])
      .default('auto')
      .describe(
        'GptOss fast forward (fastpath.py) for scoring and rollouts: auto = on for CUDA, eager elsewhere; on | off',
      ),
  })
  .strict();

export const EvalConfigSchema = z
  .object({
    ...common,
    split: z.string().default('eval').describe('which split to evaluate'),
    stages: z.string().default('baseline').describe('comma list of baseline,sft,grpo'),
    adapters: z
      .string()
      .default('')
      .describe('comma list of stage=adapter_dir, e.g. "sft=runs/a/adapter,grpo=runs/b/adapter"'),
    max_cases: z.number().int().default(0).describe('evaluate at most this many cases (0 = all)'),
    num_trees: z.number().int().default(4).describe('forecast trees written to trees.jsonl (per stage)'),
    batch_size: z.number().int().default(16).describe('prompts per forward pass'),
    max_new_tokens: z.number().int().default(24).describe('tokens generated per prediction (match coverage)'),
    max_stated_tokens: z
      .number()
      .int()
      .default(64)
      .describe('tokens the stated forecast may use (the final channel is forced)'),
    bootstrap: z.number().int().default(1000).describe('bootstrap resamples (over cases) for the 95 % intervals'),
    judge: z.string().default('').describe('LLM judge for match coverage ("" = off; "openrouter:<model>" on Modal)'),
    match_embeddings: z
      .boolean()
      .default(true)
      .describe('semantic match by sentence embeddings too (all-MiniLM-L6-v2), else Jaccard only'),
    fast_forward: z
      .enum(['auto', 'on', 'off'])
      .default('auto')
      .describe('GptOss fast forward (fastpath.py): auto = on for CUDA, eager elsewhere; on | off'),
  })
  .strict();

export const GenerateConfigSchema = z
  .object({
    ...common,
    seeds: z.string().default('').describe('inline seeds "event|YYYY-MM-DD;event|date" (else the dataset\'s seeds)'),
    split: z.string().default('eval').describe('dataset split whose seeds are used'),
    num_trees: z.number().int().default(4).describe('trees to write'),
    depth: z.number().int().default(3).describe('levels to grow below the seed'),
    num_samples: z.number().int().default(4).describe('samples drawn per node; distinct ones become children'),
    temperature: z.number().default(1).describe('sampling temperature'),
    max_new_tokens: z.number().int().default(24).describe('tokens per generated event'),
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
