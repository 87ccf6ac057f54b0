// The forecast service from the editor, in one session on the example workspace:
// - forecast-start: *Start Local Forecast Service* runs `python -m psychohistory serve` from training/
//   (its .venv) on the tiny base (psychohistory.service.baseModel), waits for /healthz, and the
//   Predictions view turns from "no service" to "no forecast awaits an outcome";
// - forecast-tree: *Forecast Seed Event…* from the palette through its four input boxes (a date that
//   does not exist is refused in the box first); the tree opens in the dashboard's tree viewer;
// - record-outcome: the forecast is listed in Predictions; its inline *Record Outcome* offers the
//   tree's first-level events; picking one records it (POST /v1/outcomes) and the row says 1 resolved;
// - monitoring: *Open Forecast Monitoring* shows the tiny model with one resolved level, its Brier in
//   the table and the charts.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { trainingDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';
import type { Session } from '../harness/session.ts';
import { paintedPixels } from '../harness/workbench.ts';

const SEED = 'Port workers strike';

describe('forecast service from the editor', () => {
  const session = useSession({
    name: 'forecast',
    settings: {
      'psychohistory.service.baseModel': 'tiny',
      'psychohistory.service.localArgs': ['--num_samples=4', '--max_new_tokens=6'],
    },
  });
  /** One step of the story in that session (the steps run in order), with its time limit up front. */
  const step = (name: string, timeoutMs: number, body: (s: Session) => Promise<void>): void =>
    scenario(name, session, body, timeoutMs);

  step('forecast-start', 300_000, async ({ vscode }) => {
    assert.ok(existsSync(join(trainingDir, '.venv/bin/python')), 'training/.venv is missing: run scripts/setup.sh');
    await vscode.runCommand('View: Show PsychoHistory');
    const predictions = vscode.viewPane('Predictions');
    await predictions.getByText('No forecast service yet.').waitFor();
    await vscode.runCommand('PsychoHistory: Start Local Forecast Service');
    // Only the base is on offer (the example runs ship no weights): no question, straight to the start.
    await vscode.notifications
      .filter({ hasText: /Local forecast service ready at http:\/\/127\.0\.0\.1:\d+ \(tiny\)/ })
      .waitFor({ timeout: 240_000 });
    await predictions.getByText('No forecast awaits an outcome.').waitFor({ timeout: 30_000 });
  });

  step('forecast-tree', 240_000, async ({ vscode }) => {
    await vscode.runCommand('PsychoHistory: Forecast Seed Event…');
    await vscode.acceptInput(/seed event/, SEED);
    const date = vscode.quickInput.locator('input');
    await vscode.quickInput.locator('.quick-input-title', { hasText: /date/ }).waitFor();
    await date.fill('2023-02-30');
    await vscode.quickInput.getByText(/2023-02-30 is not a real date: February 2023 has 28 days/).waitFor();
    await vscode.acceptInput(/date/, '2023-03-01');
    await vscode.acceptInput(/depth/, '2');
    await vscode.acceptInput(/breadth/, '2');
    await vscode.tab('Forecasts').waitFor({ timeout: 120_000 });
    const frame = await vscode.webview('#tree-view');
    await frame.locator('#tree-view .tree-node').first().waitFor();
    assert.equal(await frame.locator('#dash-title').innerText(), 'Forecasts from the service');
    assert.match(await frame.locator('#tree-view').innerText(), new RegExp(SEED));
    assert.ok((await frame.locator('#tree-view .tree-node').count()) >= 2, 'the seed and at least one forecast event');
    assert.equal(await frame.locator('#section-training').count(), 0);
  });

  step('record-outcome', 180_000, async ({ vscode, page }) => {
    await vscode.runCommand('View: Show PsychoHistory');
    const rows = vscode.treeRows(vscode.viewPane('Predictions'));
    const row = rows.filter({ hasText: SEED }).first();
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /2023-03-01 · 0\/\d resolved/);
    await row.hover();
    await row.locator('.action-label[aria-label="Record Outcome"]').click();
    await vscode.quickInput
      .locator('.quick-input-title', { hasText: /what happened at depth 1 after “Port workers strike”/ })
      .waitFor();
    // The first-level events of the tree, most likely first, then free text.
    const labels = (await vscode.quickPickRows.locator('.label-name').allInnerTexts()).map((t) => t.trim());
    assert.ok(labels.length >= 2, `candidates and "something else": ${labels.join(' | ')}`);
    assert.equal(labels.at(-1), 'Something else happened…');
    const chosen = labels[0]!;
    await vscode.pick(chosen);
    await vscode.notifications
      .filter({ hasText: /Outcome recorded for depth 1: .* — the forecast had it/ })
      .waitFor({ timeout: 60_000 });
    await rows
      .filter({ hasText: SEED })
      .filter({ hasText: /1\/2 resolved|1\/1 resolved/ })
      .or(page.getByText('No forecast awaits an outcome.'))
      .first()
      .waitFor({ timeout: 30_000 });
  });

  step('monitoring', 120_000, async ({ vscode }) => {
    await vscode.runCommand('PsychoHistory: Open Forecast Monitoring');
    const frame = await vscode.webview('#monitoring-root');
    const tiny = frame.locator('#models-table tr[data-model="tiny"]');
    await tiny.waitFor();
    const cells = (await tiny.locator('td').allInnerTexts()).map((t) => t.trim());
    assert.equal(cells[0], '1', 'one forecast');
    assert.equal(cells[1], '1', 'one resolved level');
    assert.match(cells[2]!, /^0\.\d{3}$/, 'a Brier score');
    await frame.locator('#chart-brier-time:not([data-points="0"])').waitFor();
    assert.ok((await paintedPixels(frame, '#chart-brier-time')) > 200, 'the Brier chart paints');
    assert.equal(
      await frame.locator('#table-brier-time tbody tr').count(),
      1,
      'one day of outcomes in the value table',
    );
  });
});
