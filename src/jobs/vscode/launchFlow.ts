// The launch dialogue: case file (validated first — with errors it refuses and shows them), backend,
// base model or adapter, epochs and LoRA rank for training, GPU for Modal, then a confirmation with
// the estimated cost and the memory plan (memoryPlan.ts: a Modal run that cannot fit its GPU is refused,
// naming the fix; the GPU list says which cards fit and puts a fitting one first). Each answer defaults
// from settings. Callers (the Datasets view, tests, the e2e suite) may pass the answers as an object to
// skip their prompts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Backend, RunKind, RunRecord } from '../../contracts/run';
import { GPUS, estimateCost, formatDuration, formatUsd, pricePerHour } from '../cost';
import { KIND_LABELS, adapterChoices, buildConfig, checkDataset, defaultLoraRank, describeErrors, isTraining } from '../launchConfig';
import type { LaunchChoices } from '../launchConfig';
import { checkLaunch, recommendGpu } from '../memoryPlan';
import type { MemoryCheck } from '../memoryPlan';
import type { JobService } from '../jobService';
import { DatasetsTreeProvider } from '../../views/datasetsView';
import type { JobsConfig } from './config';

/** Answers a caller may give up front (all optional). */
export interface LaunchArgs {
  dataset?: string;
  backend?: Backend;
  baseModel?: string;
  adapter?: string;
  epochs?: number;
  loraRank?: number;
  gpu?: string;
  /** Skip the cost confirmation (tests, scripted launches). */
  confirmed?: boolean;
}

export interface LaunchDeps {
  service: JobService;
  config: JobsConfig;
}

/** Turn a command argument (Uri, Datasets row, LaunchArgs) into LaunchArgs. */
export function launchArgsOf(arg: unknown): LaunchArgs {
  if (arg instanceof vscode.Uri) return { dataset: arg.fsPath };
  if (!arg || typeof arg !== 'object') return {};
  const o = arg as Record<string, unknown>;
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : undefined);
  const backend = str('backend');
  const out: LaunchArgs = {};
  const dataset = str('dataset') ?? str('file') ?? (o['resourceUri'] instanceof vscode.Uri ? o['resourceUri'].fsPath : undefined);
  if (dataset) out.dataset = dataset;
  if (backend === 'local' || backend === 'modal') out.backend = backend;
  for (const k of ['baseModel', 'adapter', 'gpu'] as const) {
    const v = str(k);
    if (v) out[k] = v;
  }
  for (const k of ['epochs', 'loraRank'] as const) {
    const v = num(k);
    if (v !== undefined) out[k] = v;
  }
  if (o['confirmed'] === true) out.confirmed = true;
  return out;
}

