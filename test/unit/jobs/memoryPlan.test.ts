// The memory plan (src/jobs/memoryPlan.ts): the shared vectors of schemas/memory-plan.json, which the Python suite
// (training/tests/test_memplan.py) checks too, parameter counts pinned by hand, and the launch that refuses a Modal
// run that cannot fit its GPU, warns when it is tight and picks a GPU that fits when none is given.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MEMORY_FACTS,
  checkLaunch,
  checkRecipe,
  fixName,
  gpuInfo,
  loraParams,
  paramCounts,
  planMemory,
  recipeOf,
  recommendGpu,
  resolveModel,
} from '../../../src/jobs/memoryPlan';
import type { Recipe } from '../../../src/jobs/memoryPlan';
import { PIPELINE_BASE_MODEL } from '../../../src/contracts/jobConfig';
import { RunStore, runsRootOf } from '../../../src/runs/runStore';
import { caseWorkspace, launchArgs, runCliIn as cli, useModalStandIn } from './harness';

const EXPERTS = 'mlp.experts.gate_up_proj,mlp.experts.down_proj';
const ATTENTION = 'q_proj,k_proj,v_proj,o_proj';

function aRecipe(overrides: Partial<Recipe> = {}): Recipe {
  return {
    model: 'openai/gpt-oss-20b',
    loading: 'bf16',
    targetModules: ATTENTION,
    targetParameters: '',
    modulesToSave: '',
    loraRank: 16,
    batchSize: 4,
    maxSeqLength: 512,
    gradientCheckpointing: true,
    mode: 'train',
    ...overrides,
  };
}

describe('memory plan: shared vectors (schemas/memory-plan.json)', () => {
  it.each(MEMORY_FACTS.vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const recipe = recipeOf(v.kind, v.config, 'local');
    const check = checkRecipe(recipe, v.gpu);
    expect(check.verdict).toBe(v.expected.verdict);
    if (v.expected.trainableParams === undefined) return;
    const plan = planMemory(recipe)!;
    expect(plan.trainableParams).toBe(v.expected.trainableParams);
    expect(plan.params).toBe(v.expected.params);
    expect(plan.peakPhase).toBe(v.expected.peakPhase);
    expect(plan.allocatedGiB).toBeCloseTo(v.expected.allocatedGiB!, 2);
    expect(plan.totalGiB).toBeCloseTo(v.expected.totalGiB!, 2);
    for (const [k, gib] of Object.entries(v.expected.breakdown!))
      expect(plan.breakdown[k as keyof typeof plan.breakdown]).toBeCloseTo(gib, 2);
    expect(check.fixes.map(fixName)).toEqual(v.expected.fixes);
    expect(check.message).toBe(v.expected.message);
  });

  it('covers every verdict', () => {
    expect(new Set(MEMORY_FACTS.vectors.map((v) => v.expected.verdict))).toEqual(
      new Set(['fits', 'tight', 'no-fit', 'unknown']),
    );
  });
});

describe('memory plan: arithmetic', () => {
  const s = resolveModel('openai/gpt-oss-20b')!.shape;

  it('counts GPT-OSS-20B as published: 20.9 B parameters, 3.6 B active', () => {
    const c = paramCounts(s);
    expect(c.total).toBe(20_914_757_184);
    expect(c.active).toBeGreaterThan(3.6e9);
    expect(c.active).toBeLessThan(3.62e9);
  });

  it('counts LoRA as peft does: 31.8 M on attention at r=64, 708 M more with a rank-r pair per expert', () => {
    expect(loraParams(s, ATTENTION, '', 64).total).toBe(31_850_496);
    expect(loraParams(s, ATTENTION, '', 8).total).toBe(3_981_312);
    const e = loraParams(s, ATTENTION, EXPERTS, 64);
    expect([e.experts, e.total]).toEqual([707_788_800, 739_639_296]);
    expect(loraParams(resolveModel('smollm2-135m')!.shape, ATTENTION, EXPERTS, 8).experts).toBe(0);
  });

  it('resolves model and GPU names', () => {
    expect(resolveModel('unsloth/gpt-oss-20b')?.key).toBe('gpt-oss-20b');
    expect(resolveModel('/data/models/gpt-oss-20b/')?.key).toBe('gpt-oss-20b');
    expect(resolveModel('HuggingFaceTB/SmolLM2-135M-Instruct')?.key).toBe('smollm2-135m');
    expect(resolveModel('someone/other')).toBeUndefined();
    expect(resolveModel('someone/small')).toBeUndefined(); // not the local "small" preset
    expect(resolveModel('/cache/models/smollm2-135m')?.key).toBe('smollm2-135m');
    expect(gpuInfo('h100:2')?.name).toBe('H100');
    expect(gpuInfo('A100')?.name).toBe('A100-40GB');
    expect(gpuInfo('cpu')).toBeUndefined();
  });

  it('expert LoRA at r=64 costs ~11 GiB of optimizer state and the expert deltas; checkpointing keeps one layer', () => {
    const att = planMemory(aRecipe({ loraRank: 64 }))!;
    const exp = planMemory(aRecipe({ loraRank: 64, targetParameters: EXPERTS }))!;
    expect(exp.breakdown.lora - att.breakdown.lora).toBeGreaterThan(10);
    expect(exp.breakdown.expertDeltas).toBeGreaterThan(4);
    const noCheckpoints = planMemory(aRecipe({ gradientCheckpointing: false }))!;
    expect(noCheckpoints.breakdown.activations).toBeGreaterThan(10 * att.breakdown.activations);
  });

  it('the no-fit message names the cause and the fixes; unknown models and GPUs are not refused', () => {
    const c = checkRecipe(aRecipe({ loraRank: 64, targetParameters: EXPERTS }), 'A10G');
    expect(c.verdict).toBe('no-fit');
    expect(c.message).toMatch(
      /^GPT-OSS-20B \(bf16\) with expert LoRA r=64, batch 4 × 512 tokens needs ~\d+\.\d GiB; A10G has 22\.5 GiB \(24 GB\): does not fit\. Fix: pick A100-80GB or H100, or attention-only LoRA/,
    );
    expect(checkRecipe(aRecipe({ model: 'someone/other' }), 'A10G').verdict).toBe('unknown');
    expect(checkRecipe(aRecipe(), 'cpu').verdict).toBe('unknown');
  });
});

