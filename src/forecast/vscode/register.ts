// The forecast feature's VS Code shell: the service to talk to (the local one this window started,
// else psychohistory.service.url with the token from SecretStorage), the commands (forecast, start /
// stop / deploy the service, token, record outcome, monitoring), the Predictions view. The HTTP
// client, input checks, prediction rows and track shaping are the pure core in src/forecast.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommandTable, type Ctx } from '../../shell/context';
import type { ForecastListItem, ForecastResponse } from '../../contracts/service';
import { RunStore, runsRootOf } from '../../runs/runStore';
import { adapterChoices } from '../../jobs/launchConfig';
import { resolvePython } from '../../jobs/backends/local';
import { GPUS } from '../../jobs/cost';
import { readJobsConfig } from '../../config/vscode/config';
import { Secrets, askSecret } from '../../jobs/vscode/secrets';
import { JOB_COMMANDS } from '../../jobs/commands';
import { openModalDeployTerminal } from '../../jobs/vscode/deployModal';
import { DASHBOARD_COMMANDS } from '../../dashboard/commands';
import { ForecastClient, ServiceError, type ServiceAction } from '../client';
import { FORECAST_COMMANDS } from '../commands';
import { buildRequest, checkCount, checkDate, checkSeed, CONTRACT_LIMITS } from '../inputs';
import { LocalService, localModelChoices, serveArgs } from '../localService';
import { levelCandidates, nextOpenDepth } from '../predictions';
import { CHRONICLED_PREDICTIONS_FILE, chronicleInput, suggestedOutcome } from '../chronicleOutcome';
import type { SuggestedOutcome } from '../chronicleOutcome';
import { agentRunner, readAgentsConfig, workspaceRoot as agentsRoot } from '../../agents/vscode/register';
import { chronicle } from '../../agents/chronicler';
import { readDraft } from '../../agents/draftFile';
import { CaseSchema } from '../../contracts/case';
import { affectsSetting, readServiceConfig } from '../../config/vscode/config';
import { SETTING_SECTIONS, SETTINGS } from '../../config/settings';
import { serviceDeployEnv } from '../deploy';
import { MonitoringPanel } from './monitoringPanel';
import { PREDICTIONS_VIEW, PredictionsProvider } from './predictionsView';

const ACTION_LABELS: Record<ServiceAction, string> = {
  setToken: 'Set Forecast Service Token',
  setProxyToken: 'Set Modal Proxy Auth Token',
  startLocalService: 'Start Local Forecast Service',
  openSettings: 'Open Settings',
  retry: 'Retry',
  showServiceLog: 'Show Service Output',
};

function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

