// The CLI in-process (injected argv, streams and files) for exit codes and output shapes, plus one
// run of the real bundle, built the way scripts/build.mjs builds dist/cli.js.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliDiagnostic } from '../../../src/cli/validate';
import { aCase, caseLine, someCases } from '../cases/builders';
import { cliBundle } from '../../shared/cliBundle';
import { runCliCaptured } from '../../shared/runCli';
import type { CliResult } from '../../shared/runCli';

const FIXTURE = 'test/fixtures/cases/with-errors.cases.jsonl';

function cli(argv: string[], files: Record<string, string> = {}): Promise<CliResult> {
  return runCliCaptured(argv, {
    readFile: async (path) => {
      if (path in files) return files[path] as string;
      if (path === FIXTURE) return readFileSync(path, 'utf8');
      throw new Error(`ENOENT: no such file or directory, open '${path}'`);
    },
    cwd: '/',
  });
}

const clean = someCases(6)
  .map((c) => caseLine(c))
  .join('\n');
const warnOnly = `${caseLine(aCase({ id: 'a' }))}\n\n${caseLine(aCase({ id: 'b', seed: { event: 'Other', date: '2023-01-01' } }))}\n`;

describe('validate', () => {
  it('exits 0 on a clean file, 0 with warnings only, 1 with errors', async () => {
    expect((await cli(['validate', 'ok.jsonl'], { 'ok.jsonl': clean })).code).toBe(0);
    const w = await cli(['validate', 'w.jsonl'], { 'w.jsonl': warnOnly });
    expect(w.code).toBe(0);
    expect(w.out).toBe(
      'w.jsonl:2:1: warning blank-line: blank line between cases: remove it (every line of a case file is one case)\n0 errors, 1 warning in 1 file\n',
    );
    expect((await cli(['validate', 'ok.jsonl', FIXTURE], { 'ok.jsonl': clean })).code).toBe(1);
  });

  it('prints the fixture as file:line:col lines and a summary', async () => {
    const r = await cli(['validate', FIXTURE]);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe(`${FIXTURE}:3:217: error schema: levels[0].candidates[1].label must be 0 or 1 (got 2)`);
    expect(lines[lines.length - 1]).toBe('9 errors, 4 warnings in 1 file');
  });

  it('--format json prints one array of 1-based findings', async () => {
    const r = await cli(['validate', '--format', 'json', FIXTURE]);
    expect(r.code).toBe(1);
    const found = JSON.parse(r.out) as CliDiagnostic[];
    expect(found.map((d) => `${d.line}:${d.code}`)).toEqual([
      '3:schema',
      '4:blank-line',
      '5:multiple-actuals',
      '5:multiple-actuals',
      '6:invalid-date',
      '7:duplicate-id',
      '8:depth-sequence',
      '9:json-syntax',
      '10:duplicate-candidate',
      '11:repeated-seed',
      '11:seed-in-train-and-eval',
      '12:schema',
      '12:unknown-key',
    ]);
    expect(found[0]).toEqual({
      file: FIXTURE,
      line: 3,
      column: 217,
      endLine: 3,
      endColumn: 218,
      severity: 'error',
      code: 'schema',
      message: 'levels[0].candidates[1].label must be 0 or 1 (got 2)',
    });
    for (const d of found)
      expect(Object.keys(d)).toEqual(['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']);
    expect(JSON.parse((await cli(['validate', 'ok.jsonl', '--format=json'], { 'ok.jsonl': clean })).out)).toEqual([]);
  });

  it('exits 2 on usage and I/O errors', async () => {
    expect((await cli(['validate'])).code).toBe(2);
    expect((await cli(['validate', '--format', 'xml', FIXTURE])).code).toBe(2);
    expect((await cli(['validate', '--bogus', FIXTURE])).code).toBe(2);
    const missing = await cli(['validate', 'nope.jsonl', 'ok.jsonl'], { 'ok.jsonl': clean });
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('nope.jsonl: cannot read');
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli([])).code).toBe(2);
    expect((await cli(['--help'])).code).toBe(0);
    expect((await cli(['validate', '--help'])).out).toContain('exit codes: 0 no errors');
  });
});

describe('stats', () => {
  it('prints counts as text and as JSON', async () => {
    const text = await cli(['stats', FIXTURE]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('cases: 6   invalid lines: 6   errors: 9   warnings: 4');
    const json = await cli(['stats', FIXTURE, '--format', 'json']);
    expect(JSON.parse(json.out)).toEqual({
      file: FIXTURE,
      cases: 6,
      invalidLines: 6,
      levelsPerDepth: { '1': 6, '2': 1 },
      candidatesPerLevel: { '2': 1, '3': 6 },
      actualPosition: { '1': 5, '2': 2 },
      splits: { train: 4, eval: 1, test: 1 },
      errors: 9,
      warnings: { 'blank-line': 1, 'duplicate-candidate': 1, 'repeated-seed': 1, 'seed-in-train-and-eval': 1 },
    });
  });

  it('exits 2 without exactly one readable file', async () => {
    expect((await cli(['stats'])).code).toBe(2);
    expect((await cli(['stats', 'a', 'b'])).code).toBe(2);
    expect((await cli(['stats', 'nope.jsonl'])).code).toBe(2);
  });
});

describe('the bundled CLI', () => {
  it('runs from a bundle as scripts/build.mjs makes it, with exit codes', async () => {
    const out = await cliBundle();
    const dir = mkdtempSync(join(tmpdir(), 'ph-cli-'));
    const ok = join(dir, 'ok.cases.jsonl');
    writeFileSync(ok, clean);
    const run = (...args: string[]) => spawnSync(process.execPath, [out, ...args], { encoding: 'utf8' });
    expect(run('validate', ok).status).toBe(0);
    const bad = run('validate', '--format', 'json', FIXTURE);
    expect(bad.status).toBe(1);
    expect((JSON.parse(bad.stdout) as unknown[]).length).toBe(13);
    expect(run('validate', join(dir, 'missing.jsonl')).status).toBe(2);
    expect(run('stats', ok).status).toBe(0);

    // Invalid UTF-8 is an error at its line and column, as in the Python loader (it used to pass as U+FFFD).
    const latin1 = join(dir, 'latin1.cases.jsonl');
    writeFileSync(
      latin1,
      Buffer.concat([
        Buffer.from(`${clean.split('\n')[0]}\n{"seed": {"event": "Caf`),
        Buffer.from([0xe9]),
        Buffer.from('"}}\n'),
      ]),
    );
    const enc = run('validate', '--format', 'json', latin1);
    expect(enc.status).toBe(1);
    expect(JSON.parse(enc.stdout)).toContainEqual(
      expect.objectContaining({ line: 2, column: 24, code: 'invalid-utf8' }),
    );

    // A FIFO is refused at once (exit 2), never read until a writer comes.
    const fifo = join(dir, 'pipe.cases.jsonl');
    if (spawnSync('mkfifo', [fifo]).status === 0) {
      const t = Date.now();
      const r = spawnSync(process.execPath, [out, 'validate', fifo], { encoding: 'utf8', timeout: 10_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/FIFO/);
      expect(Date.now() - t).toBeLessThan(10_000);
    }
  });
});
