// The CLI's dispatcher: a table of subcommands, one file each. Adding a command (launch, runs,
// cancel, logs…) is one import and one entry in COMMANDS.
import { statsCommand } from './stats';
import { EXIT_OK, EXIT_USAGE, UsageError } from './types';
import type { CliCommand, CliIo } from './types';
import { validateCommand } from './validate';
import { launchCommand } from './launch';
import { runsCommand } from './runs';
import { cancelCommand } from './cancel';
import { logsCommand } from './logs';
import { brainstormCommand, chronicleCommand, verifyCommand } from './agents';

export const COMMANDS: readonly CliCommand[] = [
  validateCommand,
  statsCommand,
  launchCommand,
  runsCommand,
  cancelCommand,
  logsCommand,
  brainstormCommand,
  chronicleCommand,
  verifyCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'usage: psychohistory <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run `psychohistory <command> --help` for a command's options.",
  ].join('\n');
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    const target = COMMANDS.find((c) => c.name === rest[0]);
    (name === undefined ? io.stderr : io.stdout)(`${target ? target.usage : help()}\n`);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`unknown command ${JSON.stringify(name)}\n\n${help()}\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.stderr(`psychohistory ${command.name}: ${err.message}\n\n${command.usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr(`psychohistory ${command.name}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT_USAGE;
  }
}
