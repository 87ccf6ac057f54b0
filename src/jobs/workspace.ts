// Build the job service for a workspace folder outside VS Code (the CLI): the same store and
// backends the extension uses, with the Modal token from MODAL_TOKEN_ID/SECRET or ~/.modal.toml
// (the CLI has no SecretStorage) and secrets for local jobs from the environment it inherits.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RunStore, runsRootOf } from '../runs/runStore';
import { JobService } from './jobService';
import { LocalBackend, resolvePython } from './backends/local';
import { ModalBackend, createModalClient } from './backends/modal';

/** The nearest folder at or above `start` that has `.psychohistory/` or `training/`, else `start`. */
export function findWorkspaceRoot(start: string): string {
  let dir = path.resolve(start);
  for (;;) {
    if (fs.existsSync(path.join(dir, '.psychohistory')) || fs.existsSync(path.join(dir, 'training', 'psychohistory')))
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(start);
    dir = parent;
  }
}

export interface WorkspaceJobsOptions {
  root: string;
  python?: string;
  trainingFolder?: string;
  log?: (message: string) => void;
}

export function openWorkspaceJobs(options: WorkspaceJobsOptions): JobService {
  const log = options.log ?? (() => undefined);
  const store = new RunStore(runsRootOf(options.root), { report: (p) => log(`skipped run ${p.id}: ${p.reason}`) });
  const service = new JobService(store);
  const hooks = { changed: (id: string) => service.notify(id), log: options.log ?? (() => undefined) };
  const trainingDir = path.join(options.root, options.trainingFolder ?? 'training');
  service.addBackend(
    new LocalBackend({
      store,
      trainingDir,
      python: () => resolvePython(options.python ?? process.env['PSYCHOHISTORY_PYTHON'], options.root, trainingDir),
      hooks,
    }),
  );
  service.addBackend(new ModalBackend({ store, hooks, client: () => createModalClient() }));
  return service;
}
