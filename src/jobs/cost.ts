// Cost estimate shown before a launch: GPU price per hour x estimated hours. Prices are Modal's
// published on-demand per-second GPU rates (schemas/gpu-prices.json, shared with the Python side)
// converted to per hour, as of PRICE_TABLE_DATE; the
// confirmation dialog prints that date so a stale table is visible rather than silently wrong.
import type { RunKind } from '../contracts/run';
import prices from '../../schemas/gpu-prices.json';

export const PRICE_TABLE_DATE = prices.asOf;
export const PRICE_TABLE_SOURCE = prices.source;

/** USD per GPU-hour on Modal (on-demand), from the per-second table both halves share. */
export const GPU_PRICES_USD_PER_HOUR: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(prices.usdPerSecond).map(([gpu, perSecond]) => [gpu, perSecond * 3600]),
);

export const GPUS = Object.keys(GPU_PRICES_USD_PER_HOUR);

export function pricePerHour(gpu: string): number | undefined {
  return GPU_PRICES_USD_PER_HOUR[gpu.toUpperCase()] ?? GPU_PRICES_USD_PER_HOUR[gpu];
}

export function costOf(gpu: string, seconds: number): number {
  const price = pricePerHour(gpu) ?? 0;
  return round2((price * seconds) / 3600);
}

export interface EstimateInput {
  kind: RunKind;
  gpu: string;
  cases: number;
  epochs?: number;
  /** Forecast levels per case (choice prompts per case); defaults to 3. */
  levelsPerCase?: number;
}

export interface CostEstimate {
  gpu: string;
  seconds: number;
  usd: number;
  pricePerHour: number;
  priceTableDate: string;
  /** How the time was estimated, for the confirmation dialog. */
  basis: string;
}

/**
 * Seconds per training example on an A10G for GPT-OSS-20B with LoRA, measured on the pipeline's own
 * runs, scaled by a rough relative GPU speed. Startup covers image pull, model load and save.
 */
const SECONDS_PER_EXAMPLE_A10G: Record<RunKind, number> = { sft: 2.0, grpo: 12.0, eval: 0.8, generate: 4.0 };
const STARTUP_SECONDS: Record<RunKind, number> = { sft: 300, grpo: 360, eval: 240, generate: 240 };
const RELATIVE_SPEED: Readonly<Record<string, number>> = {
  T4: 0.4,
  L4: 0.7,
  A10G: 1,
  'A100-40GB': 2.2,
  'A100-80GB': 2.5,
  L40S: 1.8,
  H100: 4,
  H200: 4.4,
  B200: 6,
};

export function estimateCost(input: EstimateInput): CostEstimate {
  const gpu = input.gpu.toUpperCase() in GPU_PRICES_USD_PER_HOUR ? input.gpu.toUpperCase() : input.gpu;
  const price = pricePerHour(gpu);
  if (price === undefined) throw new Error(`Unknown GPU "${input.gpu}"; known: ${GPUS.join(', ')}`);
  const examples = Math.max(0, input.cases) * (input.levelsPerCase ?? 3);
  const passes = input.kind === 'sft' || input.kind === 'grpo' ? Math.max(1, input.epochs ?? 1) : 1;
  const speed = RELATIVE_SPEED[gpu] ?? 1;
  const seconds = Math.round(
    STARTUP_SECONDS[input.kind] + (examples * passes * SECONDS_PER_EXAMPLE_A10G[input.kind]) / speed,
  );
  return {
    gpu,
    seconds,
    usd: round2((price * seconds) / 3600),
    pricePerHour: price,
    priceTableDate: PRICE_TABLE_DATE,
    basis: `${examples} examples x ${passes} pass(es) on ${gpu} + ${STARTUP_SECONDS[input.kind]} s startup`,
  };
}

export function formatUsd(usd: number): string {
  return `$${usd.toFixed(2)}`;
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
