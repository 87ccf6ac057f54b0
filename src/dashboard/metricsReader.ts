// The metrics.jsonl parser now lives in src/runs/metricsFile.ts, shared with the jobs feature. This
// re-export stays only because bench/dashboard.ts (maintained with the benchmarks) imports it from
// here; new code imports src/runs/metricsFile directly.
export { MetricsLineParser } from '../runs/metricsFile';
