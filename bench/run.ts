// `npm run bench`: validation speed of the case core on a generated 100k-case file.
// (a) full validation (new CaseDocument(text).diagnostics(), line splitting included) ÷ JSON.parse
//     of every line (line splitting included): target ≤ 1.5.
// (b) re-validation after a one-line edit (applyChange + diagnostics()) ÷ full validation:
//     target ≤ 1/1000.
// Medians of several runs; a benchmark, never a timed test.
import { performance } from 'node:perf_hooks';
import { CaseDocument } from '../src/cases/caseDocument';
import { generateCasesText } from './generate';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

const text = generateCasesText(CASES);
console.log(`generated ${CASES.toLocaleString('en-US')} cases, ${(text.length / 1e6).toFixed(1)} MB`);

let sink = 0;
const parseMs: number[] = [];
const fullMs: number[] = [];
let doc: CaseDocument | undefined;
// Interleave the two measurements so drift (GC, CPU frequency, other load) hits both alike.
for (let r = 0; r < RUNS + 1; r++) {
  const p = time(() => {
    for (const line of text.split('\n')) if (line.length > 0) sink += (JSON.parse(line) as object) ? 1 : 0;
  });
  const f = time(() => {
    doc = new CaseDocument(text);
    sink += doc.diagnostics().length;
  });
  if (r > 0) {
    // The first round warms up the JIT.
    parseMs.push(p);
    fullMs.push(f);
  }
}
const parse = median(parseMs);
const full = median(fullMs);
const finalDoc = doc as CaseDocument;
const found = finalDoc.diagnostics();

// One-line edits in the middle of the file: retype a candidate's text, back and forth.
const line = Math.floor(CASES / 2);
const original = finalDoc.lineText(line);
const at = original.indexOf('"event":"') + 9;
const editMs: number[] = [];
for (let r = 0; r < 201; r++) {
  const insert = r % 2 === 0 ? 'X' : '';
  const remove = r % 2 === 0 ? 0 : 1;
  editMs.push(
    time(() => {
      finalDoc.applyChange({ start: { line, character: at }, end: { line, character: at + remove } }, insert);
      sink += finalDoc.diagnostics().length;
    }),
  );
}
const edit = median(editMs);
// An edit that adds a line (shifts every later line) for reference.
const insertMs: number[] = [];
for (let r = 0; r < 21; r++) {
  insertMs.push(
    time(() => {
      if (r % 2 === 0) finalDoc.replaceLines(line, line, original);
      else finalDoc.replaceLines(line, line + 1, '');
      sink += finalDoc.diagnostics().length;
    }),
  );
}

const ratioA = full / parse;
const ratioB = edit / full;
console.log(`diagnostics in the generated file: ${found.length}`);
console.log(`JSON.parse every line:      ${parse.toFixed(1)} ms (median of ${RUNS})`);
console.log(`full validation:            ${full.toFixed(1)} ms (median of ${RUNS})`);
console.log(`one-line edit + diagnostics: ${edit.toFixed(3)} ms (median of ${editMs.length})`);
console.log(`insert/delete a line:        ${median(insertMs).toFixed(3)} ms (median of ${insertMs.length})`);
console.log(`(a) full validation / JSON.parse = ${ratioA.toFixed(2)}  (target ≤ 1.5) ${ratioA <= 1.5 ? 'OK' : 'MISSED'}`);
console.log(`(b) one-line edit / full validation = 1/${Math.round(1 / ratioB)}  (target ≤ 1/1000) ${ratioB <= 1 / 1000 ? 'OK' : 'MISSED'}`);
if (sink === -1) console.log('');
