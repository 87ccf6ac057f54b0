// From what the user chose (palette prompts or CLI flags) to the job config the training command
// line and the Modal functions take: snake_case keys, only keys that job knows (the Python side
// refuses unknown keys), never secrets. Also the dataset check that gates every launch.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CaseDocument } from '../cases/caseDocument';
import type { CaseDiagnostic } from '../cases/types';
import { PIPELINE_BASE_MODEL, jobDefault } from '../contracts/jobConfig';
import type { Backend, RecordKind, RunKind, RunRecord } from '../contracts/run';
import type { RunStore } from '../runs/runStore';

export const KIND_LABELS: Record<RecordKind, string> = {
  sft: 'SFT',
  grpo: 'GRPO',
  eval: 'Evaluation',
  generate: 'Generation',
  collect: 'Collect',
};

export interface JobDefaults {
  backend: Backend;
  gpu: string;
  epochs: number;
  loraRank: number;
  baseModel: string;
}

/** What the launch form offers when a setting is unset: the job config's own defaults (schemas/job-config.schema.json). */
export const BUILTIN_DEFAULTS: JobDefaults = {
  backend: 'modal',
  gpu: String(jobDefault('sft', 'gpu')),
  epochs: Number(jobDefault('sft', 'num_epochs')),
  loraRank: Number(jobDefault('sft', 'lora_rank')),
  baseModel: PIPELINE_BASE_MODEL,
};

export interface LaunchChoices {
  kind: RunKind;
  backend: Backend;
  dataset?: string;
  baseModel?: string;
  adapter?: string;
  epochs?: number;
  loraRank?: number;
  gpu?: string;
  /** Evaluation only: the LLM judge for match coverage (`openrouter:<model>`); absent = off. */
  judge?: string;
  /** Extra `key=value` overrides (CLI `--set`). */
  extra?: Record<string, unknown>;
}

/** Training jobs take epochs and LoRA rank; eval/generate refuse them. */
export function isTraining(kind: RecordKind): kind is 'sft' | 'grpo' {
  return kind === 'sft' || kind === 'grpo';
}

/** GRPO nudges with a small adapter (its job default, rank 4); SFT uses the configured rank. */
export function defaultLoraRank(kind: RunKind, defaults: JobDefaults): number {
  return kind === 'grpo' ? Number(jobDefault('grpo', 'lora_rank')) : defaults.loraRank;
}

export function buildConfig(choices: LaunchChoices): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (choices.dataset) config['dataset'] = path.resolve(choices.dataset);
  if (choices.baseModel) config['base_model'] = choices.baseModel;
  if (choices.adapter) config['adapter'] = choices.adapter;
  if (isTraining(choices.kind)) {
    if (choices.epochs !== undefined) config['num_epochs'] = choices.epochs;
    if (choices.loraRank !== undefined) config['lora_rank'] = choices.loraRank;
  }
  if (choices.kind === 'eval' && choices.judge) config['judge'] = choices.judge;
  // The GPU is Modal's; a local run uses whatever this machine has.
  if (choices.backend === 'modal' && choices.gpu) config['gpu'] = choices.gpu;
  for (const [key, value] of Object.entries(choices.extra ?? {})) {
    if (key === 'dataset_text' || key === 'run_dir') continue;
    config[key] = value;
  }
  return config;
}

/** `key=value` → [snake_key, typed value]: numbers and booleans as such, the rest as strings. */
export function parseSetting(text: string): [string, unknown] {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new Error(`Expected key=value, got "${text}"`);
  const key = text.slice(0, eq).trim().replace(/-/g, '_');
  const raw = text.slice(eq + 1).trim();
  if (raw === 'true' || raw === 'false') return [key, raw === 'true'];
  if (raw !== '' && /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(raw)) return [key, Number(raw)];
  return [key, raw];
}

export interface DatasetCheck {
  file: string;
  cases: number;
  errors: CaseDiagnostic[];
  warnings: number;
}

/** Validate a case file with the cases core; a launch with any error is refused. */
export function checkDataset(file: string): DatasetCheck {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the dataset ${file}: ${(err as Error).message}`);
  }
  const doc = new CaseDocument(text);
  const diagnostics = doc.diagnostics();
  return {
    file,
    cases: doc.cases().length,
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

export function describeErrors(check: DatasetCheck, max = 5): string {
  const lines = check.errors.slice(0, max).map((d) => `line ${d.range.start.line + 1}: ${d.message} [${d.code}]`);
  const more = check.errors.length > max ? `\n… and ${check.errors.length - max} more` : '';
  return `${check.errors.length} error(s) in ${path.basename(check.file)}:\n${lines.join('\n')}${more}`;
}

export interface AdapterChoice {
  runId: string;
  kind: RunKind;
  path: string;
  backend: Backend;
}

/** Adapters of succeeded SFT/GRPO runs: the artifact event's path, else where each backend saves it. */
export function adapterChoices(store: RunStore, backend?: Backend): AdapterChoice[] {
  const out: AdapterChoice[] = [];
  for (const run of store.list()) {
    if (run.state !== 'succeeded' || !isTraining(run.kind)) continue;
    if (backend && run.backend !== backend) continue;
    out.push({ runId: run.id, kind: run.kind, backend: run.backend, path: adapterPathOf(store, run) });
  }
  return out;
}

function adapterPathOf(store: RunStore, run: RunRecord): string {
  const artifact = store
    .readEvents(run.id)
    .items.filter((e) => e.type === 'artifact' && /adapter|final/i.test(e.name))
    .at(-1);
  if (artifact && artifact.type === 'artifact') return artifact.path;
  if (run.backend === 'modal') return `/data/models/${run.kind}/${run.id}/final`;
  const out = run.config['output_dir'];
  return typeof out === 'string' && out ? out : path.join(store.runDir(run.id), 'adapter');
}
