// What every CLI subcommand sees: its arguments and injected I/O, so tests run commands in-process
// with fake streams and files, and the entry (main.ts) wires in the real ones.

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  /** A case file's bytes (a regular file only: a FIFO is refused at once); when absent, readFile's text is checked. */
  readBytes?(path: string): Promise<Uint8Array>;
  cwd: string;
  /** The environment (OPENROUTER_API_KEY…); process.env when absent. */
  env?: Record<string, string | undefined>;
}

/** Exit codes shared by all subcommands. */
export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1; // the command ran and found errors (validate) or failed its task
export const EXIT_USAGE = 2; // bad arguments, unreadable files

export interface CliCommand {
  name: string;
  summary: string; // one line for `psychohistory help`
  usage: string; // full usage text
  run(args: string[], io: CliIo): Promise<number>;
}

/** Thrown by argument parsing; the dispatcher prints it with the command's usage and exits 2. */
export class UsageError extends Error {}
