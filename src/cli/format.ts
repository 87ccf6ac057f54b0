// Shared option parsing and output helpers of the CLI subcommands.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { UsageError } from './types';

export type OutputFormat = 'text' | 'json';

/** node:util parseArgs with its errors turned into UsageError (exit 2). */
export function parseOptions(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

export function formatOption(value: unknown): OutputFormat {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--format must be text or json (got ${JSON.stringify(value)})`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
