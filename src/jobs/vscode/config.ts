// The one typed reader over the jobs settings (package.json contributes.configuration).
import * as vscode from 'vscode';
import type { Backend } from '../../contracts/run';
import { BUILTIN_DEFAULTS } from '../launchConfig';
import type { JobDefaults } from '../launchConfig';

export interface JobsConfig extends JobDefaults {
  python: string;
  trainingFolder: string;
  /** Modal environment name; empty = the profile's default. */
  modalEnvironment: string;
  /** The LLM judge evaluations launched from the editor use (`openrouter:<model>`); empty = off. */
  evalJudge: string;
}

export function readJobsConfig(): JobsConfig {
  const c = vscode.workspace.getConfiguration('psychohistory');
  const backend = c.get<string>('defaultBackend');
  return {
    backend: backend === 'local' || backend === 'modal' ? (backend as Backend) : BUILTIN_DEFAULTS.backend,
    gpu: c.get<string>('defaultGpu') || BUILTIN_DEFAULTS.gpu,
    epochs: positive(c.get<number>('defaultEpochs'), BUILTIN_DEFAULTS.epochs),
    loraRank: positive(c.get<number>('defaultLoraRank'), BUILTIN_DEFAULTS.loraRank),
    baseModel: c.get<string>('baseModel') || BUILTIN_DEFAULTS.baseModel,
    python: c.get<string>('python') ?? '',
    trainingFolder: c.get<string>('trainingFolder') || 'training',
    modalEnvironment: (c.get<string>('modalEnvironment') ?? '').trim(),
    evalJudge: (c.get<string>('evalJudge') ?? '').trim(),
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? value : fallback;
}
