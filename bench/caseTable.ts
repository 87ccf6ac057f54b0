// `npm run bench -- caseTable`: the case table's costs at 1k vs 100k cases (issue 6).
// (a) open + first paint model: the host receives `ready`, builds the first screen of rows and
//     serialises the `init` message the webview paints from. The document is already loaded (VS Code
//     hands the editor a TextDocument), so the lines are split before the clock starts.
//     Target: 100k ÷ 1k ≤ 2.
// (b) a form edit touches one line: the WorkspaceEdit's range and the rows sent back.
// Also printed (not targets): the background whole-file analysis, a first and a cached sort.
// Medians of several interleaved runs; wall-clock and process CPU time (the machine is shared).
// A benchmark, never a timed test.
import { performance } from 'node:perf_hooks';
import { TableController } from '../src/caseTable/controller';
import type { UiPort } from '../src/caseTable/controller';
import type { HostToWebview } from '../src/caseTable/protocol';
import { DEFAULT_QUERY } from '../src/caseTable/protocol';
import { MemoryDocument } from '../test/unit/caseTable/memoryDocument';
import { generateCasesText } from './generate';
import { median, time, type Sample } from './timing';

const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const VISIBLE = 60; // rows a tall editor shows, plus overscan

function controllerFor(doc: MemoryDocument, posts: HostToWebview[]): TableController {
  const ui: UiPort = {
    post: (m) => posts.push(m),
    notify: () => {},
    log: (level, m) => level === 'error' && console.error(m),
    openInText: async () => {},
  };
  const c = new TableController(doc, ui);
  doc.onChange = (changes) => c.documentChanged(changes);
  return c;
}

/** ready → init (rows of the first screen) → the JSON the webview receives. */
function openAndFirstPaint(doc: MemoryDocument): { sample: Sample; bytes: number } {
  const posts: HostToWebview[] = [];
  let bytes = 0;
  let controller: TableController | undefined;
  const sample = time(() => {
    controller = controllerFor(doc, posts);
    controller.receive({ type: 'ready', start: 0, end: VISIBLE, query: DEFAULT_QUERY, selectedLine: null });
    const init = posts.find((p) => p.type === 'init');
    if (!init || init.type !== 'init' || init.rows.length !== VISIBLE) throw new Error('no first screen');
    bytes = JSON.stringify(init).length;
  });
  controller?.dispose(); // stops the background analysis it scheduled
  return { sample, bytes };
}

async function main(): Promise<void> {
  const docs = new Map<number, MemoryDocument>();
  for (const n of [1000, 100_000]) docs.set(n, new MemoryDocument(generateCasesText(n)));
  const samples = new Map<number, Sample[]>([
    [1000, []],
    [100_000, []],
  ]);
  const bytes = new Map<number, number>();
  for (let r = 0; r < RUNS + 1; r++) {
    for (const n of [1000, 100_000]) {
      const { sample, bytes: b } = openAndFirstPaint(docs.get(n)!);
      if (r > 0) samples.get(n)!.push(sample); // the first round warms the JIT
      bytes.set(n, b);
    }
  }
  const wall = (n: number): number => median(samples.get(n)!.map((s) => s.wall));
  const cpu = (n: number): number => median(samples.get(n)!.map((s) => s.cpu));
  console.log(`(a) open + first paint model (median of ${RUNS}):`);
  console.log(
    `    1k cases:   ${wall(1000).toFixed(2)} ms wall, ${cpu(1000).toFixed(2)} ms cpu, init message ${bytes.get(1000)} bytes`,
  );
  console.log(
    `    100k cases: ${wall(100_000).toFixed(2)} ms wall, ${cpu(100_000).toFixed(2)} ms cpu, init message ${bytes.get(100_000)} bytes`,
  );
  console.log(
    `    ratio 100k/1k: wall ${(wall(100_000) / wall(1000)).toFixed(2)}, cpu ${(cpu(100_000) / cpu(1000)).toFixed(2)} (target <= 2)`,
  );

  // (b) one form edit on the 100k file, after the background analysis is in.
  const doc = docs.get(100_000)!;
  const posts: HostToWebview[] = [];
  const controller = controllerFor(doc, posts);
  const t0 = performance.now();
  controller.receive({ type: 'ready', start: 0, end: VISIBLE, query: DEFAULT_QUERY, selectedLine: 50_000 });
  while (!posts.some((p) => p.type === 'reset' && p.summary.analysed)) await new Promise((r) => setTimeout(r, 5));
  const analysisMs = performance.now() - t0;
  const before = doc.getText();
  const line = 50_000;
  const lineBefore = doc.lineText(line);
  posts.length = 0;
  const logBefore = doc.log.length;
  const editStart = performance.now();
  controller.receive({ type: 'edit', line, op: { kind: 'setSeedEvent', value: 'Edited from the form' } });
  while (!posts.some((p) => p.type === 'detail')) await new Promise((r) => setImmediate(r));
  const editMs = performance.now() - editStart;
  const changes = doc.log.slice(logBefore);
  const range = changes[0]?.range;
  const oneLine =
    changes.length === 1 &&
    range?.start.line === line &&
    range.end.line === line &&
    range.start.character === 0 &&
    range.end.character === lineBefore.length;
  const rowsSent = posts
    .filter((p) => p.type === 'rowsChanged')
    .flatMap((p) => (p.type === 'rowsChanged' ? p.rows.map((r) => r.row.line) : []));
  const beforeLines = before.split('\n');
  const linesDiffering = doc
    .getText()
    .split('\n')
    .filter((l, i) => l !== beforeLines[i]).length;
  doc.undo();
  const restored = doc.getText() === before;
  console.log(
    `(b) form edit at 100k: ${changes.length} WorkspaceEdit change(s), range = line ${range?.start.line} only: ${oneLine}; lines differing: ${linesDiffering};`,
  );
  console.log(
    `    rows sent back: [${rowsSent.join(', ')}]; host work ${editMs.toFixed(1)} ms; undo restores the exact bytes: ${restored}`,
  );

  let firstSort = 0;
  let cachedSort = 0;
  posts.length = 0;
  firstSort = time(() => controller.receive({ type: 'query', query: { ...DEFAULT_QUERY, sort: 'date' } })).wall;
  cachedSort = time(() =>
    controller.receive({ type: 'query', query: { ...DEFAULT_QUERY, sort: 'seed', descending: true } }),
  ).wall;
  console.log(
    `    (info) background whole-file analysis at 100k: ${analysisMs.toFixed(0)} ms in slices; sort by date: ${firstSort.toFixed(0)} ms first, ${cachedSort.toFixed(0)} ms cached`,
  );
  controller.dispose();
  if (!oneLine || linesDiffering !== 1 || !restored) process.exitCode = 1;
}

void main();
