// Keeping a 1,000,000-point loss history interactive: the chart never draws more than a few
// thousand points, and appending costs the same whatever the history length.
// - `lttb` (Largest-Triangle-Three-Buckets, Steinarsson 2013) thins a whole series once, for the
//   first snapshot the host sends.
// - `StreamingDecimator` buckets points by x (the step) into at most `maxBuckets` buckets whose width
//   doubles when they run out — amortised O(1) per appended point, O(maxBuckets) to read out — and
//   keeps per bucket the min and max (so loss spikes survive) and the mean (for smoothing).
// - `emaSmooth` is TensorBoard's debiased exponential moving average, run over the bucket means.

/** Indices of the points LTTB keeps (always the first and the last). */
export function lttb(xs: ArrayLike<number>, ys: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(xs.length, ys.length);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const kept: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    // Average of the next bucket: the third corner of the triangle.
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j]!;
      avgY += ys[j]!;
    }
    const len = Math.max(nextEnd - nextStart, 1);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a]!;
    const ay = ys[a]!;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * (ys[j]! - ay) - (ax - xs[j]!) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

export interface XY {
  xs: number[];
  ys: number[];
}

export class StreamingDecimator {
  private width = 1;
  private origin = NaN;
  private used = 0; // buckets in use: indices 0..used-1
  private readonly count: Float64Array;
  private readonly sumX: Float64Array;
  private readonly sumY: Float64Array;
  private readonly minX: Float64Array;
  private readonly minY: Float64Array;
  private readonly maxX: Float64Array;
  private readonly maxY: Float64Array;
  private total = 0;

  constructor(readonly maxBuckets = 1000) {
    if (maxBuckets < 2 || maxBuckets % 2 !== 0) throw new Error('maxBuckets must be an even number ≥ 2');
    this.count = new Float64Array(maxBuckets);
    this.sumX = new Float64Array(maxBuckets);
    this.sumY = new Float64Array(maxBuckets);
    this.minX = new Float64Array(maxBuckets);
    this.minY = new Float64Array(maxBuckets);
    this.maxX = new Float64Array(maxBuckets);
    this.maxY = new Float64Array(maxBuckets);
  }

  /** Points pushed so far (not the points drawn). */
  get size(): number {
    return this.total;
  }

  push(x: number, y: number): void {
    if (!Number.isFinite(x) || !Number.isFinite(y)) return;
    if (Number.isNaN(this.origin)) this.origin = x;
    // A step below the first one (a resumed run counting again) lands in the first bucket.
    let k = Math.max(0, Math.floor((x - this.origin) / this.width));
    while (k >= this.maxBuckets) {
      this.coarsen();
      k = Math.floor((x - this.origin) / this.width);
    }
    this.total++;
    if (k >= this.used) this.used = k + 1;
    const c = this.count[k]!;
    this.count[k] = c + 1;
    this.sumX[k] = c === 0 ? x : this.sumX[k]! + x;
    this.sumY[k] = c === 0 ? y : this.sumY[k]! + y;
    if (c === 0 || y < this.minY[k]!) {
      this.minY[k] = y;
      this.minX[k] = x;
    }
    if (c === 0 || y > this.maxY[k]!) {
      this.maxY[k] = y;
      this.maxX[k] = x;
    }
  }

  pushMany(xs: ArrayLike<number>, ys: ArrayLike<number>): void {
    const n = Math.min(xs.length, ys.length);
    for (let i = 0; i < n; i++) this.push(xs[i]!, ys[i]!);
  }

  /** Min and max of each bucket, in x order: the envelope of the raw series (≤ 2·maxBuckets points). */
  envelope(): XY {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < this.used; k++) {
      if (this.count[k] === 0) continue;
      const lo = this.minX[k]! <= this.maxX[k]!;
      const ax = lo ? this.minX[k]! : this.maxX[k]!;
      const ay = lo ? this.minY[k]! : this.maxY[k]!;
      const bx = lo ? this.maxX[k]! : this.minX[k]!;
      const by = lo ? this.maxY[k]! : this.minY[k]!;
      xs.push(ax);
      ys.push(ay);
      if (bx !== ax || by !== ay) {
        xs.push(bx);
        ys.push(by);
      }
    }
    return { xs, ys };
  }

  /** Mean point of each non-empty bucket (≤ maxBuckets points). */
  means(): XY {
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < this.used; k++) {
      const c = this.count[k]!;
      if (c === 0) continue;
      xs.push(this.sumX[k]! / c);
      ys.push(this.sumY[k]! / c);
    }
    return { xs, ys };
  }

  /** Doubles the bucket width, merging bucket pairs (2i, 2i+1) into i. */
  private coarsen(): void {
    const half = this.maxBuckets / 2;
    for (let i = 0; i < half; i++) {
      const a = 2 * i;
      const b = a + 1;
      const ca = this.count[a]!;
      const cb = this.count[b]!;
      let minX = this.minX[a]!;
      let minY = this.minY[a]!;
      let maxX = this.maxX[a]!;
      let maxY = this.maxY[a]!;
      if (cb > 0 && (ca === 0 || this.minY[b]! < minY)) {
        minX = this.minX[b]!;
        minY = this.minY[b]!;
      }
      if (cb > 0 && (ca === 0 || this.maxY[b]! > maxY)) {
        maxX = this.maxX[b]!;
        maxY = this.maxY[b]!;
      }
      this.count[i] = ca + cb;
      this.sumX[i] = this.sumX[a]! + this.sumX[b]!;
      this.sumY[i] = this.sumY[a]! + this.sumY[b]!;
      this.minX[i] = minX;
      this.minY[i] = minY;
      this.maxX[i] = maxX;
      this.maxY[i] = maxY;
    }
    for (let i = half; i < this.maxBuckets; i++) this.count[i] = 0;
    this.used = Math.ceil(this.used / 2);
    this.width *= 2;
  }
}

/** TensorBoard-style debiased exponential moving average; weight 0 = no smoothing, < 1. */
export function emaSmooth(ys: readonly number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out: number[] = new Array<number>(ys.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!;
    if (!Number.isFinite(y)) {
      out[i] = y;
      continue;
    }
    last = last * w + (1 - w) * y;
    n++;
    out[i] = w === 0 ? y : last / (1 - Math.pow(w, n));
  }
  return out;
}
