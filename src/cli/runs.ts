// `psychohistory runs [--format text|json]`: the runs of the workspace, newest first — the same
// records the Runs view shows.
import { formatOption, parseOptions } from './format';
import { EXIT_OK } from './types';
import type { CliCommand, CliIo } from './types';
import { WORKSPACE_OPTION, jobsFor } from './jobsShared';
import { elapsedSeconds } from '../jobs/stateMachine';
import { formatDuration, formatUsd } from '../jobs/cost';

export const runsCommand: CliCommand = {
  name: 'runs',
  summary: 'list the workspace runs (state, backend, elapsed, cost)',
  usage: 'usage: psychohistory runs [--format text|json] [-w DIR]',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values } = parseOptions(args, { ...WORKSPACE_OPTION, format: { type: 'string' } });
    const format = formatOption(values['format']);
    const jobs = jobsFor(io, values['workspace']);
    const runs = jobs.store.list();
    if (format === 'json') {
      io.stdout(`${JSON.stringify(runs, null, 2)}\n`);
      return EXIT_OK;
    }
    if (runs.length === 0) {
      io.stdout(`no runs in ${jobs.store.root}\n`);
      return EXIT_OK;
    }
    const rows = runs.map((r) => [
      r.id,
      r.kind,
      r.backend,
      r.state,
      formatDuration(elapsedSeconds(r)),
      r.cost ? formatUsd(r.cost.usd) : '-',
    ]);
    const header = ['ID', 'KIND', 'BACKEND', 'STATE', 'ELAPSED', 'COST'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
    for (const row of [header, ...rows])
      io.stdout(
        `${row
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
      );
    return EXIT_OK;
  },
};
