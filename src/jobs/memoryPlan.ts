// The memory plan: from a recipe (model shape, bf16 or 4-bit loading, LoRA targets and rank, batch, sequence
// length, gradient checkpointing) to the estimated peak GPU memory, with a breakdown, and a verdict for a Modal GPU:
// fits, tight (over 90 % of it) or no-fit, naming the cause and the fixes. Launch (editor and CLI) refuses a Modal run
// that cannot fit and warns when it is tight. The same arithmetic runs in training/psychohistory/memplan.py on the
// same facts (schemas/memory-plan.json); both test suites check the vectors there. Pure: no `vscode`.
import facts from '../../schemas/memory-plan.json';
import prices from '../../schemas/gpu-prices.json';
import type { Backend, RunKind } from '../contracts/run';
import { JOB_CONFIG_SCHEMAS, PIPELINE_BASE_MODEL } from '../contracts/jobConfig';

export interface ModelShape {
  label: string;
  /** "gpt-oss": MoE with experts as 3-D parameters; "llama": dense. */
  arch: string;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediateSize: number;
  /** 0 = dense MLP. */
  experts: number;
  expertsPerToken: number;
  vocabSize: number;
  tiedEmbeddings: boolean;
  attentionBias: boolean;
}

interface GpuFact {
  nominalGB: number;
  gib: number;
  aliases: string[];
}

interface Constants {
  bytesPerParam: { bf16: number; '4bit': number };
  trainableBytesPerParam: number;
  activationBytesPerToken: { hidden: number; attention: number; kv: number; mlp: number };
  attentionScoreCopies: number;
  checkpointBytesPerTokenHidden: number;
  logitsBytesPerTokenTrain: number;
  logitsBytesPerSequenceInfer: number;
  expertDeltaCopies: number;
  cudaContextGiB: number;
  fragmentation: number;
  tightFraction: number;
}

export type Verdict = 'fits' | 'tight' | 'no-fit' | 'unknown';

export interface PlanVector {
  name: string;
  gpu: string;
  kind: RunKind;
  config: Record<string, unknown>;
  expected: {
    verdict: Verdict;
    trainableParams?: number;
    params?: number;
    allocatedGiB?: number;
    totalGiB?: number;
    peakPhase?: string;
    breakdown?: Record<string, number>;
    fixes?: string[];
    message?: string;
  };
}

interface MemoryFacts {
  models: Record<string, ModelShape & { aliases: string[] }>;
  gpus: Record<string, GpuFact>;
  constants: Constants;
  vectors: PlanVector[];
}

export const MEMORY_FACTS = facts as unknown as MemoryFacts;
const C = MEMORY_FACTS.constants;
const GIB = 2 ** 30;
const ATTENTION_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];
const DENSE_MLP_MODULES = ['gate_proj', 'up_proj', 'down_proj'];
const PRICES: Record<string, number> = prices.usdPerSecond;

export interface Recipe {
  /** A name the plan knows (preset key, HF name, or a path ending in one), or an explicit shape. */
  model: string | ModelShape;
  loading: 'bf16' | '4bit';
  targetModules: string;
  targetParameters: string;
  modulesToSave: string;
  loraRank: number;
  batchSize: number;
  /** Tokens per sequence (GRPO: prompt + completion). */
  maxSeqLength: number;
  gradientCheckpointing: boolean;
  /** "train" (an SFT/GRPO step) or "infer" (evaluation, generation). */
  mode: 'train' | 'infer';
}

export interface MemoryPlan {
  model: string;
  label: string;
  trainableParams: number;
  params: number;
  /** GiB at the peak moment; they add up to totalGiB. */
  breakdown: {
    weights: number;
    lora: number;
    activations: number;
    logits: number;
    expertDeltas: number;
    overhead: number;
  };
  /** "logits" (end of forward), "layers" (a layer's backward) or "forward" (inference). */
  peakPhase: string;
  /** What torch.cuda.max_memory_allocated would show. */
  allocatedGiB: number;
  /** Plus CUDA context and fragmentation: what must fit on the card. */
  totalGiB: number;
}

