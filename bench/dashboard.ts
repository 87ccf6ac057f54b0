// Benchmark (not a test): what one live append of 1,000 loss points costs the dashboard at a
// 10,000-point history versus a 1,000,000-point history. The measured path is the real one:
// parse the appended metrics.jsonl bytes (host tail), digest them into columns, feed the webview's
// StreamingDecimator, read out the envelope and the smoothed means that Chart.js draws.
// Target (issue #5): ratio ≤ 2. For contrast, the naive path (LTTB over the whole history on every
// append) is timed too. Run: `npm run bench -- dashboard`.
import { StreamingDecimator, emaSmooth, lttb } from '../src/dashboard/decimate';
import { MetricsLineParser } from '../src/runs/metricsFile';
import { digestEvents } from '../src/dashboard/series';
import { median } from './timing';

const APPEND = 1000;
const ROUNDS = 110;
const encoder = new TextEncoder();

function chunk(fromStep: number): Uint8Array {
  let s = '';
  for (let i = 0; i < APPEND; i++) {
    const step = fromStep + i;
    s +=
      JSON.stringify({
        type: 'train',
        step,
        epoch: step / 1e4,
        loss: 0.6 + 2 * Math.exp(-step / 2e5) + 0.05 * Math.sin(step),
        lr: 2e-4,
        time: '2026-01-10T09:00:00.000Z',
      }) + '\n';
  }
  return encoder.encode(s);
}

/** One dashboard's append path: host tail parser + digest, webview decimator + readout. */
class Pipeline {
  readonly dec = new StreamingDecimator(1000);
  readonly parser = new MetricsLineParser();
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  n = 0;
  next: number;
  drawn = 0;

  constructor(readonly history: number) {
    this.xs = new Float64Array(history + APPEND * ROUNDS);
    this.ys = new Float64Array(history + APPEND * ROUNDS);
    for (let s = 0; s < history; s++) {
      const y = 0.6 + 2 * Math.exp(-s / 2e5) + 0.05 * Math.sin(s);
      this.dec.push(s, y);
      this.xs[s] = s;
      this.ys[s] = y;
    }
    this.n = history;
    this.next = history;
  }

  /** Times one append of APPEND points; also returns the naive full-LTTB time for the same history. */
  append(bytes: Uint8Array): { ms: number; naiveMs: number } {
    const t0 = performance.now();
    const { train } = digestEvents(this.parser.push(bytes));
    this.dec.pushMany(train.step, train.loss);
    const env = this.dec.envelope();
    const smooth = emaSmooth(this.dec.means().ys, 0.6);
    this.drawn = env.xs.length + smooth.length;
    const ms = performance.now() - t0;
    for (let i = 0; i < train.step.length; i++) {
      this.xs[this.n] = train.step[i]!;
      this.ys[this.n] = train.loss[i]!;
      this.n++;
    }
    const t1 = performance.now();
    lttb(this.xs.subarray(0, this.n), this.ys.subarray(0, this.n), 2000);
    return { ms, naiveMs: performance.now() - t1 };
  }
}

const small = new Pipeline(10_000);
const large = new Pipeline(1_000_000);
const smallChunks = Array.from({ length: ROUNDS }, (_, r) => chunk(small.history + r * APPEND));
const largeChunks = Array.from({ length: ROUNDS }, (_, r) => chunk(large.history + r * APPEND));
const t = { small: [] as number[], large: [] as number[], smallNaive: [] as number[], largeNaive: [] as number[] };
// Interleaved, so load from other processes on this machine hits both sizes alike.
for (let r = 0; r < ROUNDS; r++) {
  const a = small.append(smallChunks[r]!);
  const b = large.append(largeChunks[r]!);
  if (r < 10) continue; // JIT warm-up
  t.small.push(a.ms);
  t.large.push(b.ms);
  t.smallNaive.push(a.naiveMs);
  t.largeNaive.push(b.naiveMs);
}
const fmt = (p: Pipeline, ms: number, naive: number): string =>
  `history ${p.history.toLocaleString('en').padStart(9)}: append 1,000 points ${ms.toFixed(3)} ms median (points drawn ${p.drawn}); naive full LTTB ${naive.toFixed(3)} ms`;
console.log(fmt(small, median(t.small), median(t.smallNaive)));
console.log(fmt(large, median(t.large), median(t.largeNaive)));
const ratio = median(t.large) / median(t.small);
console.log(`ratio 1M / 10k (append path): ${ratio.toFixed(2)}  (target ≤ 2)  ${ratio <= 2 ? 'OK' : 'OVER TARGET'}`);
console.log(
  `ratio 1M / 10k (naive full LTTB, for contrast): ${(median(t.largeNaive) / median(t.smallNaive)).toFixed(1)}`,
);
