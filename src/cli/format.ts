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

/** The one positional argument a command takes, or a usage error (`message`) when there is not exactly one. */
export function onePositional(positionals: string[], message: string): string {
  const [only] = positionals;
  if (positionals.length !== 1 || only === undefined) throw new UsageError(message);
  return only;
}

export function formatOption(value: unknown): OutputFormat {
  if (value === undefined) return 'text';
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--format must be text or json (got ${JSON.stringify(value)})`);
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