/** Returns the launched run, or undefined when the user stopped (or the dataset was refused). */
export async function launchFlow(kind: RunKind, arg: unknown, deps: LaunchDeps): Promise<RunRecord | undefined> {
  const given = launchArgsOf(arg);
  const { config, service } = deps;
  const title = `${kindVerb(kind)}`;

  const dataset = given.dataset ?? (await pickDataset(title));
  if (!dataset) return undefined;
  const check = checkDataset(dataset);
  if (check.errors.length > 0) {
    const choice = await vscode.window.showErrorMessage(`Cannot launch: ${describeErrors(check, 3)}`, 'Show Problems');
    if (choice === 'Show Problems') {
      await vscode.window.showTextDocument(vscode.Uri.file(dataset));
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return undefined;
  }
  if (check.cases === 0) {
    void vscode.window.showErrorMessage(`Cannot launch: ${path.basename(dataset)} has no valid cases.`);
    return undefined;
  }

  const backend = given.backend ?? (await pickBackend(title, config.backend));
  if (!backend) return undefined;

  const model = given.adapter !== undefined || given.baseModel !== undefined
    ? { baseModel: given.baseModel ?? config.baseModel, adapter: given.adapter }
    : await pickModel(title, kind, backend, config.baseModel, deps);
  if (!model) return undefined;

  let epochs: number | undefined;
  let loraRank: number | undefined;
  if (isTraining(kind)) {
    epochs = given.epochs ?? (await askNumber(title, 'Epochs', config.epochs, false));
    if (epochs === undefined) return undefined;
    loraRank = given.loraRank ?? (await askNumber(title, 'LoRA rank', defaultLoraRank(kind, config), true));
    if (loraRank === undefined) return undefined;
  }

  const chosen: LaunchChoices = { kind, backend, dataset, baseModel: model.baseModel, ...(model.adapter ? { adapter: model.adapter } : {}), ...(epochs !== undefined ? { epochs } : {}), ...(loraRank !== undefined ? { loraRank } : {}) };
  let gpu: string | undefined;
  if (backend === 'modal') {
    gpu = given.gpu ?? (await pickGpu(title, config.gpu, (g) => checkLaunch(kind, backend, buildConfig({ ...chosen, gpu: g })), recommendGpu(kind, buildConfig(chosen))));
    if (!gpu) return undefined;
  }

  const choices: LaunchChoices = { ...chosen, ...(gpu ? { gpu } : {}) };
  const memory = checkLaunch(kind, backend, buildConfig(choices));
  if (memory?.verdict === 'no-fit') {
    void vscode.window.showErrorMessage(`Cannot launch: ${memory.message}`);
    return undefined;
  }
  if (given.confirmed && memory?.verdict === 'tight') void vscode.window.showWarningMessage(memory.message);
  if (!given.confirmed && !(await confirm(kind, choices, check.cases, memory))) return undefined;

  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Launching ${KIND_LABELS[kind]} on ${backend === 'modal' ? 'Modal' : 'this machine'}…` },
    () => service.launch({ kind, backend, config: buildConfig(choices) }),
  );
  if (run.state === 'failed') {
    void vscode.window.showErrorMessage(`${KIND_LABELS[kind]} run ${run.id} failed to start: ${run.error ?? 'see its logs'}`);
    return run;
  }
  void vscode.window.showInformationMessage(`${KIND_LABELS[kind]} run ${run.id} started (${backend}).`, 'Open Dashboard', 'Show Logs').then((choice) => {
    if (choice === 'Open Dashboard') void vscode.commands.executeCommand('psychohistory.openDashboard', { runId: run.id, dir: service.store.runDir(run.id) });
    if (choice === 'Show Logs') void vscode.commands.executeCommand('psychohistory.showRunLogs', { runId: run.id });
  });
  return run;
}

function kindVerb(kind: RunKind): string {
  return { sft: 'Launch SFT', grpo: 'Launch GRPO', eval: 'Run Evaluation', generate: 'Generate Synthetic Dataset' }[kind];
}

async function pickDataset(title: string): Promise<string | undefined> {
  const files = await DatasetsTreeProvider.findCaseFiles();
  const browse = { label: '$(folder-opened) Browse…', file: '' };
  const items = [
    ...files.map((u) => ({ label: path.basename(u.fsPath), description: vscode.workspace.asRelativePath(u), file: u.fsPath })),
    browse,
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${title}: case file`, placeHolder: 'Which case dataset?' });
  if (!picked) return undefined;
  if (picked !== browse) return picked.file;
  const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Case datasets': ['jsonl'] } });
  return uris?.[0]?.fsPath;
}

async function pickBackend(title: string, preferred: Backend): Promise<Backend | undefined> {
  const items: { label: string; description: string; backend: Backend }[] = [
    { label: 'Modal', description: 'GPU in the cloud (needs the deployed app and a Modal token)', backend: 'modal' },
    { label: 'Local', description: 'this machine, with the configured Python', backend: 'local' },
  ];
  items.sort((a, b) => (a.backend === preferred ? -1 : b.backend === preferred ? 1 : 0));
  return (await vscode.window.showQuickPick(items, { title: `${title}: where to run` }))?.backend;
}