export interface Fix {
  gpu?: string;
  set?: Record<string, unknown>;
  label?: string;
  gib: number;
}

export interface MemoryCheck {
  verdict: Verdict;
  gib?: number;
  gpu?: string;
  message: string;
  fixes: Fix[];
  plan?: MemoryPlan;
}

const split = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const lastPart = (s: string): string => s.slice(s.lastIndexOf('/') + 1);
const round3 = (bytes: number): number => Math.round((bytes / GIB) * 1000) / 1000;

/** Known shape for a model name: the plan's key, an alias (HF name), or a path whose last part is an alias's. */
export function resolveModel(name: string): { key: string; shape: ModelShape } | undefined {
  const want = name.trim().toLowerCase().replace(/\/+$/, '');
  const tail = lastPart(want);
  for (const [key, m] of Object.entries(MEMORY_FACTS.models)) {
    const aliases = m.aliases.map((a) => a.toLowerCase());
    if (want === key || aliases.includes(want) || aliases.some((a) => lastPart(a) === tail)) return { key, shape: m };
  }
  return undefined;
}

function linearDims(s: ModelShape): Record<string, [number, number]> {
  const q = s.heads * s.headDim;
  const kv = s.kvHeads * s.headDim;
  const dims: Record<string, [number, number]> = {
    q_proj: [s.hiddenSize, q],
    k_proj: [s.hiddenSize, kv],
    v_proj: [s.hiddenSize, kv],
    o_proj: [q, s.hiddenSize],
  };
  if (!s.experts) {
    dims['gate_proj'] = [s.hiddenSize, s.intermediateSize];
    dims['up_proj'] = [s.hiddenSize, s.intermediateSize];
    dims['down_proj'] = [s.intermediateSize, s.hiddenSize];
  }
  return dims;
}

/** (in, out) per expert of the 3-D expert parameters: gate_up_proj [E, H, 2I], down_proj [E, I, H]. */
function expertDims(s: ModelShape): Record<string, [number, number]> {
  if (!s.experts) return {};
  return { gate_up_proj: [s.hiddenSize, 2 * s.intermediateSize], down_proj: [s.intermediateSize, s.hiddenSize] };
}

/** Total parameters, those 4-bit loading quantises (linear weights inside the layers), and the active ones. */
export function paramCounts(s: ModelShape): { total: number; quantizable: number; active: number } {
  const H = s.hiddenSize;
  const L = s.layers;
  const lin = linearDims(s);
  const attnW = ATTENTION_MODULES.reduce((n, k) => n + lin[k]![0] * lin[k]![1], 0);
  const attnB = s.attentionBias ? s.heads * s.headDim + 2 * s.kvHeads * s.headDim + H : 0;
  const sinks = s.arch === 'gpt-oss' ? s.heads : 0;
  let mlpW: number;
  let mlpOther = 0;
  if (s.experts) {
    mlpW = Object.values(expertDims(s)).reduce((n, [i, o]) => n + s.experts * i * o, 0);
    mlpOther = s.experts * (2 * s.intermediateSize + H) + s.experts * (H + 1); // expert biases + router
  } else {
    mlpW = DENSE_MLP_MODULES.reduce((n, k) => n + lin[k]![0] * lin[k]![1], 0);
  }
  const perLayer = attnW + attnB + sinks + mlpW + mlpOther + 2 * H;
  const embed = s.vocabSize * H * (s.tiedEmbeddings ? 1 : 2);
  const total = L * perLayer + embed + H;
  let active = total;
  if (s.experts) {
    // As OpenAI counts it: the active experts only, and without the input embedding.
    const expertsAll = mlpW + s.experts * (2 * s.intermediateSize + H);
    active = total - Math.floor((L * expertsAll * (s.experts - s.expertsPerToken)) / s.experts) - s.vocabSize * H;
  }
  return { total, quantizable: L * (attnW + mlpW), active };
}

