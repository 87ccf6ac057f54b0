// Shared measuring for the benchmarks: wall and CPU time of one call, and medians over runs.
import { performance } from 'node:perf_hooks';
export interface Sample {
  wall: number; // ms
  cpu: number; // ms of user + system CPU in this process
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

export function time(fn: () => void): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Median wall and median CPU of a set of samples. */
export function summary(xs: Sample[]): Sample {
  return { wall: median(xs.map((x) => x.wall)), cpu: median(xs.map((x) => x.cpu)) };
}