describe('memory plan: launch configs', () => {
  it('fills what the config leaves out from the job defaults, and the Modal app base model on Modal', () => {
    const r = recipeOf('sft', {}, 'modal');
    expect(r).toMatchObject({
      model: PIPELINE_BASE_MODEL,
      targetParameters: '',
      loraRank: 16,
      batchSize: 8,
      gradientCheckpointing: true,
      mode: 'train',
    });
    expect(recipeOf('sft', {}, 'local').model).toBe('tiny');
    expect(recipeOf('grpo', { base_model: 'openai/gpt-oss-20b' }).maxSeqLength).toBe(512 + 64);
    expect(recipeOf('eval', { base_model: 'openai/gpt-oss-20b' }).mode).toBe('infer');
    expect(recipeOf('sft', { load_in_4bit: 'true', target_parameters: EXPERTS }).loading).toBe('4bit');
  });

  it('checks Modal launches only, and recommends the cheapest GPU that fits', () => {
    expect(checkLaunch('sft', 'local', { base_model: 'openai/gpt-oss-20b', gpu: 'A10G' })).toBeUndefined();
    expect(checkLaunch('sft', 'modal', { gpu: 'A10G' })?.verdict).toBe('no-fit');
    expect(checkLaunch('sft', 'modal', { gpu: 'H100' })?.verdict).toBe('fits');
    expect(recommendGpu('sft', {})).toBe('A100-80GB');
    expect(recommendGpu('sft', { load_in_4bit: true, batch_size: 4 })).toBe('L4'); // 24 GB like the A10G, cheaper
    expect(recommendGpu('sft', { base_model: 'someone/other' })).toBeUndefined();
  });
});

function workspace(): string {
  const root = caseWorkspace('ph-mem-');
  fs.mkdirSync(path.join(root, 'training'));
  return root;
}

/** `psychohistory launch` of an SFT run on Modal in `root` with `flags`, detached. */
const launchSft = (root: string, ...flags: string[]) => cli(root, ...launchArgs('sft', 'modal'), ...flags, '--detach');

describe('psychohistory launch --backend modal: the memory plan', () => {
  const server = useModalStandIn({ deploy: ['sft'], tokenInEnv: true });

  it('refuses a run that cannot fit the GPU, naming the fix, before any call to Modal', async () => {
    const root = workspace();
    const calls = server.callsOf('FunctionMap').length;
    const r = await launchSft(root, '--gpu', 'A10G', '--lora-rank', '64', '--set', `target_parameters=${EXPERTS}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(
      /Refusing to launch: GPT-OSS-20B \(bf16\) with expert LoRA r=64.*A10G has 22\.5 GiB \(24 GB\): does not fit\. Fix: pick A100-80GB or H100/,
    );
    expect(server.callsOf('FunctionMap').length).toBe(calls);
    expect(new RunStore(runsRootOf(root)).list()).toEqual([]);
  });

  it('picks the cheapest GPU that fits when --gpu is not given', async () => {
    const root = workspace();
    const r = await launchSft(root);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/GPU: A100-80GB \(the cheapest the memory plan fits/);
    expect(r.err).toMatch(/Memory plan: .*A100-80GB has 80\.0 GiB \(80 GB\): fits\./);
    const run = new RunStore(runsRootOf(root)).read(r.out.trim());
    expect(server.functionCalls.get(run?.modal?.functionCallId ?? '')?.args[0]).toMatchObject({ gpu: 'A100-80GB' });
  });

  it('warns when the run is tight, and --skip-memory-check launches a refused one', async () => {
    const root = workspace();
    const tight = await launchSft(root, '--gpu', 'A10G', '--set', 'load_in_4bit=true', '--set', 'batch_size=6');
    expect(tight.code, tight.err).toBe(0);
    expect(tight.err).toMatch(
      /Warning: .*tight \(over 90 %\), it may run out of memory\. Fix: pick L40S or A100-40GB, or batch_size=3/,
    );
    const forced = await launchSft(root, '--gpu', 'A10G', '--skip-memory-check');
    expect(forced.code, forced.err).toBe(0);
    expect(forced.err).toMatch(/Warning: .*does not fit/);
  });
});
