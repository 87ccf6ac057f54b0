// The launch dialogue, one multi-step quick input with a step counter and Back (launchSteps.ts decides
// which step comes next): case file (validated first — with errors it refuses and shows them), backend,
// base model or adapter (only when adapters exist), epochs and LoRA rank for training, GPU for Modal;
// Escape cancels the whole launch. Then a confirmation with
// the estimated cost and the memory plan (memoryPlan.ts: a Modal run that cannot fit its GPU is refused,
// naming the fix; the GPU list says which cards fit and puts a fitting one first). Each answer defaults
// from settings. Callers (the Datasets view, tests, the e2e suite) may pass the answers as an object to
// skip their prompts.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Backend, RunKind, RunRecord } from '../../contracts/run';
import { GPUS, estimateCost, formatDuration, formatUsd, pricePerHour } from '../cost';
import {
  KIND_LABELS,
  adapterChoices,
  buildConfig,
  checkDataset,
  defaultLoraRank,
  describeErrors,
  isTraining,
} from '../launchConfig';
import type { LaunchChoices } from '../launchConfig';
import { checkLaunch, recommendGpu } from '../memoryPlan';
import type { MemoryCheck } from '../memoryPlan';
import { runSteps } from '../launchSteps';
import type { StepDef, StepOutcome } from '../launchSteps';
import type { JobService } from '../jobService';
import { DatasetsTreeProvider } from '../../views/vscode/datasetsView';
import type { JobsConfig } from '../../config/settings';
import { DASHBOARD_COMMANDS } from '../../dashboard/commands';
import { JOB_COMMANDS } from '../commands';

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
  const dataset =
    str('dataset') ?? str('file') ?? (o['resourceUri'] instanceof vscode.Uri ? o['resourceUri'].fsPath : undefined);
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

/** The answers of the launch dialogue, one per step. */
interface LaunchAnswers {
  dataset: string;
  backend: Backend;
  /** The adapter to start from; '' for the base model. */
  start: string;
  epochs: number;
  loraRank: number;
  gpu: string;
}

