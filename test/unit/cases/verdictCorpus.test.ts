// One verdict on a case file: the TypeScript validator reports exactly the error lines (and the
// columns where they matter) that the shared corpus lists, and so does the Python loader, run here
// on the same inputs when training/.venv exists (training/tests/test_verdict_corpus.py holds the
// Python side to the same corpus on its own). Warnings are the editor's alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CaseFileError, checkCaseBytes, firstInvalidUtf8, readCaseFile } from '../../../src/cases/caseFile';
import { CaseDocument } from '../../../src/cases/caseDocument';
import { checkLine, loneSurrogateAt, MAX_DEPTH, nestingDepth } from '../../../src/cases/lineCheck';
import { cutoffDiagnostics, PROVENANCE_WARNING_CODES } from '../../../src/cases/provenanceRules';

const REPO = resolve(__dirname, '../../..');
const PYTHON = join(REPO, 'training/.venv/bin/python');

interface Expected {
  line: number;
  column?: number;
}
interface Entry {
  name: string;
  note: string;
  text?: string;
  bytes?: string;
  parts?: [string, number][];
  file?: string;
  errors: Expected[];
  /** Provenance warnings both halves report, by line (absent: none). */
  warnings?: { line: number; code: string }[];
  cutoff?: string;
}
interface Verdict {
  lines: number[];
  /** Per expected column's line: the columns reported there. */
  columns: Record<string, number[]>;
}

const corpus = (
  JSON.parse(readFileSync(join(REPO, 'test/fixtures/verdict/corpus.json'), 'utf8')) as { inputs: Entry[] }
).inputs;

function contentOf(e: Entry): Uint8Array {
  if (e.text !== undefined) return new TextEncoder().encode(e.text);
  if (e.bytes !== undefined) return Uint8Array.from(e.bytes, (c) => c.charCodeAt(0));
  if (e.parts !== undefined) return new TextEncoder().encode(e.parts.map(([s, n]) => s.repeat(n)).join(''));
  return readFileSync(join(REPO, e.file ?? ''));
}

const unique = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);

function expectedVerdict(e: Entry): Verdict {
  const columns: Record<string, number[]> = {};
  for (const x of e.errors) if (x.column !== undefined) columns[String(x.line)] = [x.column];
  return { lines: unique(e.errors.map((x) => x.line)), columns };
}

function tsVerdict(e: Entry): Verdict {
  const errors = checkCaseBytes(contentOf(e)).filter((d) => d.severity === 'error');
  const columns: Record<string, number[]> = {};
  for (const x of e.errors) {
    if (x.column === undefined) continue;
    columns[String(x.line)] = unique(
      errors.filter((d) => d.range.start.line + 1 === x.line).map((d) => d.range.start.character + 1),
    );
  }
  return { lines: unique(errors.map((d) => d.range.start.line + 1)), columns };
}

/** The provenance warnings on the error-free lines of an input, as sorted "line code" strings. */
function tsWarnings(e: Entry): string[] {
  const doc = new CaseDocument(new TextDecoder().decode(contentOf(e)));
  const all = [...doc.diagnostics(), ...cutoffDiagnostics(doc, e.cutoff)];
  const errorLines = new Set(all.filter((d) => d.severity === 'error').map((d) => d.range.start.line));
  return all
    .filter(
      (d) =>
        d.severity === 'warning' && PROVENANCE_WARNING_CODES.includes(d.code) && !errorLines.has(d.range.start.line),
    )
    .map((d) => `${d.range.start.line + 1} ${d.code}`)
    .sort();
}

const expectedWarnings = (e: Entry): string[] => (e.warnings ?? []).map((w) => `${w.line} ${w.code}`).sort();

