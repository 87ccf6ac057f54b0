// `psychohistory cancel ID`: SIGTERM (then SIGKILL) a local run, FunctionCall.cancel a Modal run.
import { parseOptions } from './format';
import { EXIT_FINDINGS, EXIT_OK, UsageError } from './types';
import type { CliCommand, CliIo } from './types';
import { WORKSPACE_OPTION, describeEnd, jobsFor } from './jobsShared';
import { JobError } from '../jobs/errors';

export const cancelCommand: CliCommand = {
  name: 'cancel',
  summary: 'cancel a running job (local or Modal)',
  usage: 'usage: psychohistory cancel ID [-w DIR]',
  async run(args: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseOptions(args, WORKSPACE_OPTION);
    const id = positionals[0];
    if (!id) throw new UsageError('a run id is required (see `psychohistory runs`)');
    const jobs = jobsFor(io, values['workspace']);
    try {
      const final = await jobs.cancel(id);
      io.stdout(`${describeEnd(final)}\n`);
      return final?.state === 'cancelled' ? EXIT_OK : EXIT_FINDINGS;
    } catch (err) {
      if (err instanceof JobError) {
        io.stderr(`${err.message}\n`);
        return EXIT_FINDINGS;
      }
      throw err;
    } finally {
      jobs.dispose();
    }
  },
};
