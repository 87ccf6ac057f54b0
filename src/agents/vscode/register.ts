// The data agents' VS Code shell: Brainstorm Seed Events, Chronicle Outcomes and Verify Cases ask
// their few questions, then run the pure agents (src/agents) under a cancellable progress
// notification with the counts and the cost so far. Each run is a `collect` run in the workspace's
// run store (the Runs view, Show Run Logs and the cost follow from that). The key comes only from
// SecretStorage (Set OpenRouter Key); the endpoint, model, concurrency and budget from settings.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { registerCommandTable } from '../../shell/context';
import type { Ctx } from '../../shell/context';
import { Secrets } from '../../jobs/vscode/secrets';
import { JOB_COMMANDS } from '../../jobs/commands';
import { RunStore, runsRootOf } from '../../runs/runStore';
import { isRealDate } from '../../cases/dates';
import { brainstorm } from '../brainstormer';
import { chronicle, seedsFromLines } from '../chronicler';
import { recordCollect } from '../collectRun';
import type { CollectOutcome } from '../collectRun';
import { readDraft } from '../draftFile';
import { OPENROUTER_BASE_URL, OpenRouterClient } from '../openRouterClient';
import type { AgentContext, AgentSummary, Progress } from '../runner';
import { verify } from '../verifier';
import { readAgentsConfig as readAgentsSettings } from '../../config/vscode/config';

/** The agents' settings, with OpenRouter's own endpoint where none is set. */
export function readAgentsConfig() {
  const c = readAgentsSettings();
  return { ...c, baseUrl: c.baseUrl || OPENROUTER_BASE_URL };
}

import { AGENT_COMMANDS } from '../commands';
import { trackAgentRun } from '../activeRuns';

export function workspaceRoot(): string {
  const root = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
  if (!root) throw new Error('Open a workspace folder first: agent runs are recorded in its .psychohistory/runs.');
  return root;
}

/** A file: the argument (explorer, Runs view), else the active editor's. */
function targetFile(arg: unknown): { file: string; editor?: vscode.TextEditor } | undefined {
  if (arg instanceof vscode.Uri && arg.scheme === 'file') return { file: arg.fsPath };
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme === 'file') return { file: editor.document.uri.fsPath, editor };
  return undefined;
}

/** The ids of the lines the selection touches (none selected: undefined, the whole file). */
function selectedIds(editor: vscode.TextEditor | undefined): Set<string> | undefined {
  if (!editor || editor.selections.every((s) => s.isEmpty)) return undefined;
  const lines: { line: number; value: unknown }[] = [];
  for (const s of editor.selections) {
    for (let l = s.start.line; l <= s.end.line; l++) {
      try {
        lines.push({
          line: l,
          value: JSON.parse(editor.document.lineAt(l).text),
        });
      } catch {
        // not a case line
      }
    }
  }
  return new Set(seedsFromLines(lines).map((s) => s.id));
}

/**
 * The agents' runner, shared with the forecast feature's Chronicle Outcome: the key (else the Set
 * OpenRouter Key button) and one agent run under a cancellable notification, recorded as a collect run.
 */
