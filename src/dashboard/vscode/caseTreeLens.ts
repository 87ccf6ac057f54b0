// "Show forecast tree" above a case line whose seed (event + date) has a tree in some run's
// trees.jsonl. The seed index is rebuilt only when a trees.jsonl changes (size or mtime).
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DASHBOARD_COMMANDS } from '../commands';
import type { Ctx } from '../../shell/context';
import { buildSeedIndex, findTreeForLine, type TreeRunSource } from '../caseLink';
import type { TreeRef } from '../protocol';
import { readTrees } from '../runSnapshot';
import { listRuns, RUN_FILES } from '../../runs/runStore';

export class CaseTreeLens implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private index: Map<string, TreeRef> | null = null;
  private signature = '';
  private readonly watcher: vscode.FileSystemWatcher;
  private readonly cache = new Map<string, { stamp: string; source: TreeRunSource }>();

  constructor(
    private readonly ctx: Ctx,
    private readonly roots: () => string[],
  ) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/.psychohistory/runs/*/trees.jsonl');
    const invalidate = (): void => {
      this.index = null;
      this.changed.fire();
    };
    this.watcher.onDidCreate(invalidate);
    this.watcher.onDidChange(invalidate);
    this.watcher.onDidDelete(invalidate);
  }

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const index = await this.seedIndex();
    if (index.size === 0) return [];
    const lenses: vscode.CodeLens[] = [];
    for (let i = 0; i < doc.lineCount; i++) {
      const line = doc.lineAt(i);
      if (!line.text.includes('"seed"')) continue;
      const ref = findTreeForLine(index, line.text);
      if (!ref) continue;
      lenses.push(
        new vscode.CodeLens(line.range, {
          title: '$(type-hierarchy) Show forecast tree',
          tooltip: `Open the forecast tree for this seed from run ${ref.runId}`,
          command: DASHBOARD_COMMANDS.showForecastTree,
          arguments: [ref.runId, ref.index],
        }),
      );
    }
    return lenses;
  }

  private async seedIndex(): Promise<Map<string, TreeRef>> {
    const runs = (await Promise.all(this.roots().map((r) => listRuns(r)))).flat();
    const sources: TreeRunSource[] = [];
    const stamps: string[] = [];
    for (const run of runs) {
      const file = path.join(run.dir, RUN_FILES.trees);
      let stamp: string;
      try {
        const st = await fsp.stat(file);
        stamp = `${st.size}:${st.mtimeMs}`;
      } catch {
        continue;
      }
      stamps.push(`${file}=${stamp}`);
      let entry = this.cache.get(file);
      if (!entry || entry.stamp !== stamp) {
        const { trees } = await readTrees(run.dir);
        entry = {
          stamp,
          source: {
            runId: run.id,
            createdAt: run.record?.createdAt ?? '',
            trees: trees.map((t) => ({ seed: t.seed })),
          },
        };
        this.cache.set(file, entry);
      }
      sources.push(entry.source);
    }
    const signature = stamps.join('\n');
    if (!this.index || signature !== this.signature) {
      this.index = buildSeedIndex(sources);
      this.signature = signature;
      this.ctx.log.debug(`dashboard: seed index has ${this.index.size} trees`);
    }
    return this.index;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
  }
}
