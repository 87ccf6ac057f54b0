// The PsychoHistory side bar and what hangs off it, in one session on the example workspace:
// - sidebar: Datasets lists every case file with its counts; Runs lists every run in
//   .psychohistory/runs with its state (expectations read from examples/ on disk);
// - dashboard-eval: clicking the example evaluation run (made by the real pipeline) opens its
//   dashboard with the perplexity and Brier charts drawn;
// - local-run: launching SFT the way a user does (palette, dataset, backend, epochs, LoRA rank,
//   confirmation) runs the real training package (training/, its .venv, the tiny local model) on
//   examples/data/sample.cases.jsonl; the Runs view shows it running, then succeeded;
// - dashboard: clicking that run opens its dashboard; Chart.js draws its loss and learning rate
//   in the webview under VS Code's CSP.
// The order matters: the sidebar is checked before the local run adds a row.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe } from 'node:test';
import { answerSftLaunch } from '../harness/launch.ts';
import { examplesDir, trainingDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';
import { paintedPixels } from '../harness/workbench.ts';
import type { Workbench } from '../harness/workbench.ts';

function caseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...caseFiles(full));
    else if (entry.name.endsWith('.cases.jsonl') || (basename(dir) === 'cases' && entry.name.endsWith('.jsonl')))
      out.push(full);
  }
  return out;
}

interface RunOnDisk {
  id: string;
  kind: string;
  state: string;
}

function runsOnDisk(): RunOnDisk[] {
  const root = join(examplesDir, '.psychohistory/runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((id) => existsSync(join(root, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(join(root, id, 'run.json'), 'utf8')) as RunOnDisk);
}

/** The Runs view row of a run: its accessible label is "<label>, <run id>, <description>". */
function runRow(vscode: Workbench, runId: string) {
  return vscode
    .treeRows(vscode.viewPane('Runs'))
    .and(vscode.page.locator(`[aria-label*=${JSON.stringify(`, ${runId}, `)}]`));
}

describe('sidebar, runs and dashboards', () => {
  const session = useSession({ name: 'runs' });

  scenario('sidebar', session, async ({ vscode }) => {
    await vscode.runCommand('View: Show PsychoHistory');

    const datasets = vscode.viewPane('Datasets');
    const files = caseFiles(examplesDir)
      .map((f) => basename(f))
      .sort();
    assert.ok(files.includes('drafts.cases.jsonl'));
    const datasetRows = vscode.treeRows(datasets);
    await datasetRows.nth(files.length - 1).waitFor();
    const shown = (await datasetRows.locator('.label-name').allTextContents()).map((t) => t.trim()).sort();
    assert.deepEqual(shown, files);
    // The drafts file's row carries its validation summary.
    await datasetRows.filter({ hasText: 'drafts.cases.jsonl' }).filter({ hasText: '3 cases · 8 errors' }).waitFor();

    const runs = vscode.viewPane('Runs');
    const expected = runsOnDisk();
    if (expected.length === 0) {
      await runs.getByText('No runs yet.').waitFor();
      return;
    }
    const runRows = vscode.treeRows(runs);
    await runRows.nth(expected.length - 1).waitFor();
    assert.equal(await runRows.count(), expected.length);
    for (const run of expected) {
      // The description starts with the state.
      const row = runRow(vscode, run.id);
      await row.first().waitFor();
      assert.match(await row.first().innerText(), new RegExp(`${run.state} ·`));
    }
  });
  scenario('dashboard-eval', session, async ({ vscode }) => {
    const run = runsOnDisk().find((r) => r.kind === 'eval' && r.state === 'succeeded');
    assert.ok(run, 'examples/.psychohistory/runs holds a finished evaluation run');
    await vscode.runCommand('View: Show PsychoHistory');
    await runRow(vscode, run.id).click();
    await vscode.tab(`Run ${run.id}`).waitFor();
    const frame = await vscode.webview('#chart-brier');
    for (const chart of ['#chart-perplexity', '#chart-brier']) {
      await frame.locator(`${chart}:not([data-points="0"])`).waitFor();
      assert.ok((await paintedPixels(frame, chart)) > 500, `${chart} paints pixels`);
    }
    assert.match(
      (await frame.locator('#chart-brier').getAttribute('aria-label')) ?? '',
      /Brier score by depth: \d+ points/,
    );
    await frame.locator('#chart-brier').scrollIntoViewIfNeeded();
  });

  scenario(
    'local-run',
    session,
    async ({ vscode, page }) => {
      assert.ok(existsSync(join(trainingDir, '.venv/bin/python')), 'training/.venv is missing: run scripts/setup.sh');
      await vscode.runCommand('View: Close All Editors');
      await vscode.runCommand('View: Show PsychoHistory');
      const rows = vscode.treeRows(vscode.viewPane('Runs'));
      const ours = rows.filter({ hasText: 'sample.cases.jsonl' });
      assert.equal(await ours.count(), 0, 'no run on sample.cases.jsonl before the launch');

      await answerSftLaunch(vscode, 'sample.cases.jsonl', 'Local', '4');
      const confirmation = await vscode.answerDialog('Launch');
      assert.match(confirmation, /sample\.cases\.jsonl \(8 cases\)/);
      assert.match(confirmation, /no GPU cost/);

      const row = ours.first();
      await row.filter({ hasText: 'running ·' }).waitFor({ timeout: 60_000 });
      await vscode.screenshot('local-run-running');
      // SFT of the real SmolLM2-135M base on 8 cases takes a few minutes on 2 CPU cores; allow for a busy machine.
      await row.filter({ hasText: 'succeeded ·' }).waitFor({ timeout: 480_000 });
      assert.equal(await row.locator('.codicon-pass').count(), 1, 'the succeeded icon');
    },
    600_000,
  );

  scenario('dashboard', session, async ({ vscode }) => {
    // Clicking a run in the Runs view opens its dashboard.
    const row = vscode
      .treeRows(vscode.viewPane('Runs'))
      .filter({ hasText: 'sample.cases.jsonl' })
      .filter({ hasText: 'succeeded ·' })
      .first();
    const runId = /, ([^,]+), /.exec((await row.getAttribute('aria-label')) ?? '')?.[1];
    assert.ok(runId, 'the row names its run id');
    await row.click();
    await vscode.tab(`Run ${runId}`).waitFor();

    const frame = await vscode.webview('#chart-loss');
    const loss = frame.locator('#chart-loss');
    await frame.locator('#chart-loss:not([data-points="0"])').waitFor();
    assert.ok(Number(await loss.getAttribute('data-points')) > 0);
    assert.match((await loss.getAttribute('aria-label')) ?? '', /Training loss: \d+ points/);
    const painted = await paintedPixels(frame, '#chart-loss');
    assert.ok(painted > 500, `the loss chart paints pixels (${painted})`);
    await frame.locator('#chart-lr:not([data-points="0"])').waitFor();
  });
});
