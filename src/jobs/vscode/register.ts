// The jobs feature's VS Code shell: commands (launch, cancel, logs, Modal deploy and tokens) and
// reattaching on activation to every run still marked active (and to runs started elsewhere). All
// job logic is in the pure core (src/jobs); this file only asks questions and shows answers. The
// Runs and Datasets views are src/views/vscode/register.ts; changes reach them through ctx.runs.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import type { RunKind, RunRecord } from '../../contracts/run';
import type { MetricEvent } from '../../contracts/metrics';
import type { RunStore } from '../../runs/runStore';
import { debounce } from '../../shell/debounce';
import { JobService } from '../jobService';
import { LocalBackend, resolvePython } from '../backends/local';
import { ModalBackend, checkModalToken, createModalClient } from '../backends/modal';
import { modalDashboardUrl } from '../modalDashboard';
import { FollowWarnings } from '../followWarnings';
import { LogFollower } from '../../runs/logFollower';
import { JobError, messageOf } from '../errors';
import { isTerminal } from '../stateMachine';
import { affectsSetting, readJobsConfig } from '../../config/vscode/config';
import { SETTINGS } from '../../config/settings';
import { Secrets, askSecret, type SecretQuestion } from './secrets';
import { launchFlow } from './launchFlow';
import { openModalDeployTerminal } from './deployModal';
import { JOB_COMMANDS } from '../commands';
import { cancelAgentRun } from '../../agents/activeRuns';
import { DASHBOARD_COMMANDS } from '../../dashboard/commands';

/** Everything that depends on the open folder, built once a folder is there. */
interface Workspace {
  root: string;
  store: RunStore;
  service: JobService;
  modal: ModalBackend;
}