export function agentRunner(ctx: Ctx) {
  const secrets = new Secrets(ctx.extension.secrets);

  const keyOrAsk = async (): Promise<string | undefined> => {
    const key = await secrets.openRouterKey();
    if (key) return key;
    const choice = await vscode.window.showErrorMessage(
      "PsychoHistory: the data agents need an OpenRouter key, kept in the editor's secret storage.",
      'Set OpenRouter Key',
    );
    if (choice === 'Set OpenRouter Key') await vscode.commands.executeCommand(JOB_COMMANDS.setOpenRouterKey);
    return secrets.openRouterKey();
  };

  /** Run one agent under a cancellable notification, recorded as a collect run; report how it ended. */
  const run = async <T extends AgentSummary>(
    title: string,
    config: {
      agent: 'brainstorm' | 'chronicle' | 'verify';
      [key: string]: unknown;
    },
    body: (c: AgentContext) => Promise<T>,
    output: string,
    /** false: the caller reports how it ended (the outcome is returned either way). */
    report = true,
  ): Promise<CollectOutcome<T> | undefined> => {
    const key = await keyOrAsk();
    if (!key) return undefined;
    const cfg = readAgentsConfig();
    const store = new RunStore(runsRootOf(workspaceRoot()), {
      report: (p) => ctx.log.warn(`Skipped run ${p.id}: ${p.reason}`),
    });
    const outcome = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title,
        cancellable: true,
      },
      async (progress, token) => {
        const ac = new AbortController();
        const sub = token.onCancellationRequested(() => ac.abort());
        const client = new OpenRouterClient({
          apiKey: key,
          baseURL: cfg.baseUrl,
          concurrency: cfg.concurrency,
          ...(cfg.budgetUsd !== undefined ? { budgetUsd: cfg.budgetUsd } : {}),
        });
        let last = 0;
        const report = (p: Progress): void => {
          const finished = p.done + p.failed + p.skipped;
          const pct = p.total > 0 ? (finished / p.total) * 100 : 0;
          progress.report({
            message: `${finished}/${p.total} (${p.failed} failed) · ${p.retries} retries · $${p.costUsd.toFixed(4)}`,
            increment: Math.max(0, pct - last),
          });
          last = pct;
        };
        try {
          return await recordCollect(store, { ...config, model: cfg.model, baseUrl: cfg.baseUrl }, async (hooks) => {
            client.options.log = hooks.log;
            const tracked = trackAgentRun(hooks.runId, ac);
            try {
              return await body({
                client,
                model: cfg.model,
                signal: ac.signal,
                log: (line) => {
                  hooks.log(line);
                  ctx.log.info(`[${config.agent}] ${line}`);
                },
                progress: (p) => {
                  hooks.progress(p);
                  report(p);
                },
              });
            } finally {
              tracked.dispose();
            }
          });
        } finally {
          sub.dispose();
        }
      },
    );
    const r = outcome.run;
    if (!report) return outcome;
    const text = `${title}: ${r.state}${r.cost ? ` · $${r.cost.usd.toFixed(4)}` : ''}${r.error ? ` — ${r.error.split('\n')[0]}` : ''}`;
    const show =
      r.state === 'failed'
        ? vscode.window.showErrorMessage
        : r.state === 'cancelled'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const choice = await show(text, 'Open File', 'Show Logs');
    if (choice === 'Open File') await vscode.window.showTextDocument(vscode.Uri.file(output));
    if (choice === 'Show Logs')
      await vscode.commands.executeCommand(JOB_COMMANDS.showRunLogs, {
        runId: r.id,
      });
    return outcome;
  };

  return { keyOrAsk, run };
}

