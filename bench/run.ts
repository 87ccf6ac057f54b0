// `npm run bench`: validation speed of the case core on a generated 100k-case file.
// (a) full validation (new CaseDocument(text).diagnostics(), line splitting included) ÷ JSON.parse
//     of every line (line splitting included): target ≤ 1.5.
// (b) re-validation after a one-line edit (applyChange + diagnostics()) ÷ full validation:
//     target ≤ 1/1000.
// For information, (a) again on a file where a quarter of the cases carry non-ASCII text (accented
// places, typographic dashes and quotes), as real datasets often do.
// Medians of several runs, interleaved. Both wall-clock and process CPU time are printed: on a
// shared, overloaded machine wall time mostly measures the scheduler, CPU time the code.
// A benchmark, never a timed test.
import { CaseDocument } from '../src/cases/caseDocument';
import { generateCasesText } from './generate';
import { summary, time, type Sample } from './timing';

const CASES = Number(process.env.BENCH_CASES ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

const ms = (x: number): string => `${x.toFixed(x < 10 ? 3 : 1)} ms`;

let sink = 0;

/** Medians of JSON.parse of every line and of full validation, and the last document built. */
function measureFull(text: string): { parse: Sample; full: Sample; doc: CaseDocument } {
  const parseRuns: Sample[] = [];
  const fullRuns: Sample[] = [];
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
      parseRuns.push(p);
      fullRuns.push(f);
    }
  }
  return { parse: summary(parseRuns), full: summary(fullRuns), doc: doc as CaseDocument };
}

const text = generateCasesText(CASES);
console.log(`generated ${CASES.toLocaleString('en-US')} cases, ${(text.length / 1e6).toFixed(1)} MB`);
const { parse, full, doc: finalDoc } = measureFull(text);
const found = finalDoc.diagnostics();

// One-line edits in the middle of the file: retype a candidate's text, back and forth.
const line = Math.floor(CASES / 2);
const original = finalDoc.lineText(line);
const at = original.indexOf('"event":"') + 9;
const editRuns: Sample[] = [];
for (let r = 0; r < 201; r++) {
  const insert = r % 2 === 0 ? 'X' : '';
  const remove = r % 2 === 0 ? 0 : 1;
  editRuns.push(
    time(() => {
      finalDoc.applyChange({ start: { line, character: at }, end: { line, character: at + remove } }, insert);
      sink += finalDoc.diagnostics().length;
    }),
  );
}
const edit = summary(editRuns);
// For reference: an edit that adds or removes a line (every later line moves).
const insertRuns: Sample[] = [];
for (let r = 0; r < 21; r++) {
  insertRuns.push(
    time(() => {
      if (r % 2 === 0) finalDoc.replaceLines(line, line, original);
      else finalDoc.replaceLines(line, line + 1, '');
      sink += finalDoc.diagnostics().length;
    }),
  );
}
const insert = summary(insertRuns);

console.log(`diagnostics in the generated file: ${found.length}`);
console.log(`                              wall (median)   CPU (median)`);
console.log(`JSON.parse every line (${RUNS})     ${ms(parse.wall).padStart(12)}   ${ms(parse.cpu).padStart(12)}`);
console.log(`full validation (${RUNS})           ${ms(full.wall).padStart(12)}   ${ms(full.cpu).padStart(12)}`);
console.log(`one-line edit + diagnostics (201) ${ms(edit.wall).padStart(10)}   ${ms(edit.cpu).padStart(12)}`);
console.log(`add/remove a line (21)            ${ms(insert.wall).padStart(10)}   ${ms(insert.cpu).padStart(12)}`);
const a = (s: keyof Sample): number => full[s] / parse[s];
const b = (s: keyof Sample): number => edit[s] / full[s];
const verdictA = (x: number): string => (x <= 1.5 ? 'OK' : 'MISSED');
const verdictB = (x: number): string => (x <= 1 / 1000 ? 'OK' : 'MISSED');
console.log(
  `(a) full validation / JSON.parse:  wall ${a('wall').toFixed(2)} ${verdictA(a('wall'))}, CPU ${a('cpu').toFixed(2)} ${verdictA(a('cpu'))}  (target ≤ 1.5)`,
);
console.log(
  `(b) one-line edit / full:          wall 1/${Math.round(1 / b('wall'))} ${verdictB(b('wall'))}, CPU 1/${Math.round(1 / b('cpu'))} ${verdictB(b('cpu'))}  (target ≤ 1/1000)`,
);

const intl = measureFull(generateCasesText(CASES, 42, 0.25));
const ratio = (s: keyof Sample): string => (intl.full[s] / intl.parse[s]).toFixed(2);
console.log(`(info) (a) with 25% of cases in non-ASCII text: wall ${ratio('wall')}, CPU ${ratio('cpu')}`);
if (sink === -1) console.log('');