/**
 * Trainable parameters peft creates. A Linear in→out gets r·(in + out). A 3-D expert parameter [E, in, out] gets one
 * rank-r pair per expert: peft's ParamWrapper makes lora_A in→r·E and lora_B r·E→out, r·E·(in + out).
 */
export function loraParams(
  s: ModelShape,
  targetModules: string,
  targetParameters: string,
  rank: number,
  modulesToSave = '',
): { modules: number; experts: number; saved: number; total: number } {
  const lin = linearDims(s);
  const tm = targetModules.trim();
  const names = tm === 'all-linear' ? Object.keys(lin) : split(tm).filter((n) => n in lin);
  const modules = s.layers * names.reduce((n, k) => n + rank * (lin[k]![0] + lin[k]![1]), 0);
  let experts = 0;
  const ed = expertDims(s);
  for (const p of split(targetParameters)) {
    const dims = ed[lastPart(p.replace(/\./g, '/'))];
    if (dims) experts += s.layers * rank * s.experts * (dims[0] + dims[1]);
  }
  const saved =
    split(modulesToSave).filter((m) => m === 'lm_head' || m === 'embed_tokens').length * s.vocabSize * s.hiddenSize;
  return { modules, experts, saved, total: modules + experts + saved };
}

function shapeOf(recipe: Recipe): { key: string; shape: ModelShape } | undefined {
  return typeof recipe.model === 'string' ? resolveModel(recipe.model) : { key: 'custom', shape: recipe.model };
}

/** The estimated peak for `recipe`, or undefined for a model the plan does not know. */
export function planMemory(recipe: Recipe): MemoryPlan | undefined {
  const found = shapeOf(recipe);
  if (!found) return undefined;
  const s = found.shape;
  const counts = paramCounts(s);
  const bf16 = C.bytesPerParam.bf16;
  const weights =
    recipe.loading !== '4bit'
      ? counts.total * bf16
      : (counts.total - counts.quantizable) * bf16 + counts.quantizable * C.bytesPerParam['4bit'];

  const train = recipe.mode === 'train';
  const lora = train
    ? loraParams(s, recipe.targetModules, recipe.targetParameters, recipe.loraRank, recipe.modulesToSave)
    : { total: 0, experts: 0 };
  const loraBytes = lora.total * C.trainableBytesPerParam;

  const B = recipe.batchSize;
  const T = recipe.maxSeqLength;
  const N = B * T;
  const a = C.activationBytesPerToken;
  const mlp = s.experts ? s.expertsPerToken * s.intermediateSize : s.intermediateSize;
  const perToken =
    a.hidden * s.hiddenSize + a.attention * s.heads * s.headDim + a.kv * s.kvHeads * s.headDim + a.mlp * mlp;
  const layer = bf16 * N * perToken + C.attentionScoreCopies * bf16 * B * s.heads * T * T;
  const ckpt = C.checkpointBytesPerTokenHidden * N * s.hiddenSize * s.layers;

  let expertBytes = 0;
  if (lora.experts) {
    const targeted = split(recipe.targetParameters).map((p) => lastPart(p.replace(/\./g, '/')));
    const ed = expertDims(s);
    const elements = Object.entries(ed).reduce(
      (n, [k, [i, o]]) => n + (targeted.includes(k) ? s.experts * i * o : 0),
      0,
    );
    expertBytes = C.expertDeltaCopies * elements * bf16;
  }

  let phase: string;
  let acts: number;
  let logitPart: number;
  let expertPart = 0;
  if (train) {
    const logits = C.logitsBytesPerTokenTrain * N * s.vocabSize;
    const saved = recipe.gradientCheckpointing ? ckpt : s.layers * layer;
    const working = recipe.gradientCheckpointing ? layer : 0;
    if (logits >= working + expertBytes) {
      [phase, acts, logitPart] = ['logits', saved, logits];
    } else {
      [phase, acts, logitPart, expertPart] = ['layers', saved + working, 0, expertBytes];
    }
  } else {
    // One layer live at a time and the KV cache; logits of the last position only (logits_to_keep, generate).
    const kvCache = 2 * bf16 * s.layers * N * s.kvHeads * s.headDim;
    [phase, acts, logitPart] = ['forward', layer + kvCache, C.logitsBytesPerSequenceInfer * B * s.vocabSize];
  }
  const allocated = weights + loraBytes + acts + logitPart + expertPart;
  const overhead = C.cudaContextGiB * GIB + C.fragmentation * allocated;
  return {
    model: found.key,
    label: s.label,
    trainableParams: lora.total,
    params: counts.total,
    breakdown: {
      weights: round3(weights),
      lora: round3(loraBytes),
      activations: round3(acts),
      logits: round3(logitPart),
      expertDeltas: round3(expertPart),
      overhead: round3(overhead),
    },
    peakPhase: phase,
    allocatedGiB: round3(allocated),
    totalGiB: round3(allocated + overhead),
  };
}