export function registerForecast(ctx: Ctx): vscode.Disposable[] {
  const secrets = new Secrets(ctx.extension.secrets);
  const local = new LocalService();
  const output = vscode.window.createOutputChannel('PsychoHistory Forecast Service');
  let monitoring: MonitoringPanel | undefined;

  /** The service to talk to, or undefined when there is none. */
  const client = async (): Promise<ForecastClient | undefined> => {
    const config = readServiceConfig();
    const running = local.running;
    if (running)
      return new ForecastClient({
        url: running.url,
        token: running.token,
        timeoutMs: config.timeoutSeconds * 1000,
        local: true,
      });
    if (!config.url) return undefined;
    const [token, proxyAuth] = await Promise.all([secrets.serviceToken(), secrets.serviceProxyAuth()]);
    return new ForecastClient({
      url: config.url,
      token,
      ...(proxyAuth ? { proxyAuth } : {}),
      timeoutMs: config.timeoutSeconds * 1000,
    });
  };
  const requireClient = async (): Promise<ForecastClient> => {
    const c = await client();
    if (!c)
      throw new ServiceError(
        'No forecast service: start the local one, or set psychohistory.service.url to a deployed one (and its token with "Set Forecast Service Token").',
        'no-service',
        'startLocalService',
      );
    return c;
  };

  const predictions = new PredictionsProvider(client, ctx.log);
  const view = vscode.window.createTreeView(PREDICTIONS_VIEW, {
    treeDataProvider: predictions,
    showCollapseAll: false,
  });
  predictions.view = view;
  const refreshAll = () => {
    void predictions.refresh();
    void monitoring?.refresh();
  };

  /** Shows a service error with its way out as a button; `retry` runs again what failed. */
  const showError = async (err: unknown, retry?: () => Promise<unknown>): Promise<void> => {
    const message = err instanceof Error ? err.message : String(err);
    ctx.log.error(message);
    const action = err instanceof ServiceError ? err.action : undefined;
    const label = action && (action !== 'retry' || retry) ? ACTION_LABELS[action] : undefined;
    const choice = await (label
      ? vscode.window.showErrorMessage(`PsychoHistory: ${message}`, label)
      : vscode.window.showErrorMessage(`PsychoHistory: ${message}`));
    if (!choice) return;
    if (action === 'retry' && retry) await retry();
    else if (action) await runAction(action);
  };
  /** A command whose service errors (no service, unreachable, 401…) come with their button, not as plain text. */
  const withWayOut =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R | undefined> => {
      try {
        return await fn(...args);
      } catch (err) {
        if (!(err instanceof ServiceError)) throw err;
        await showError(err);
        return undefined;
      }
    };
  const runAction = async (action: ServiceAction | 'openSettings'): Promise<unknown> => {
    switch (action) {
      case 'setToken':
        return vscode.commands.executeCommand(FORECAST_COMMANDS.setServiceToken);
      case 'setProxyToken':
        return vscode.commands.executeCommand(FORECAST_COMMANDS.setServiceProxyToken);
      case 'startLocalService':
        return vscode.commands.executeCommand(FORECAST_COMMANDS.startLocalService);
      case 'showServiceLog':
        return output.show(true);
      case 'openSettings':
        return vscode.commands.executeCommand('workbench.action.openSettings', SETTING_SECTIONS.service);
      default:
        return undefined;
    }
  };

  const startLocal = async (arg?: unknown): Promise<string | undefined> => {
    const running = local.running;
    if (running) {
      void vscode.window.showInformationMessage(
        `The local forecast service is already running at ${running.url} (${running.models.join(', ')}).`,
      );
      return running.url;
    }
    const root = workspaceRoot();
    if (!root)
      throw new Error(
        'Open the project folder first: the local service runs from its training folder and keeps its database in .psychohistory/serve.',
      );
    const jobs = readJobsConfig();
    const trainingDir = path.resolve(root, jobs.trainingFolder);
    const store = new RunStore(runsRootOf(root), { report: (p) => ctx.log.warn(`Skipped run ${p.id}: ${p.reason}`) });
    const choices = localModelChoices(store, readServiceConfig().baseModel || jobs.baseModel);
    const given = (arg as { adapter?: string; baseModel?: string } | undefined) ?? {};
    let choice = choices.find((c) => given.adapter !== undefined && c.adapter === given.adapter);
    if (!choice && given.baseModel)
      choice = { label: given.baseModel, detail: '', baseModel: given.baseModel, adapter: given.adapter ?? '' };
    if (!choice) {
      const picked =
        choices.length === 1
          ? { choice: choices[0]! }
          : await vscode.window.showQuickPick(
              choices.map((c) => ({
                label: c.adapter ? `$(layers) ${c.label}` : `$(symbol-class) ${c.label}`,
                detail: c.detail,
                choice: c,
              })),
              {
                title: 'Start Local Forecast Service: which model',
                placeHolder: 'An adapter of a finished SFT/GRPO run on this machine, or the base model alone',
              },
            );
      if (!picked) return undefined;
      choice = picked.choice;
    }
    const config = readServiceConfig();
    const db = path.join(root, '.psychohistory', 'serve', 'serve.db');
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(db)));
    const python = resolvePython(jobs.python, root, trainingDir);
    const args = serveArgs({ baseModel: choice.baseModel, adapter: choice.adapter, db, extra: config.localArgs });
    output.appendLine(`$ ${python} ${args.join(' ')}   (in ${trainingDir})`);
    output.show(true);
    const started = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Starting the local forecast service (${choice.label})…`,
      },
      (progress) => {
        progress.report({ message: 'loading the model, then waiting for /healthz' });
        return local.start({
          python,
          cwd: trainingDir,
          args,
          env: {},
          output: (t) => output.append(t),
          readyTimeoutMs: config.startTimeoutSeconds * 1000,
          onUnexpectedExit: (how) => {
            output.appendLine(`The service exited (${how}).`);
            refreshAll();
            void showError(
              new ServiceError(
                `The local forecast service exited (${how}). Its output has the last lines; start it again when ready.`,
                'server',
                'showServiceLog',
              ),
            );
          },
        });
      },
    );
    ctx.log.info(`Local forecast service at ${started.url} (${started.models.join(', ')}), pid ${started.pid}`);
    void vscode.window.showInformationMessage(
      `Local forecast service ready at ${started.url} (${started.models.join(', ')}).`,
    );
    refreshAll();
    return started.url;
  };

  const forecast = async (arg?: unknown): Promise<string | undefined> => {
    const c = await requireClient();
    const given = (arg ?? {}) as Partial<{ event: string; date: string; depth: number; breadth: number }>;
    // The four questions, each skipped when the caller gave its answer (title, first value, check, prompt).
    const questions = [
      ['event', 'seed event', '', checkSeed, 'What happened — the event the forecast starts from'],
      ['date', 'date', new Date().toISOString().slice(0, 10), checkDate, 'When it happened, YYYY-MM-DD'],
      [
        'depth',
        'depth',
        '2',
        (v: string) => checkCount(v, 'depth', CONTRACT_LIMITS.depth),
        'Levels below the seed (the service allows up to its max_depth, 4 by default)',
      ],
      [
        'breadth',
        'breadth',
        '3',
        (v: string) => checkCount(v, 'breadth', CONTRACT_LIMITS.breadth),
        'Children per node, the most likely first',
      ],
    ] as const;
    const answers = { event: '', date: '', depth: '', breadth: '' };
    for (const [i, [key, title, value, validate, prompt]] of questions.entries()) {
      const answer =
        given[key] !== undefined
          ? String(given[key])
          : await vscode.window.showInputBox({
              title: `Forecast Seed Event: ${title} (${i + 1}/${questions.length})`,
              value,
              prompt,
              ignoreFocusOut: true,
              validateInput: validate,
            });
      if (answer === undefined) return undefined;
      answers[key] = answer;
    }
    const request = buildRequest(answers.event, answers.date, answers.depth, answers.breadth);
    if (typeof request === 'string') throw new Error(request);
    const run = async (): Promise<string | undefined> => {
      let answer: ForecastResponse;
      try {
        answer = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Notification,
            title: `Forecasting “${request.seed.event}” (depth ${request.depth} × breadth ${request.breadth})…`,
          },
          () => c.forecast(request),
        );
      } catch (err) {
        await showError(err, run);
        return undefined;
      }
      ctx.log.info(`Forecast ${answer.id} by ${answer.model}${answer.cached ? ' (cached)' : ''}`);
      await vscode.commands.executeCommand(DASHBOARD_COMMANDS.showServiceForecast, answer);
      void predictions.refresh();
      void vscode.window.showInformationMessage(
        `Forecast ${answer.cached ? 'from the cache' : 'ready'}: ${answer.children.length} first-level events from ${answer.model}. Record what happened in the Predictions view.`,
      );
      return answer.id;
    };
    return run();
  };

  const pickOpenForecast = async (arg: unknown): Promise<ForecastListItem | undefined> => {
    const id = typeof arg === 'string' ? arg : (arg as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') {
      const known = predictions.open.find((f) => f.id === id);
      if (known) return known;
    }
    const c = await requireClient();
    const open = (await c.forecasts(true)).forecasts;
    if (typeof id === 'string') {
      const found = open.find((f) => f.id === id);
      if (!found)
        throw new Error(
          `Forecast ${id} does not await an outcome (every level is recorded, or the service does not know it).`,
        );
      return found;
    }
    if (!open.length) {
      void vscode.window.showInformationMessage('No forecast awaits an outcome. Make one with "Forecast Seed Event…".');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      open.map((f) => ({
        label: f.request.seed.event,
        description: `${f.request.seed.date} · ${f.model}`,
        detail: `forecast ${f.createdAt}`,
        f,
      })),
      { title: 'Record Outcome: which forecast' },
    );
    return picked?.f;
  };

  const recordOutcome = async (arg?: unknown): Promise<string | undefined> => {
    const f = await pickOpenForecast(arg);
    if (!f) return undefined;
    const depth = nextOpenDepth(f);
    if (depth === undefined) throw new Error(`Every level of forecast ${f.id} already has its outcome.`);
    const given = (arg as { event?: unknown } | undefined)?.event;
    let event = typeof given === 'string' ? given : undefined;
    // From Chronicle Outcome: the chronicled depth-1 actual, preselected (first) or as the free text.
    const suggest = (arg as { suggest?: SuggestedOutcome } | undefined)?.suggest;
    const hint = suggest && suggest.depth === depth ? suggest : undefined;
    if (event === undefined) {
      const other = {
        label: '$(edit) Something else happened…',
        description: 'type what happened',
        event: undefined as string | undefined,
      };
      const candidates = levelCandidates(f, depth).map((n) => ({
        label: n.event,
        description: `${Math.round(n.probability * 100)} % forecast${hint?.inForecast && hint.event === n.event ? ' · chronicled' : ''}`,
        event: n.event as string | undefined,
      }));
      const first = hint?.inForecast ? candidates.findIndex((c) => c.event === hint.event) : -1;
      if (first > 0) candidates.unshift(...candidates.splice(first, 1));
      if (hint && !hint.inForecast) other.description = `chronicled: ${hint.event}`;
      const items = hint && !hint.inForecast ? [other, ...candidates] : [...candidates, other];
      const picked = await vscode.window.showQuickPick(items, {
        title: `Record Outcome: what happened at depth ${depth} after “${f.request.seed.event}”?`,
        placeHolder: 'Pick the event that happened, or type it',
      });
      if (!picked) return undefined;
      event =
        picked.event ??
        (await vscode.window.showInputBox({
          title: `Record Outcome: depth ${depth}`,
          prompt: 'What actually happened',
          ...(hint && !hint.inForecast ? { value: hint.event } : {}),
          ignoreFocusOut: true,
          validateInput: (v) =>
            v.trim() ? (v.trim().length > 500 ? 'At most 500 characters.' : undefined) : 'Describe what happened.',
        }));
      if (event === undefined) return undefined;
    }
    const c = await requireClient();
    const body = { id: f.id, depth, event: event.trim() };
    const run = async (): Promise<string | undefined> => {
      try {
        const r = await c.recordOutcome(body);
        const ppl = r.perplexity !== null ? `, perplexity ${r.perplexity.toFixed(2)}` : '';
        void vscode.window.showInformationMessage(
          `Outcome recorded for depth ${r.depth}: “${r.event}” — ${r.inForecast ? 'the forecast had it' : 'not in the forecast'}${ppl}.`,
        );
        refreshAll();
        return r.event;
      } catch (err) {
        await showError(err, run);
        return undefined;
      }
    };
    return run();
  };

  const agents = agentRunner(ctx);

  /** Chronicle Outcome: the Chronicler on the prediction's seed (as Chronicle Outcomes), then Record Outcome. */
  const chronicleOutcome = async (arg?: unknown): Promise<void> => {
    const f = await pickOpenForecast(arg);
    if (!f) return;
    const root = agentsRoot();
    // Next to the workspace's other case files (the first one found), else in data/.
    const cases = await vscode.workspace.findFiles('**/*.cases.jsonl', '**/node_modules/**', 1);
    const dir = cases[0] ? path.dirname(cases[0].fsPath) : path.join(root, 'data');
    const file = path.join(dir, CHRONICLED_PREDICTIONS_FILE);
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
    const seed = chronicleInput(f);
    const depth = readAgentsConfig().depth;
    const title = `Chronicle Outcome: ${seed.seed.event}`;
    const outcome = await agents.run(
      title,
      { agent: 'chronicle', forecast: f.id, out: path.relative(root, file), depth, seeds: 1 },
      (c) => chronicle({ seeds: [seed], out: file, depth }, c),
      file,
      false,
    );
    if (!outcome) return;
    const r = outcome.run;
    if (!outcome.summary) {
      const choice = await vscode.window.showErrorMessage(
        `${title}: ${r.state}${r.error ? ` — ${r.error.split('\n')[0]}` : ''}`,
        'Show Logs',
      );
      if (choice) await vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, { runId: r.id });
      return;
    }
    if (outcome.summary.cancelled) {
      void vscode.window.showWarningMessage(`${title}: cancelled; nothing was kept.`);
      return;
    }
    // Written now, or (a repeat) already in the file: the case with this seed's id.
    const written =
      outcome.summary?.written.find((c) => c.id === seed.id) ??
      readDraft(file)
        .map((l) => CaseSchema.safeParse(l.value))
        .find((p) => p.success && p.data.id === seed.id)?.data;
    if (!written) {
      const reason = outcome.summary?.failures[0]?.reason;
      const choice = await vscode.window.showWarningMessage(
        `${title}: no sourced outcome found${reason ? ` (${reason})` : ''}; nothing was kept.`,
        'Show Logs',
      );
      if (choice) await vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, { runId: r.id });
      return;
    }
    const suggest = suggestedOutcome(f, written);
    const choice = await vscode.window.showInformationMessage(
      suggest
        ? `Chronicled in ${path.basename(file)}: “${suggest.event}” happened next${suggest.inForecast ? ' (a forecast event)' : ' (not among the forecast events)'}.`
        : `Chronicled in ${path.basename(file)}, without a first-level outcome.`,
      ...(suggest ? ['Record Outcome'] : []),
      'Open File',
    );
    if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(file));
    if (choice === 'Record Outcome') await recordOutcome({ id: f.id, suggest });
  };

  const deployService = async (): Promise<void> => {
    const root = workspaceRoot();
    if (!root) throw new Error('Open the project folder first.');
    const jobs = readJobsConfig();
    const store = new RunStore(runsRootOf(root), { report: (p) => ctx.log.warn(`Skipped run ${p.id}: ${p.reason}`) });
    const models = [
      ...adapterChoices(store, 'modal').map((a) => {
        const base = store.read(a.runId)?.config['base_model'];
        return {
          label: `$(layers) ${a.runId}`,
          detail: `${a.kind.toUpperCase()} adapter · ${a.path}`,
          adapter: a.path,
          base: typeof base === 'string' && base ? base : jobs.baseModel,
        };
      }),
      { label: `$(symbol-class) ${jobs.baseModel}`, detail: 'the base model alone', adapter: '', base: jobs.baseModel },
    ];
    const model = await vscode.window.showQuickPick(models, {
      title: 'Deploy Forecast Service (1/2): which model',
      placeHolder: 'An adapter of a finished Modal SFT/GRPO run (on the Volume), or the base model',
    });
    if (!model) return;
    const gpus = [jobs.gpu, ...GPUS.filter((g) => g !== jobs.gpu)];
    const gpu = await vscode.window.showQuickPick(gpus, {
      title: 'Deploy Forecast Service (2/2): GPU of the service',
      placeHolder: 'The web endpoint holds this card while it is up (5 minutes scale-down)',
    });
    if (!gpu) return;
    await openModalDeployTerminal(
      secrets,
      serviceDeployEnv({ baseModel: model.base, adapter: model.adapter, gpu }),
      'Modal deploy (forecast service)',
    );
    void vscode.window
      .showInformationMessage(
        'Deploying the forecast service (function "web" of the psychohistory app). Its bearer tokens come from the Modal secret "psychohistory-serve" (PSYCHOHISTORY_TOKENS). When the deploy prints the web endpoint URL, set psychohistory.service.url to it and the token with "Set Forecast Service Token".',
        'Open Settings',
      )
      .then((c) => c && runAction('openSettings'));
  };

  const disposables: vscode.Disposable[] = [
    output,
    predictions,
    view,
    { dispose: () => local.stop() },
    { dispose: () => monitoring?.dispose() },
    view.onDidChangeVisibility((e) => {
      if (e.visible) void predictions.refresh();
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      // The service's base model falls back to the training one.
      if (affectsSetting(e, SETTING_SECTIONS.service, SETTINGS.baseModel)) refreshAll();
    }),
    ...registerCommandTable(ctx, {
      [FORECAST_COMMANDS.forecastSeedEvent]: withWayOut(forecast),
      [FORECAST_COMMANDS.startLocalService]: async (arg?: unknown) => {
        try {
          return await startLocal(arg);
        } catch (err) {
          output.appendLine(err instanceof Error ? err.message : String(err));
          await showError(
            new ServiceError(err instanceof Error ? err.message : String(err), 'server', 'showServiceLog'),
          );
          return undefined;
        }
      },
      [FORECAST_COMMANDS.stopLocalService]: () => {
        if (!local.running) {
          void vscode.window.showInformationMessage('No local forecast service is running in this window.');
          return false;
        }
        local.stop();
        output.appendLine('Stopped.');
        refreshAll();
        return true;
      },
      [FORECAST_COMMANDS.setServiceToken]: async () => {
        const token = await askSecret({
          title: 'Forecast service token',
          prompt: 'The bearer token of the service at psychohistory.service.url (one of its PSYCHOHISTORY_TOKENS)',
          required: true,
          check: (v) => (/\s/.test(v) ? 'A token has no spaces.' : undefined),
        });
        if (!token) return;
        await secrets.set('serviceToken', token);
        void vscode.window.showInformationMessage('Forecast service token saved in the editor’s secret storage.');
        refreshAll();
      },
      [FORECAST_COMMANDS.setServiceProxyToken]: async () => {
        const key = await askSecret({
          title: 'Modal Proxy Auth Token: token id',
          prompt:
            'For a deployed forecast service (requires_proxy_auth): the Token ID of a Proxy Auth Token of your Modal workspace',
          placeHolder: 'wk-…',
          password: false,
          required: true,
        });
        if (!key) return;
        const secret = await askSecret({
          title: 'Modal Proxy Auth Token: token secret',
          placeHolder: 'ws-…',
          required: true,
        });
        if (!secret) return;
        await secrets.set('serviceProxyKey', key);
        await secrets.set('serviceProxySecret', secret);
        void vscode.window.showInformationMessage(
          'Modal Proxy Auth Token saved in the editor’s secret storage; requests to psychohistory.service.url carry it (Modal-Key / Modal-Secret).',
        );
        refreshAll();
      },
      [FORECAST_COMMANDS.recordOutcome]: withWayOut(recordOutcome),
      [FORECAST_COMMANDS.chronicleOutcome]: withWayOut(chronicleOutcome),
      [FORECAST_COMMANDS.refreshPredictions]: () => predictions.refresh(),
      [FORECAST_COMMANDS.showPrediction]: withWayOut(async (arg?: unknown) => {
        const f = await pickOpenForecast(arg);
        if (f) await vscode.commands.executeCommand(DASHBOARD_COMMANDS.showServiceForecast, f.tree);
      }),
      [FORECAST_COMMANDS.openMonitoring]: () => {
        if (monitoring) monitoring.reveal();
        else
          monitoring = new MonitoringPanel(
            ctx,
            client,
            (a) => runAction(a),
            () => (monitoring = undefined),
          );
      },
      [FORECAST_COMMANDS.deployForecastService]: deployService,
      [FORECAST_COMMANDS.showServiceLog]: () => output.show(true),
    }),
  ];
  void predictions.refresh();
  return disposables;
}
