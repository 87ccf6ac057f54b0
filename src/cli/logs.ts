// `psychohistory logs ID [--follow]`: print a run's logs.txt; with --follow keep printing until the run ends.
import { parseOptions } from './format';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types';
import type { CliCommand, CliIo } from './types';
import { WORKSPACE_OPTION, describeEnd, followRun, jobsFor } from './jobsShared';

export const logsCommand: CliCommand = {
  name: 'logs',
  summary: "print a run's log (--follow: until it ends)",
  usage: 'usage: psychohistory logs ID [--follow] [-w DIR]',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(args, {
      ...WORKSPACE_OPTION,
      follow: { type: 'boolean', short: 'f' },
    });
    const id = positionals[0];
    if (!id) throw new UsageError('a run id is required (see `psychohistory runs`)');
    const jobs = jobsFor(io, values['workspace']);
    try {
      if (!jobs.store.read(id)) {
        io.stderr(`no run ${id} in ${jobs.store.root}\n`);
        return EXIT_FINDINGS;
      }
      if (!values['follow']) {
        io.stdout(jobs.store.readLog(id));
        return EXIT_OK;
      }
      const final = await followRun(io, jobs, id, true);
      io.stderr(`${describeEnd(final)}\n`);
      return EXIT_OK;
    } finally {
      jobs.dispose();
    }
  },
};