/** Modal's GPU name (case-insensitive; "H100:2" and "H100!" count as one H100) → its facts. */
export function gpuInfo(gpu: string): { name: string; fact: GpuFact } | undefined {
  const want = (gpu.split(':', 1)[0] ?? '').replace(/!$/, '').trim().toUpperCase();
  for (const [name, fact] of Object.entries(MEMORY_FACTS.gpus)) {
    if (want === name.toUpperCase() || fact.aliases.some((a) => a.toUpperCase() === want)) return { name, fact };
  }
  return undefined;
}

/** GPU names, smallest memory first, then cheapest. */
export function gpusBySize(): string[] {
  return Object.keys(MEMORY_FACTS.gpus).sort(
    (x, y) => MEMORY_FACTS.gpus[x]!.gib - MEMORY_FACTS.gpus[y]!.gib || (PRICES[x] ?? 0) - (PRICES[y] ?? 0),
  );
}

export function verdictOf(gib: number, gpuGib: number): Verdict {
  if (gib > gpuGib) return 'no-fit';
  return gib > C.tightFraction * gpuGib ? 'tight' : 'fits';
}

/** "GPT-OSS-20B (bf16) with expert LoRA r=64, batch 4 × 512 tokens": the recipe in the words of the message. */
export function describeRecipe(recipe: Recipe, plan: MemoryPlan): string {
  if (recipe.mode !== 'train')
    return `${plan.label} (${recipe.loading}), batch ${recipe.batchSize} × ${recipe.maxSeqLength} tokens`;
  const s = shapeOf(recipe)!.shape;
  const lp = loraParams(s, recipe.targetModules, recipe.targetParameters, recipe.loraRank, recipe.modulesToSave);
  const tm = split(recipe.targetModules);
  const where = lp.experts
    ? 'expert LoRA'
    : recipe.targetModules.trim() !== 'all-linear' && tm.every((m) => ATTENTION_MODULES.includes(m))
      ? 'attention-only LoRA'
      : `LoRA on ${recipe.targetModules}`;
  const gc = recipe.gradientCheckpointing ? '' : ', no gradient checkpointing';
  return `${plan.label} (${recipe.loading}) with ${where} r=${recipe.loraRank}, batch ${recipe.batchSize} × ${recipe.maxSeqLength} tokens${gc}`;
}

function applyChange(recipe: Recipe, change: Record<string, unknown>): Recipe {
  const r = { ...recipe };
  if ('target_parameters' in change) r.targetParameters = String(change['target_parameters']);
  if ('gradient_checkpointing' in change) r.gradientCheckpointing = change['gradient_checkpointing'] === true;
  if (change['load_in_4bit'] === true) r.loading = '4bit';
  return r;
}

const fitsOn = (recipe: Recipe, cap: number): boolean => verdictOf(planMemory(recipe)!.totalGiB, cap) === 'fits';

/** The largest of batch/2, batch/4, … ≥ 1 with which `recipe` fits `cap` GiB. */
function largestBatch(recipe: Recipe, cap: number): number | undefined {
  for (let b = Math.floor(recipe.batchSize / 2); b >= 1; b = Math.floor(b / 2))
    if (fitsOn({ ...recipe, batchSize: b }, cap)) return b;
  return undefined;
}