/** Returns the launched run, or undefined when the user stopped (or the dataset was refused). */
export async function launchFlow(kind: RunKind, arg: unknown, deps: LaunchDeps): Promise<RunRecord | undefined> {
  const given = launchArgsOf(arg);
  const { config, service } = deps;
  const title = `${kindVerb(kind)}`;

  // A dataset given up front is checked before any prompt; one picked in the dialogue right after its step.
  let check: ReturnType<typeof checkDataset> | undefined;
  const prompts = new LaunchPrompts();
  const refuse = async (dataset: string): Promise<boolean> => {
    check = checkDataset(dataset);
    if (check.errors.length > 0 || check.cases === 0) prompts.dispose();
    if (check.errors.length > 0) {
      const choice = await vscode.window.showErrorMessage(
        `Cannot launch: ${describeErrors(check, 3)}`,
        'Show Problems',
      );
      if (choice === 'Show Problems') {
        await vscode.window.showTextDocument(vscode.Uri.file(dataset));
        await vscode.commands.executeCommand('workbench.actions.view.problems');
      }
      return true;
    }
    if (check.cases === 0) {
      void vscode.window.showErrorMessage(`Cannot launch: ${path.basename(dataset)} has no valid cases.`);
      return true;
    }
    return false;
  };
  if (given.dataset && (await refuse(given.dataset))) return undefined;

  const adaptersFor = (backend: Backend | undefined) => adapterChoices(service.store, backend ?? config.backend);
  const modelGiven = given.adapter !== undefined || given.baseModel !== undefined;
  const steps: StepDef<LaunchAnswers>[] = [
    { key: 'dataset', asked: () => given.dataset === undefined },
    { key: 'backend', asked: () => given.backend === undefined },
    { key: 'start', asked: (a) => !modelGiven && adaptersFor(a.backend).length > 0 },
    { key: 'epochs', asked: () => isTraining(kind) && given.epochs === undefined },
    { key: 'loraRank', asked: () => isTraining(kind) && given.loraRank === undefined },
    { key: 'gpu', asked: (a) => (a.backend ?? given.backend) === 'modal' && given.gpu === undefined },
  ];
  const up: Partial<LaunchAnswers> = {
    ...(given.dataset !== undefined ? { dataset: given.dataset } : {}),
    ...(given.backend !== undefined ? { backend: given.backend } : {}),
    ...(given.epochs !== undefined ? { epochs: given.epochs } : {}),
    ...(given.loraRank !== undefined ? { loraRank: given.loraRank } : {}),
    ...(given.gpu !== undefined ? { gpu: given.gpu } : {}),
  };
  let answers: Partial<LaunchAnswers> | undefined;
  try {
    answers = await runSteps(steps, up, async (p) => {
      const at = { title, step: p.step, totalSteps: p.totalSteps, canGoBack: p.canGoBack };
      const a = p.answers;
      switch (p.key) {
        case 'dataset': {
          const outcome = await prompts.pickDataset(at, p.previous as string | undefined);
          return typeof outcome === 'object' && (await refuse(outcome.value)) ? 'cancel' : outcome;
        }
        case 'backend':
          return prompts.pickBackend(at, (p.previous as Backend | undefined) ?? config.backend);
        case 'start':
          return prompts.pickModel(
            at,
            kind,
            config.baseModel,
            adaptersFor(a.backend),
            p.previous as string | undefined,
          );
        case 'epochs':
          return prompts.askNumber(at, 'Epochs', (p.previous as number | undefined) ?? config.epochs, false);
        case 'loraRank':
          return prompts.askNumber(
            at,
            'LoRA rank',
            (p.previous as number | undefined) ?? defaultLoraRank(kind, config),
            true,
          );
        case 'gpu': {
          const chosen = choicesOf(kind, a, given, config.baseModel);
          const backend = chosen.backend ?? 'modal';
          return prompts.pickGpu(
            at,
            (p.previous as string | undefined) ?? config.gpu,
            (g) => checkLaunch(kind, backend, buildConfig({ ...chosen, gpu: g })),
            recommendGpu(kind, buildConfig(chosen)),
            p.previous !== undefined,
          );
        }
      }
    });
  } finally {
    prompts.dispose();
  }
  if (!answers || !answers.dataset || !answers.backend || !check) return undefined;
  const backend = answers.backend;
  const choices = {
    ...choicesOf(kind, answers, given, config.baseModel),
    ...(kind === 'eval' && config.evalJudge ? { judge: config.evalJudge } : {}),
  };
  const memory = checkLaunch(kind, backend, buildConfig(choices));
  if (memory?.verdict === 'no-fit') {
    void vscode.window.showErrorMessage(`Cannot launch: ${memory.message}`);
    return undefined;
  }
  if (given.confirmed && memory?.verdict === 'tight') void vscode.window.showWarningMessage(memory.message);
  if (!given.confirmed && !(await confirm(kind, choices, check.cases, memory))) return undefined;

  const run = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Launching ${KIND_LABELS[kind]} on ${backend === 'modal' ? 'Modal' : 'this machine'}…`,
    },
    () => service.launch({ kind, backend, config: buildConfig(choices) }),
  );
  if (run.state === 'failed') {
    void vscode.window.showErrorMessage(
      `${KIND_LABELS[kind]} run ${run.id} failed to start: ${run.error ?? 'see its logs'}`,
    );
    return run;
  }
  void vscode.window
    .showInformationMessage(`${KIND_LABELS[kind]} run ${run.id} started (${backend}).`, 'Open Dashboard', 'Show Logs')
    .then((choice) => {
      if (choice === 'Open Dashboard')
        void vscode.commands.executeCommand(DASHBOARD_COMMANDS.openDashboard, {
          runId: run.id,
          dir: service.store.runDir(run.id),
        });
      if (choice === 'Show Logs') void vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, { runId: run.id });
    });
  return run;
}

function kindVerb(kind: RunKind): string {
  return { sft: 'Launch SFT', grpo: 'Launch GRPO', eval: 'Run Evaluation', generate: 'Generate Synthetic Dataset' }[
    kind
  ];
}

/** The launch choices for these answers (those given up front fill the steps not asked). */
function choicesOf(kind: RunKind, a: Partial<LaunchAnswers>, given: LaunchArgs, baseModel: string): LaunchChoices {
  const adapter = a.start !== undefined ? a.start || undefined : given.adapter;
  return {
    kind,
    backend: a.backend ?? 'local',
    ...(a.dataset !== undefined ? { dataset: a.dataset } : {}),
    baseModel: given.baseModel ?? baseModel,
    ...(adapter ? { adapter } : {}),
    ...(isTraining(kind) && a.epochs !== undefined ? { epochs: a.epochs } : {}),
    ...(isTraining(kind) && a.loraRank !== undefined ? { loraRank: a.loraRank } : {}),
    ...(a.backend === 'modal' && a.gpu !== undefined ? { gpu: a.gpu } : {}),
  };
}

/** Where a prompt stands in the dialogue. */
interface StepAt {
  title: string;
  step: number;
  totalSteps: number;
  canGoBack: boolean;
}

const FIT_WORDS: Record<string, string> = { fits: 'fits', tight: 'tight', 'no-fit': 'does not fit' };

/**
 * The prompts of the dialogue as quick inputs with a step counter and a Back button. Each step shows a new
 * input and then disposes the one before, so the widget never closes between steps.
 */
class LaunchPrompts implements vscode.Disposable {
  private current: vscode.QuickInput | undefined;

  dispose(): void {
    this.current?.dispose();
    this.current = undefined;
  }

  private show(input: vscode.QuickInput, at: StepAt, title: string): void {
    input.title = title;
    input.step = at.step;
    input.totalSteps = at.totalSteps;
    const previous = this.current;
    this.current = input;
    input.show();
    previous?.dispose();
  }

  /**
   * Shows `input` as step `at`, with a Back button when there is a step to go back to, and settles on what the
   * listeners from `listen` resolve, or 'back', or 'cancel' when it is hidden; the listeners are disposed after.
   */
  private ask<T>(
    input: vscode.QuickInput & Pick<vscode.InputBox, 'buttons' | 'onDidTriggerButton'>,
    at: StepAt,
    title: string,
    listen: (resolve: (outcome: StepOutcome<T>) => void) => vscode.Disposable[],
  ): Promise<StepOutcome<T>> {
    input.buttons = at.canGoBack ? [vscode.QuickInputButtons.Back] : [];
    const subscriptions: vscode.Disposable[] = [];
    return new Promise<StepOutcome<T>>((resolve) => {
      subscriptions.push(
        input.onDidTriggerButton((b) => {
          if (b === vscode.QuickInputButtons.Back) resolve('back');
        }),
        ...listen(resolve),
        input.onDidHide(() => resolve('cancel')),
      );
      this.show(input, at, title);
    }).finally(() => subscriptions.forEach((d) => d.dispose()));
  }

  private pick<T extends vscode.QuickPickItem>(
    at: StepAt,
    title: string,
    items: T[],
    active: T | undefined,
    placeholder?: string,
  ): Promise<StepOutcome<T>> {
    const input = vscode.window.createQuickPick<T>();
    input.items = items;
    if (active) input.activeItems = [active];
    if (placeholder !== undefined) input.placeholder = placeholder;
    return this.ask(input, at, title, (resolve) => [
      input.onDidAccept(() => {
        const item = input.selectedItems[0] ?? input.activeItems[0];
        if (item) resolve({ value: item });
      }),
    ]);
  }

  async pickDataset(at: StepAt, previous: string | undefined): Promise<StepOutcome<string>> {
    const files = await DatasetsTreeProvider.findCaseFiles();
    const browse = { label: '$(folder-opened) Browse…', file: '' };
    const items = [
      ...files.map((u) => ({
        label: path.basename(u.fsPath),
        description: vscode.workspace.asRelativePath(u),
        file: u.fsPath,
      })),
      browse,
    ];
    const outcome = await this.pick(
      at,
      `${at.title}: case file`,
      items,
      items.find((i) => i.file === previous),
      'Which case dataset?',
    );
    if (typeof outcome !== 'object') return outcome;
    if (outcome.value !== browse) return { value: outcome.value.file };
    this.dispose();
    const uris = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Case datasets': ['jsonl'] } });
    return uris?.[0] ? { value: uris[0].fsPath } : 'cancel';
  }

  async pickBackend(at: StepAt, preferred: Backend): Promise<StepOutcome<Backend>> {
    const items: { label: string; description: string; backend: Backend }[] = [
      { label: 'Modal', description: 'GPU in the cloud (needs the deployed app and a Modal token)', backend: 'modal' },
      { label: 'Local', description: 'this machine, with the configured Python', backend: 'local' },
    ];
    items.sort((a, b) => (a.backend === preferred ? -1 : b.backend === preferred ? 1 : 0));
    const outcome = await this.pick(at, `${at.title}: where to run`, items, items[0]);
    return typeof outcome === 'object' ? { value: outcome.value.backend } : outcome;
  }

  /** The adapter path to start from, or '' for the base model. */
  async pickModel(
    at: StepAt,
    kind: RunKind,
    baseModel: string,
    adapters: ReturnType<typeof adapterChoices>,
    previous: string | undefined,
  ): Promise<StepOutcome<string>> {
    const items = [
      { label: `$(symbol-class) ${baseModel}`, description: 'base model', adapter: '' },
      ...adapters.map((a) => ({
        label: `$(layers) ${a.runId}`,
        description: `${KIND_LABELS[a.kind]} adapter · ${a.path}`,
        adapter: a.path,
      })),
    ];
    const placeholder =
      kind === 'grpo' ? 'GRPO usually starts from an SFT adapter' : 'Base model or an adapter from an earlier run';
    const outcome = await this.pick(
      at,
      `${at.title}: start from`,
      items,
      items.find((i) => i.adapter === previous),
      placeholder,
    );
    return typeof outcome === 'object' ? { value: outcome.value.adapter } : outcome;
  }

  /** Modal GPUs with price and memory verdict; the preferred one first when it fits, else the cheapest that does. */
  async pickGpu(
    at: StepAt,
    preferred: string,
    fit: (gpu: string) => MemoryCheck | undefined,
    recommended: string | undefined,
    keepPreferred: boolean,
  ): Promise<StepOutcome<string>> {
    const items = GPUS.map((gpu) => {
      const m = fit(gpu);
      const memory =
        m && m.verdict !== 'unknown' && m.gib !== undefined
          ? ` · ~${m.gib.toFixed(0)} GiB: ${FIT_WORDS[m.verdict]}`
          : '';
      return { label: gpu, description: `$${(pricePerHour(gpu) ?? 0).toFixed(2)}/h${memory}` };
    });
    // An earlier answer (after Back) is preselected even when it does not fit: the memory check refuses it later.
    const first = !keepPreferred && fit(preferred)?.verdict === 'no-fit' && recommended ? recommended : preferred;
    items.sort((a, b) => (a.label === first ? -1 : b.label === first ? 1 : 0));
    const outcome = await this.pick(at, `${at.title}: GPU`, items, items[0]);
    return typeof outcome === 'object' ? { value: outcome.value.label } : outcome;
  }

  askNumber(at: StepAt, what: string, value: number, integer: boolean): Promise<StepOutcome<number>> {
    const validate = (v: string): string | undefined => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) return `${what} must be a positive number`;
      if (integer && !Number.isInteger(n)) return `${what} must be a whole number`;
      return undefined;
    };
    const input = vscode.window.createInputBox();
    input.value = String(value);
    return this.ask(input, at, `${at.title}: ${what}`, (resolve) => [
      input.onDidChangeValue((v) => {
        input.validationMessage = validate(v);
      }),
      input.onDidAccept(() => {
        const message = validate(input.value);
        input.validationMessage = message;
        if (message === undefined) resolve({ value: Number(input.value) });
      }),
    ]);
  }
}

async function confirm(
  kind: RunKind,
  choices: LaunchChoices,
  cases: number,
  memory: MemoryCheck | undefined,
): Promise<boolean> {
  const lines = [
    `Dataset: ${path.basename(choices.dataset ?? '')} (${cases} cases)`,
    `Model: ${choices.adapter ? `adapter ${choices.adapter}` : (choices.baseModel ?? '')}`,
    isTraining(kind) ? `Epochs: ${choices.epochs ?? ''} · LoRA rank: ${choices.loraRank ?? ''}` : undefined,
    choices.judge ? `Match judge: ${choices.judge} (psychohistory.evalJudge)` : undefined,
  ];
  if (choices.backend === 'modal' && choices.gpu) {
    const e = estimateCost({
      kind,
      gpu: choices.gpu,
      cases,
      ...(choices.epochs !== undefined ? { epochs: choices.epochs } : {}),
    });
    lines.push(
      `GPU: ${e.gpu} at ${formatUsd(e.pricePerHour)}/h`,
      `Estimated cost: ${formatUsd(e.usd)} (≈ ${formatDuration(e.seconds)}; ${e.basis}; prices as of ${e.priceTableDate})`,
    );
    if (memory) lines.push(`${memory.verdict === 'tight' ? 'Memory (tight!)' : 'Memory'}: ${memory.message}`);
  } else {
    lines.push('Runs on this machine: no GPU cost.');
  }
  const go = 'Launch';
  const answer = await vscode.window.showInformationMessage(
    `${kindVerb(kind)} on ${choices.backend === 'modal' ? 'Modal' : 'this machine'}?`,
    { modal: true, detail: lines.filter(Boolean).join('\n') },
    go,
  );
  return answer === go;
}
