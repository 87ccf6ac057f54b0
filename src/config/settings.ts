// The one typed view of the extension's settings (package.json contributes.configuration): every
// key read anywhere is named here, with the fallback a hand-edited settings.json gets for a value
// of the wrong type. Pure — it takes a getter — so a unit test checks it against the manifest
// without loading `vscode`; src/config/vscode/config.ts reads the workspace through it.
import type { Backend } from '../contracts/run';
import { BUILTIN_DEFAULTS } from '../jobs/launchConfig';
import type { JobDefaults } from '../jobs/launchConfig';

/** Every setting the extension reads, by its full id. */
export const SETTINGS = {
  casesGlobs: 'psychohistory.cases.globs',
  casesDiagnosticsDelay: 'psychohistory.cases.diagnosticsDelay',
  python: 'psychohistory.python',
  trainingFolder: 'psychohistory.trainingFolder',
  defaultBackend: 'psychohistory.defaultBackend',
  defaultGpu: 'psychohistory.defaultGpu',
  evalJudge: 'psychohistory.evalJudge',
  modalEnvironment: 'psychohistory.modalEnvironment',
  defaultEpochs: 'psychohistory.defaultEpochs',
  defaultLoraRank: 'psychohistory.defaultLoraRank',
  baseModel: 'psychohistory.baseModel',
  showWalkthrough: 'psychohistory.showWalkthrough',
} as const;

export type SettingId = (typeof SETTINGS)[keyof typeof SETTINGS];

export interface CasesConfig {
  /** Extra glob patterns whose files open as case datasets. */
  globs: string[];
  /** Delay between the last keystroke and re-publishing diagnostics, ms. */
  diagnosticsDelayMs: number;
}

export interface JobsConfig extends JobDefaults {
  python: string;
  trainingFolder: string;
  /** Modal environment name; empty = the profile's default. */
  modalEnvironment: string;
  /** The LLM judge evaluations launched from the editor use (`openrouter:<model>`); empty = off. */
  evalJudge: string;
}

export interface WalkthroughConfig {
  /** Open "Get Started with PsychoHistory" on the first activation in a profile. */
  showOnFirstStart: boolean;
}

export interface Config {
  cases: CasesConfig;
  jobs: JobsConfig;
  walkthrough: WalkthroughConfig;
}

export type SettingGetter = (id: SettingId) => unknown;

export function configFrom(get: SettingGetter): Config {
  return { cases: casesConfigFrom(get), jobs: jobsConfigFrom(get), walkthrough: walkthroughConfigFrom(get) };
}

export function walkthroughConfigFrom(get: SettingGetter): WalkthroughConfig {
  return { showOnFirstStart: get(SETTINGS.showWalkthrough) !== false };
}

export function casesConfigFrom(get: SettingGetter): CasesConfig {
  const globs = get(SETTINGS.casesGlobs);
  const delay = get(SETTINGS.casesDiagnosticsDelay);
  return {
    globs: Array.isArray(globs) ? globs.filter((g): g is string => typeof g === 'string' && g.trim() !== '') : [],
    diagnosticsDelayMs: typeof delay === 'number' && Number.isFinite(delay) ? Math.min(Math.max(delay, 0), 5000) : 200,
  };
}

export function jobsConfigFrom(get: SettingGetter): JobsConfig {
  const backend = get(SETTINGS.defaultBackend);
  return {
    backend: backend === 'local' || backend === 'modal' ? (backend as Backend) : BUILTIN_DEFAULTS.backend,
    gpu: text(get(SETTINGS.defaultGpu)) || BUILTIN_DEFAULTS.gpu,
    epochs: positive(get(SETTINGS.defaultEpochs), BUILTIN_DEFAULTS.epochs),
    loraRank: positive(get(SETTINGS.defaultLoraRank), BUILTIN_DEFAULTS.loraRank),
    baseModel: text(get(SETTINGS.baseModel)) || BUILTIN_DEFAULTS.baseModel,
    python: text(get(SETTINGS.python)),
    trainingFolder: text(get(SETTINGS.trainingFolder)) || 'training',
    modalEnvironment: text(get(SETTINGS.modalEnvironment)).trim(),
    evalJudge: text(get(SETTINGS.evalJudge)).trim(),
  };
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