/**
 * What makes `recipe` fit: GPUs where it fits unchanged (two at most, cheapest first), then single config changes
 * that fit on `gpu`; when none does alone, the switches together (and a smaller batch if that is still needed).
 */
export function fixesFor(recipe: Recipe, gpu: string): Fix[] {
  const base = planMemory(recipe);
  if (!base) return [];
  const out: Fix[] = gpusBySize()
    .filter((n) => verdictOf(base.totalGiB, MEMORY_FACTS.gpus[n]!.gib) === 'fits')
    .sort((x, y) => (PRICES[x] ?? 0) - (PRICES[y] ?? 0))
    .slice(0, 2)
    .map((n) => ({ gpu: n, gib: base.totalGiB }));
  const here = gpuInfo(gpu);
  if (!here) return out;
  const cap = here.fact.gib;
  const gibOf = (r: Recipe): number => planMemory(r)!.totalGiB;
  const switches: [Record<string, unknown>, string][] = [];
  const s = shapeOf(recipe)!.shape;
  if (
    recipe.mode === 'train' &&
    loraParams(s, recipe.targetModules, recipe.targetParameters, recipe.loraRank).experts
  ) {
    switches.push([{ target_parameters: '' }, 'attention-only LoRA (target_parameters="")']);
  }
  if (recipe.mode === 'train' && !recipe.gradientCheckpointing)
    switches.push([{ gradient_checkpointing: true }, 'gradient_checkpointing=true']);
  if (recipe.loading !== '4bit') switches.push([{ load_in_4bit: true }, 'load_in_4bit=true (unsloth)']);
  const alone: Fix[] = [];
  for (const [change, label] of switches) {
    const r = applyChange(recipe, change);
    if (fitsOn(r, cap)) alone.push({ set: change, label, gib: gibOf(r) });
  }
  const b = largestBatch(recipe, cap);
  if (b !== undefined)
    alone.push({ set: { batch_size: b }, label: `batch_size=${b}`, gib: gibOf({ ...recipe, batchSize: b }) });
  if (alone.length) return [...out, ...alone];
  let together = recipe;
  const merged: Record<string, unknown> = {};
  const labels: string[] = [];
  for (const [change, label] of switches) {
    together = applyChange(together, change);
    Object.assign(merged, change);
    labels.push(label);
    if (fitsOn(together, cap))
      return [...out, { set: { ...merged }, label: labels.join(' and '), gib: gibOf(together) }];
  }
  const b2 = largestBatch(together, cap);
  if (b2 !== undefined) {
    together = { ...together, batchSize: b2 };
    return [
      ...out,
      {
        set: { ...merged, batch_size: b2 },
        label: [...labels, `batch_size=${b2}`].join(' and '),
        gib: gibOf(together),
      },
    ];
  }
  return out;
}

/** A fix as the vectors and messages name it: "gpu:H100" or its label. */
export function fixName(f: Fix): string {
  return f.gpu ? `gpu:${f.gpu}` : (f.label ?? '');
}

const gib1 = (x: number): string => x.toFixed(1);

export function messageFor(recipe: Recipe, plan: MemoryPlan, gpu: string, verdict: Verdict, fixes: Fix[]): string {
  const { name, fact } = gpuInfo(gpu)!;
  const what = `${describeRecipe(recipe, plan)} needs ~${gib1(plan.totalGiB)} GiB`;
  const card = `${name} has ${gib1(fact.gib)} GiB (${fact.nominalGB} GB)`;
  if (verdict === 'fits') return `${what}; ${card}: fits.`;
  const gpus = fixes.filter((f) => f.gpu).map((f) => f.gpu);
  const options = [
    ...(gpus.length ? [`pick ${gpus.join(' or ')}`] : []),
    ...fixes.filter((f) => f.set).map((f) => `${f.label} (~${gib1(f.gib)} GiB)`),
  ];
  const fix = options.length ? ` Fix: ${options.join(', or ')}.` : ' No GPU on Modal holds it; shrink the recipe.';
  if (verdict === 'tight')
    return `${what}; ${card}: tight (over ${Math.round(C.tightFraction * 100)} %), it may run out of memory.${fix}`;
  return `${what}; ${card}: does not fit.${fix}`;
}