export function registerJobs(ctx: Ctx): vscode.Disposable[] {
  const secrets = new Secrets(ctx.extension.secrets);
  /** A command that asks for a secret local jobs get as the environment variable `env`, and keeps it. */
  const saveJobSecret =
    (question: SecretQuestion, key: 'huggingFace' | 'openRouter', name: string, env: string) =>
    async (): Promise<void> => {
      const value = await askSecret(question);
      if (!value) return;
      await secrets.set(key, value);
      void vscode.window.showInformationMessage(
        `${name} saved in the editor’s secret storage (local jobs get it as ${env}).`,
      );
    };
  const disposables: vscode.Disposable[] = [];
  let ws: Workspace | undefined;
  // One output channel per run whose logs were asked for, following logs.txt while the run is active.
  const logChannels = new Map<string, { channel: vscode.OutputChannel; follower: LogFollower | undefined }>();
  disposables.push({
    dispose: () => {
      for (const { channel, follower } of logChannels.values()) {
        follower?.dispose();
        channel.dispose();
      }
      logChannels.clear();
    },
  });
  const followWarnings = new FollowWarnings((runId, message) => {
    ctx.log.warn(message);
    void vscode.window.showWarningMessage(`PsychoHistory: ${message}`, 'Show Logs').then((c) => {
      if (c === 'Show Logs') void vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, { runId });
    });
  });

  const refresh = () => ctx.runs.fireChanged();

  const open = (): Workspace => {
    if (ws) return ws;
    const root = ctx.runs.root();
    const store = ctx.runs.get();
    if (!root || !store) throw new Error('Open a workspace folder first: runs live in its .psychohistory/runs.');
    const service = new JobService(store);
    const hooks = {
      changed: (id: string, events?: readonly MetricEvent[]) => service.notify(id, events),
      log: (m: string) => ctx.log.info(m),
      warn: (id: string, m: string) => followWarnings.warn(id, m),
    };
    const trainingDir = () => path.resolve(root, readJobsConfig().trainingFolder);
    service.addBackend(
      new LocalBackend({
        store,
        trainingDir: trainingDir(),
        python: () => resolvePython(readJobsConfig().python, root, trainingDir()),
        env: () => secrets.jobEnv(),
        hooks,
      }),
    );
    const modal = new ModalBackend({
      store,
      hooks,
      client: async () => createModalClient(await secrets.modalCredentials(), readJobsConfig().modalEnvironment),
    });
    service.addBackend(modal);
    service.onDidChange((change) => {
      refresh();
      const run = store.read(change.runId);
      if (run && isTerminal(run.state) && change.events === undefined) announceEnd(run);
    });
    ws = { root, store, service, modal };
    return ws;
  };

  // Tell the user once when a run they are following ends.
  const announced = new Set<string>();
  const announceEnd = (run: RunRecord) => {
    if (announced.has(run.id) || !run.endedAt || Date.now() - Date.parse(run.endedAt) > 60_000) return;
    announced.add(run.id);
    const text = `${run.kind.toUpperCase()} run ${run.id} ${run.state}${run.error ? `: ${run.error.split('\n')[0]}` : ''}`;
    const show = run.state === 'failed' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    void show(text, 'Open Dashboard', 'Show Logs').then((c) => {
      if (c === 'Open Dashboard')
        void vscode.commands.executeCommand(DASHBOARD_COMMANDS.openDashboard, {
          runId: run.id,
          dir: ws?.store.runDir(run.id),
        });
      if (c === 'Show Logs') void vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, { runId: run.id });
    });
  };

  /** Show a JobError with its way out as a button. */
  const showJobError = async (err: unknown): Promise<void> => {
    const message = messageOf(err);
    ctx.log.error(message);
    if (err instanceof JobError && err.action) {
      const label = err.action === 'deployModalApp' ? 'Deploy Modal App' : 'Set Modal Token';
      const choice = await vscode.window.showErrorMessage(`PsychoHistory: ${message}`, label);
      if (choice === label)
        await vscode.commands.executeCommand(
          err.action === 'deployModalApp' ? JOB_COMMANDS.deployModalApp : JOB_COMMANDS.setModalToken,
        );
      return;
    }
    void vscode.window.showErrorMessage(`PsychoHistory: ${message}`);
  };

  const launch = (kind: RunKind) => async (arg?: unknown) => {
    const w = open();
    try {
      const run = await launchFlow(kind, arg, { service: w.service, config: readJobsConfig() });
      refresh();
      return run?.id;
    } catch (err) {
      refresh();
      await showJobError(err);
      return undefined;
    }
  };

  const pickRun = async (
    arg: unknown,
    filter: (r: RunRecord) => boolean,
    placeHolder: string,
  ): Promise<RunRecord | undefined> => {
    const w = open();
    const id = runIdOf(arg);
    if (id) return w.store.read(id);
    const runs = w.store.list().filter(filter);
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(`PsychoHistory: ${placeHolder.replace('Which', 'No')}`);
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      runs.map((r) => ({ label: r.id, description: `${r.state} · ${r.backend}`, run: r })),
      { placeHolder },
    );
    return picked?.run;
  };

  disposables.push(
    ...registerCommandTable(ctx, {
      [JOB_COMMANDS.launchSft]: launch('sft'),
      [JOB_COMMANDS.launchGrpo]: launch('grpo'),
      [JOB_COMMANDS.runEvaluation]: launch('eval'),
      [JOB_COMMANDS.generateDataset]: launch('generate'),
      [JOB_COMMANDS.cancelRun]: async (arg?: unknown) => {
        const run = await pickRun(arg, (r) => !isTerminal(r.state), 'Which active run to cancel?');
        if (!run) return undefined;
        if (isTerminal(run.state)) {
          void vscode.window.showInformationMessage(`Run ${run.id} already ${run.state}.`);
          return run.state;
        }
        const sure = (arg as { confirmed?: boolean } | undefined)?.confirmed
          ? 'Cancel Run'
          : await vscode.window.showWarningMessage(
              `Cancel ${run.kind.toUpperCase()} run ${run.id} (${run.backend})?`,
              { modal: true },
              'Cancel Run',
            );
        if (sure !== 'Cancel Run') return undefined;
        if (run.kind === 'collect') {
          // A data agent runs in its editor or CLI process, not as a job a backend can signal.
          if (cancelAgentRun(run.id)) return 'cancelled';
          void vscode.window.showWarningMessage(
            `Run ${run.id} is a data-agent run of another window or of the CLI: cancel it there (its notification's Cancel, or Ctrl-C).`,
          );
          return undefined;
        }
        try {
          const final = await vscode.window.withProgress(
            { location: vscode.ProgressLocation.Notification, title: `Cancelling ${run.id}…` },
            () => open().service.cancel(run.id),
          );
          refresh();
          return final?.state;
        } catch (err) {
          await showJobError(err);
          return undefined;
        }
      },
      [JOB_COMMANDS.showRunLogs]: async (arg?: unknown) => {
        const run = await pickRun(arg, () => true, 'Which run’s logs?');
        if (!run) return;
        const w = open();
        let entry = logChannels.get(run.id);
        if (!entry) {
          entry = { channel: vscode.window.createOutputChannel(`PsychoHistory Run ${run.id}`), follower: undefined };
          logChannels.set(run.id, entry);
        }
        // A channel whose follower stopped (the run had ended) is filled again from the start.
        if (!entry.follower?.following) {
          const { channel } = entry;
          channel.clear();
          entry.follower?.dispose();
          entry.follower = new LogFollower(
            w.store.file(run.id, 'logs'),
            { append: (lines) => channel.append(`${lines.join('\n')}\n`) },
            {
              isActive: () => {
                const current = w.store.read(run.id);
                return current !== undefined && !isTerminal(current.state);
              },
              onError: (err) =>
                followWarnings.warn(run.id, `Showing the logs of ${run.id} failed (${messageOf(err)}); retrying.`),
            },
          );
        }
        entry.channel.show(true);
      },
      [JOB_COMMANDS.openInModalDashboard]: async (arg?: unknown) => {
        const run = await pickRun(
          arg,
          (r) => modalDashboardUrl(r) !== undefined,
          'Which Modal run to open in Modal’s dashboard?',
        );
        const url = run && modalDashboardUrl(run);
        if (!run) return undefined;
        if (!url) {
          void vscode.window.showInformationMessage(`Run ${run.id} has no Modal function call to open.`);
          return undefined;
        }
        await vscode.env.openExternal(vscode.Uri.parse(url));
        return url;
      },
      [JOB_COMMANDS.revealRun]: async (arg?: unknown) => {
        const run = await pickRun(arg, () => true, 'Which run to reveal?');
        if (run) await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(open().store.runDir(run.id)));
      },
      [JOB_COMMANDS.deployModalApp]: async () => {
        // The process is `modal` itself with its arguments: nothing passes through a shell.
        await openModalDeployTerminal(secrets);
      },
      [JOB_COMMANDS.setModalToken]: async () => {
        const tokenId = await askSecret({
          title: 'Modal token id',
          placeHolder: 'ak-…',
          password: false,
          required: true,
        });
        if (!tokenId) return;
        const tokenSecret = await askSecret({ title: 'Modal token secret', placeHolder: 'as-…', required: true });
        if (!tokenSecret) return;
        const credentials = { tokenId, tokenSecret };
        // Check before storing: one cheap authenticated call with the new pair.
        const check = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Checking the Modal token…' },
          async () => {
            const client = await createModalClient(credentials, readJobsConfig().modalEnvironment);
            try {
              return await checkModalToken(client);
            } finally {
              client.close();
            }
          },
        );
        if (!check.ok && check.kind === 'auth') {
          void vscode.window.showErrorMessage(`PsychoHistory: ${check.message}. The token was not saved.`);
          return;
        }
        if (!check.ok) {
          const choice = await vscode.window.showWarningMessage(`PsychoHistory: ${check.message}`, 'Save Anyway');
          if (choice !== 'Save Anyway') return;
        }
        await secrets.setModal(credentials);
        ws?.modal.resetClient();
        void vscode.window.showInformationMessage(
          `Modal token checked and saved in the editor’s secret storage${check.ok && check.note ? ` (${check.note})` : ''}.`,
        );
      },
      [JOB_COMMANDS.setHuggingFaceToken]: saveJobSecret(
        { title: 'Hugging Face token', placeHolder: 'hf_…' },
        'huggingFace',
        'Hugging Face token',
        'HF_TOKEN',
      ),
      [JOB_COMMANDS.setOpenRouterKey]: saveJobSecret(
        { title: 'OpenRouter API key', placeHolder: 'sk-or-…' },
        'openRouter',
        'OpenRouter key',
        'OPENROUTER_API_KEY',
      ),
    }),
  );

  // A run started elsewhere (the CLI, another window) is followed here too; the follower lease
  // keeps two followers from writing the same events.
  const root = ctx.runs.root();
  if (root) {
    const runsWatcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(root, '.psychohistory/runs/*/run.json'),
    );
    const adopt = debounce(() => {
      try {
        for (const run of open().service.reattachAll()) ctx.log.info(`Following run ${run.id} started elsewhere`);
      } catch (err) {
        ctx.log.error(`Following new runs failed: ${messageOf(err)}`);
      }
    }, 1000);
    disposables.push(runsWatcher, runsWatcher.onDidCreate(adopt));
    try {
      const attached = open().service.reattachAll();
      if (attached.length)
        ctx.log.info(`Reattached to ${attached.length} active run(s): ${attached.map((r) => r.id).join(', ')}`);
    } catch (err) {
      ctx.log.error(`Reattaching runs failed: ${messageOf(err)}`);
    }
    refresh();
  }
  disposables.push(
    { dispose: () => ws?.service.dispose() },
    // A new environment means other apps and calls: the next Modal call builds a fresh client.
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (affectsSetting(e, SETTINGS.modalEnvironment)) ws?.modal.resetClient();
    }),
  );
  return disposables;
}

/** A run id from a command argument: a Runs row, `{runId}`, or the id itself. */
export function runIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (arg && typeof arg === 'object') {
    const o = arg as Record<string, unknown>;
    if (typeof o['runId'] === 'string') return o['runId'];
    if (typeof o['id'] === 'string') return o['id'];
  }
  return undefined;
}
