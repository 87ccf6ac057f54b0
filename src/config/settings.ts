// The one typed view of the extension's settings (package.json contributes.configuration): every
// key read anywhere is named here, with the fallback a hand-edited settings.json gets for a value
// of the wrong type. Pure — it takes a getter — so a unit test checks it against the manifest
// without loading `vscode`; src/config/vscode/config.ts reads the workspace through it.
import type { Backend } from '../contracts/run';
import { knowledgeCutoff } from '../cases/provenanceRules';
import { BUILTIN_DEFAULTS } from '../jobs/launchConfig';
import type { JobDefaults } from '../jobs/launchConfig';

/** Every setting the extension reads, by its full id. */
export const SETTINGS = {
  casesGlobs: 'psychohistory.cases.globs',
  casesDiagnosticsDelay: 'psychohistory.cases.diagnosticsDelay',
  casesKnowledgeCutoff: 'psychohistory.cases.knowledgeCutoff',
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
  serviceUrl: 'psychohistory.service.url',
  serviceBaseModel: 'psychohistory.service.baseModel',
  serviceTimeoutSeconds: 'psychohistory.service.timeoutSeconds',
  serviceStartTimeoutSeconds: 'psychohistory.service.startTimeoutSeconds',
  serviceLocalArgs: 'psychohistory.service.localArgs',
  agentsModel: 'psychohistory.agents.model',
  agentsBaseUrl: 'psychohistory.agents.baseUrl',
  agentsConcurrency: 'psychohistory.agents.concurrency',
  agentsBudgetUsd: 'psychohistory.agents.budgetUsd',
  agentsDepth: 'psychohistory.agents.depth',
} as const;

export type SettingId = (typeof SETTINGS)[keyof typeof SETTINGS];

/** Groups of settings shown and watched together (the Settings editor filters by the prefix). */
export const SETTING_SECTIONS = { service: 'psychohistory.service' } as const;

export type SettingSection = (typeof SETTING_SECTIONS)[keyof typeof SETTING_SECTIONS];

export interface CasesConfig {
  /** Extra glob patterns whose files open as case datasets. */
  globs: string[];
  /** Delay between the last keystroke and re-publishing diagnostics, ms. */
  diagnosticsDelayMs: number;
  /** The knowledge cutoff for `eval-before-cutoff` (setting, else the base model's), YYYY-MM-DD. */
  knowledgeCutoff: string | undefined;
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

/** The forecast service the editor talks to (src/forecast). */
export interface ServiceConfig {
  /** The service the commands talk to when no local service runs; '' = none. */
  url: string;
  /** Base model of the local service when no adapter is picked; '' = psychohistory.baseModel. */
  baseModel: string;
  /** Per request. */
  timeoutSeconds: number;
  /** Extra `--key=value` flags for the local service (e.g. --num_samples=4). */
  localArgs: string[];
  /** How long Start Local Forecast Service waits for the model to load. */
  startTimeoutSeconds: number;
}

/** The data agents (src/agents). */
export interface AgentsConfig {
  model: string;
  /** '' = OpenRouter's own endpoint. */
  baseUrl: string;
  concurrency: number;
  budgetUsd: number | undefined;
  depth: number;
}

export interface Config {
  cases: CasesConfig;
  jobs: JobsConfig;
  walkthrough: WalkthroughConfig;
  service: ServiceConfig;
  agents: AgentsConfig;
}

export type SettingGetter = (id: SettingId) => unknown;

export function configFrom(get: SettingGetter): Config {
  return {
    cases: casesConfigFrom(get),
    jobs: jobsConfigFrom(get),
    walkthrough: walkthroughConfigFrom(get),
    service: serviceConfigFrom(get),
    agents: agentsConfigFrom(get),
  };
}

export function serviceConfigFrom(get: SettingGetter): ServiceConfig {
  const args = get(SETTINGS.serviceLocalArgs);
  return {
    url: text(get(SETTINGS.serviceUrl)).trim(),
    baseModel: text(get(SETTINGS.serviceBaseModel)).trim(),
    timeoutSeconds: positive(get(SETTINGS.serviceTimeoutSeconds), 180),
    localArgs: Array.isArray(args)
      ? args.filter((a): a is string => typeof a === 'string' && a.trim() !== '').map((a) => a.trim())
      : [],
    startTimeoutSeconds: positive(get(SETTINGS.serviceStartTimeoutSeconds), 300),
  };
}

export function agentsConfigFrom(get: SettingGetter): AgentsConfig {
  const budget = get(SETTINGS.agentsBudgetUsd);
  return {
    model: text(get(SETTINGS.agentsModel)).trim() || 'openai/gpt-4o-mini',
    baseUrl: text(get(SETTINGS.agentsBaseUrl)).trim(),
    concurrency: Math.round(positive(get(SETTINGS.agentsConcurrency), 4)),
    budgetUsd: typeof budget === 'number' && Number.isFinite(budget) && budget > 0 ? budget : undefined,
    depth: Math.round(positive(get(SETTINGS.agentsDepth), 2)),
  };
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
    knowledgeCutoff: knowledgeCutoff(text(get(SETTINGS.casesKnowledgeCutoff)), text(get(SETTINGS.baseModel))),
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