/** Verdict, estimate and message for `recipe` on `gpu`. "unknown" (a model or GPU the plan does not know) never refuses. */
export function checkRecipe(recipe: Recipe, gpu: string): MemoryCheck {
  const plan = planMemory(recipe);
  if (!plan)
    return {
      verdict: 'unknown',
      message: `no memory plan for base model ${JSON.stringify(recipe.model)}; launching without a memory check`,
      fixes: [],
    };
  const g = gpuInfo(gpu);
  if (!g)
    return {
      verdict: 'unknown',
      gib: plan.totalGiB,
      plan,
      message: `${describeRecipe(recipe, plan)} needs ~${gib1(plan.totalGiB)} GiB; GPU ${JSON.stringify(gpu)} is not in the plan's table, so it is not checked`,
      fixes: [],
    };
  const verdict = verdictOf(plan.totalGiB, g.fact.gib);
  const fixes = verdict === 'fits' ? [] : fixesFor(recipe, gpu);
  return {
    verdict,
    gib: plan.totalGiB,
    gpu: g.name,
    plan,
    fixes,
    message: messageFor(recipe, plan, gpu, verdict, fixes),
  };
}

const asBool = (x: unknown): boolean =>
  x === true || x === 1 || (typeof x === 'string' && ['true', '1', 'yes'].includes(x.toLowerCase()));

/**
 * A launch config (snake_case keys, as the jobs take it) → Recipe. Keys it leaves out take the job's defaults; on
 * Modal a missing base model is the app's default (the real GPT-OSS-20B).
 */
export function recipeOf(kind: RunKind, config: Record<string, unknown>, backend: Backend = 'modal'): Recipe {
  const v: Record<string, unknown> = {
    ...JOB_CONFIG_SCHEMAS[kind].parse({}),
    ...(backend === 'modal' ? { base_model: PIPELINE_BASE_MODEL } : {}),
  };
  for (const [k, val] of Object.entries(config)) if (val !== undefined && val !== null) v[k] = val;
  const seq = Number(v['max_seq_length']) + (kind === 'grpo' ? Number(v['max_completion_length'] ?? 0) : 0);
  return {
    model: typeof v['base_model'] === 'object' ? (v['base_model'] as ModelShape) : String(v['base_model']),
    loading: asBool(v['load_in_4bit']) ? '4bit' : 'bf16',
    targetModules: String(v['target_modules'] ?? ''),
    targetParameters: String(v['target_parameters'] ?? ''),
    modulesToSave: String(v['modules_to_save'] ?? ''),
    loraRank: Number(v['lora_rank'] ?? 0),
    batchSize: Number(v['batch_size'] ?? v['num_samples'] ?? 4),
    maxSeqLength: seq,
    gradientCheckpointing: asBool(v['gradient_checkpointing']),
    mode: kind === 'sft' || kind === 'grpo' ? 'train' : 'infer',
  };
}

/** The memory check of a Modal launch (undefined for a local one: that machine's memory is not in the table). */
export function checkLaunch(kind: RunKind, backend: Backend, config: Record<string, unknown>): MemoryCheck | undefined {
  if (backend !== 'modal') return undefined;
  return checkRecipe(recipeOf(kind, config, backend), String(config['gpu'] ?? ''));
}

/** The cheapest Modal GPU the launch fits (verdict "fits"); undefined when the plan does not know the model or none holds it. */
export function recommendGpu(kind: RunKind, config: Record<string, unknown>): string | undefined {
  const plan = planMemory(recipeOf(kind, config, 'modal'));
  if (!plan) return undefined;
  return gpusBySize()
    .filter((n) => verdictOf(plan.totalGiB, MEMORY_FACTS.gpus[n]!.gib) === 'fits')
    .sort((x, y) => (PRICES[x] ?? 0) - (PRICES[y] ?? 0))[0];
}