export function registerAgents(ctx: Ctx): vscode.Disposable[] {
  const { run } = agentRunner(ctx);

  const ask = async (
    title: string,
    prompt: string,
    value: string,
    validate?: (v: string) => string | undefined,
  ): Promise<string | undefined> =>
    vscode.window.showInputBox({
      title,
      prompt,
      value,
      ignoreFocusOut: true,
      validateInput: (v) => validate?.(v.trim()),
    });

  const dateCheck = (v: string): string | undefined => (isRealDate(v) ? undefined : 'a real date as YYYY-MM-DD');

  return registerCommandTable(ctx, {
    [AGENT_COMMANDS.brainstorm]: async () => {
      const root = workspaceRoot();
      const title = 'Brainstorm Seed Events';
      const domains = await ask(`${title}: Domains`, 'Domains, comma-separated', 'economy, energy, politics', (v) =>
        v.split(',').some((d) => d.trim() !== '') ? undefined : 'name at least one domain',
      );
      if (domains === undefined) return;
      const from = await ask(`${title}: From`, 'From (YYYY-MM-DD)', '2018-01-01', dateCheck);
      if (from === undefined) return;
      const to = await ask(
        `${title}: To`,
        'To (YYYY-MM-DD)',
        '2022-12-31',
        (v) => dateCheck(v) ?? (v < from.trim() ? `on or after ${from.trim()}` : undefined),
      );
      if (to === undefined) return;
      const count = await ask(`${title}: Count`, 'How many seed events', '100', (v) =>
        /^[1-9][0-9]*$/.test(v) ? undefined : 'a whole number ≥ 1',
      );
      if (count === undefined) return;
      const out = await ask(
        `${title}: Output`,
        'Seed draft file (in the workspace); an existing one is continued',
        'data/brainstorm.seeds.jsonl',
        (v) => (v.endsWith('.jsonl') ? undefined : 'a .jsonl file'),
      );
      if (out === undefined) return;
      const file = path.resolve(root, out.trim());
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(path.dirname(file)));
      const list = domains
        .split(',')
        .map((d) => d.trim())
        .filter((d) => d !== '');
      // Seeds already in the workspace's case files are never proposed again.
      const known: string[] = [];
      for (const uri of await vscode.workspace.findFiles('**/*.cases.jsonl', '**/node_modules/**', 200))
        known.push(...seedsFromLines(readDraft(uri.fsPath)).map((s) => s.seed.event));
      await run(
        title,
        {
          agent: 'brainstorm',
          domains: list,
          from: from.trim(),
          to: to.trim(),
          count: Number(count),
          out: out.trim(),
        },
        (c) =>
          brainstorm(
            {
              domains: list,
              from: from.trim(),
              to: to.trim(),
              count: Number(count),
              out: file,
              known,
            },
            c,
          ),
        file,
      );
    },
    [AGENT_COMMANDS.chronicle]: async (arg?: unknown) => {
      const target = targetFile(arg);
      if (!target)
        throw new Error('Open a seed draft (.seeds.jsonl) or case file first, or run this from its context menu.');
      const ids = selectedIds(target.editor);
      const seeds = seedsFromLines(readDraft(target.file), ids);
      if (seeds.length === 0)
        throw new Error(
          `${path.basename(target.file)} has no seeds${ids ? ' in the selection' : ''} (lines with "seed": {"event", "date"}).`,
        );
      const title = 'Chronicle Outcomes';
      const base = path.basename(target.file).replace(/(\.seeds|\.cases)?\.jsonl$/, '');
      const suggested = path.relative(
        workspaceRoot(),
        path.join(
          path.dirname(target.file),
          `${base}${target.file.endsWith('.cases.jsonl') ? '-chronicled' : ''}.cases.jsonl`,
        ),
      );
      const out = await ask(
        `${title}: Output`,
        `Case file to append ${seeds.length} chronicled seed${seeds.length === 1 ? '' : 's'} to (seeds it holds are skipped)`,
        suggested,
        (v) => (v.endsWith('.jsonl') ? undefined : 'a .jsonl file'),
      );
      if (out === undefined) return;
      const file = path.resolve(workspaceRoot(), out.trim());
      const depth = readAgentsConfig().depth;
      await run(
        title,
        {
          agent: 'chronicle',
          input: path.relative(workspaceRoot(), target.file),
          out: out.trim(),
          depth,
          seeds: seeds.length,
        },
        (c) => chronicle({ seeds, out: file, depth }, c),
        file,
      );
    },
    [AGENT_COMMANDS.verify]: async (arg?: unknown) => {
      const target = targetFile(arg);
      if (!target) throw new Error('Open a case file first, or run this from its context menu.');
      const doc = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === target.file);
      // The verifier writes the file on disk: unsaved edits would be overwritten or overwrite its verdicts.
      if (doc?.isDirty)
        throw new Error(
          `Save ${path.basename(target.file)} first: the verifier writes its verdicts into the file on disk.`,
        );
      const ids = selectedIds(target.editor);
      await run(
        'Verify Cases',
        {
          agent: 'verify',
          file: path.relative(workspaceRoot(), target.file),
          ...(ids ? { ids: [...ids] } : {}),
        },
        (c) => verify({ file: target.file, ...(ids ? { ids: [...ids] } : {}) }, c),
        target.file,
      );
    },
  });
}