describe('the shared verdict corpus', () => {
  it.each(corpus.filter((e) => e.bytes === undefined).map((e) => [e.name, e] as const))(
    '%s: the provenance warnings',
    (_name, e) => {
      expect(tsWarnings(e), e.note).toEqual(expectedWarnings(e));
    },
  );

  it.each(corpus.map((e) => [e.name, e] as const))('%s: the TypeScript validator', (_name, e) => {
    const want = expectedVerdict(e);
    const got = tsVerdict(e);
    expect(got.lines, e.note).toEqual(want.lines);
    for (const [line, [column]] of Object.entries(want.columns))
      expect(got.columns[line], `${e.note} (line ${line})`).toContain(column);
  });

  // The Python loader on the very same bytes: one subprocess for the whole corpus.
  it.skipIf(!existsSync(PYTHON))('the Python loader gives every input the same verdict', () => {
    const script = [
      'import json, sys',
      'from pathlib import Path',
      'from psychohistory import data, provenance',
      'repo = Path(sys.argv[1])',
      'out = {}',
      'for e in json.loads((repo / "test/fixtures/verdict/corpus.json").read_text(encoding="utf-8"))["inputs"]:',
      '    if "text" in e: b = e["text"].encode("utf-8")',
      '    elif "bytes" in e: b = e["bytes"].encode("latin-1")',
      '    elif "parts" in e: b = "".join(s * n for s, n in e["parts"]).encode("utf-8")',
      '    else: b = (repo / e["file"]).read_bytes()',
      '    cases, problems = data.check_bytes(b)',
      '    warns = sorted(f"{w.line} {w.code}" for w in provenance.warnings(cases, e.get("cutoff")))',
      '    cols = {str(x["line"]): sorted({p.column for p in problems if p.line == x["line"] and p.column is not None}) for x in e["errors"] if "column" in x}',
      '    out[e["name"]] = {"lines": sorted({p.line for p in problems}), "columns": cols, "warnings": warns}',
      'print(json.dumps(out))',
    ].join('\n');
    const stdout = execFileSync(PYTHON, ['-c', script, REPO], {
      cwd: join(REPO, 'training'),
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const python = JSON.parse(stdout) as Record<string, Verdict & { warnings: string[] }>;
    for (const e of corpus) {
      const py = python[e.name];
      const ts = tsVerdict(e);
      expect(py?.lines, `${e.name}: ${e.note}`).toEqual(ts.lines);
      if (e.bytes === undefined) expect(py?.warnings, `${e.name}: ${e.note}`).toEqual(tsWarnings(e));
      for (const [line, [column]] of Object.entries(expectedVerdict(e).columns)) {
        expect(py?.columns[line], `${e.name} (line ${line})`).toContain(column);
        expect(ts.columns[line], `${e.name} (line ${line})`).toContain(column);
      }
    }
  });
});

describe('what JSON.parse lets through', () => {
  it('finds lone surrogates, raw or escaped, and passes pairs', () => {
    expect(loneSurrogateAt('"\\ud800"')).toEqual({ start: 1, end: 7 });
    expect(loneSurrogateAt('"a\\uDC00"')).toEqual({ start: 2, end: 8 });
    expect(loneSurrogateAt('"\\ud83d\\ude00"')).toBeUndefined();
    expect(loneSurrogateAt('"\\\\ud800"')).toBeUndefined();
    expect(loneSurrogateAt('"\\ud800\\u0041"')).toEqual({ start: 1, end: 7 });
    expect(loneSurrogateAt('"\\ud800 "')).toEqual({ start: 1, end: 7 });
    expect(loneSurrogateAt('"x\ud800"')).toEqual({ start: 2, end: 3 });
    expect(loneSurrogateAt('"😀"')).toBeUndefined();
  });

  it('reports a lone surrogate on a line that is otherwise a clean case', () => {
    const line =
      '{"seed":{"event":"Tech \\ud800","date":"2023-01-15"},"levels":[{"depth":1,"candidates":[{"event":"a","label":1},{"event":"b","label":0}]}]}';
    const r = checkLine(line);
    expect(r.diagnostics.map((d) => [d.code, d.range.start.character])).toEqual([
      ['lone-surrogate', line.indexOf('\\ud800')],
    ]);
    expect(r.case).toBeUndefined();
  });

  it('measures nesting without recursion, and refuses a line past the limit', () => {
    expect(nestingDepth(JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`))).toBe(200_000);
    const at = (k: number): string =>
      `{"seed":{"event":"E","date":"2023-01-15"},"levels":[{"depth":1,"candidates":[{"event":"a","label":1},{"event":"b","label":0}]}],"source":{"a":${'['.repeat(k)}${']'.repeat(k)}}}`;
    expect(checkLine(at(MAX_DEPTH - 2)).diagnostics).toEqual([]);
    expect(checkLine(at(MAX_DEPTH - 1)).diagnostics.map((d) => d.code)).toEqual(['too-deep']);
  });

  it('finds the lead byte of the first ill-formed UTF-8 sequence', () => {
    const at = (...b: number[]): number => firstInvalidUtf8(Uint8Array.from(b));
    expect(at(0x61, 0xe2, 0x82, 0xac)).toBe(-1);
    expect(at(0x61, 0xe2, 0x82)).toBe(1);
    expect(at(0xc0, 0x80)).toBe(0);
    expect(at(0x61, 0xed, 0xa0, 0x80)).toBe(1);
    expect(at(0xf4, 0x90, 0x80, 0x80)).toBe(0);
    expect(at(0xf0, 0x9f, 0x98, 0x80, 0x80)).toBe(4);
  });
});

describe('reading a case file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verdict-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a FIFO at once instead of blocking on it', async () => {
    const fifo = join(dir, 'cases.jsonl');
    const made = spawnSync('mkfifo', [fifo]);
    if (made.status !== 0) return; // no mkfifo here: nothing to test
    const started = Date.now();
    await expect(readCaseFile(fifo)).rejects.toThrow(CaseFileError);
    await expect(readCaseFile(fifo)).rejects.toThrow(/is a FIFO/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses a directory and names a missing file', async () => {
    await expect(readCaseFile(dir)).rejects.toThrow(/is a directory/);
    await expect(readCaseFile(join(dir, 'nope.jsonl'))).rejects.toThrow(/does not exist/);
  });

  it('reads a regular file as bytes, so invalid UTF-8 is seen', async () => {
    const file = join(REPO, 'test/fixtures/cases/synthetic.cases.jsonl');
    const bytes = await readCaseFile(file);
    expect(checkCaseBytes(bytes).filter((d) => d.severity === 'error')).toEqual([]);
  });
});
