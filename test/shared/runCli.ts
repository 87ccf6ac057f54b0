// The `psychohistory` CLI in-process: argv, files, folder and environment injected, its output
// captured, so the tests read exit codes and output without a child process.
import { runCli } from '../../src/cli/cli';
import type { CliIo } from '../../src/cli/types';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI on `argv` with what `io` gives it to read; returns its exit code and what it wrote. */
export async function runCliCaptured(argv: string[], io: Omit<CliIo, 'stdout' | 'stderr'>): Promise<CliResult> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { ...io, stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}