async function pickModel(title: string, kind: RunKind, backend: Backend, baseModel: string, deps: LaunchDeps): Promise<{ baseModel: string; adapter?: string } | undefined> {
  const adapters = adapterChoices(deps.service.store, backend);
  if (adapters.length === 0) return { baseModel };
  const items = [
    { label: `$(symbol-class) ${baseModel}`, description: 'base model', adapter: undefined as string | undefined },
    ...adapters.map((a) => ({ label: `$(layers) ${a.runId}`, description: `${KIND_LABELS[a.kind]} adapter · ${a.path}`, adapter: a.path })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: `${title}: start from`, placeHolder: kind === 'grpo' ? 'GRPO usually starts from an SFT adapter' : 'Base model or an adapter from an earlier run' });
  if (!picked) return undefined;
  return picked.adapter ? { baseModel, adapter: picked.adapter } : { baseModel };
}

async function askNumber(title: string, what: string, value: number, integer: boolean): Promise<number | undefined> {
  const text = await vscode.window.showInputBox({
    title: `${title}: ${what}`,
    value: String(value),
    validateInput: (v) => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) return `${what} must be a positive number`;
      if (integer && !Number.isInteger(n)) return `${what} must be a whole number`;
      return undefined;
    },
  });
  return text === undefined ? undefined : Number(text);
}

const FIT_WORDS: Record<string, string> = { fits: 'fits', tight: 'tight', 'no-fit': 'does not fit' };

/** Modal GPUs with price and memory verdict; the preferred one first when it fits, else the cheapest that does. */
async function pickGpu(title: string, preferred: string, fit: (gpu: string) => MemoryCheck | undefined, recommended: string | undefined): Promise<string | undefined> {
  const items = GPUS.map((gpu) => {
    const m = fit(gpu);
    const memory = m && m.verdict !== 'unknown' && m.gib !== undefined ? ` · ~${m.gib.toFixed(0)} GiB: ${FIT_WORDS[m.verdict]}` : '';
    return { label: gpu, description: `$${(pricePerHour(gpu) ?? 0).toFixed(2)}/h${memory}` };
  });
  const first = fit(preferred)?.verdict === 'no-fit' && recommended ? recommended : preferred;
  items.sort((a, b) => (a.label === first ? -1 : b.label === first ? 1 : 0));
  return (await vscode.window.showQuickPick(items, { title: `${title}: GPU` }))?.label;
}

async function confirm(kind: RunKind, choices: LaunchChoices, cases: number, memory: MemoryCheck | undefined): Promise<boolean> {
  const lines = [
    `Dataset: ${path.basename(choices.dataset ?? '')} (${cases} cases)`,
    `Model: ${choices.adapter ? `adapter ${choices.adapter}` : choices.baseModel ?? ''}`,
    isTraining(kind) ? `Epochs: ${choices.epochs ?? ''} · LoRA rank: ${choices.loraRank ?? ''}` : undefined,
  ];
  if (choices.backend === 'modal' && choices.gpu) {
    const e = estimateCost({ kind, gpu: choices.gpu, cases, ...(choices.epochs !== undefined ? { epochs: choices.epochs } : {}) });
    lines.push(`GPU: ${e.gpu} at ${formatUsd(e.pricePerHour)}/h`, `Estimated cost: ${formatUsd(e.usd)} (≈ ${formatDuration(e.seconds)}; ${e.basis}; prices as of ${e.priceTableDate})`);
    if (memory) lines.push(`${memory.verdict === 'tight' ? 'Memory (tight!)' : 'Memory'}: ${memory.message}`);
  } else {
    lines.push('Runs on this machine: no GPU cost.');
  }
  const go = 'Launch';
  const answer = await vscode.window.showInformationMessage(`${kindVerb(kind)} on ${choices.backend === 'modal' ? 'Modal' : 'this machine'}?`, { modal: true, detail: lines.filter(Boolean).join('\n') }, go);
  return answer === go;
}
