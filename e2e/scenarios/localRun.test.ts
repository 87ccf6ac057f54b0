// Launching a local run the way a user does — palette, dataset, backend, epochs, LoRA rank,
// confirmation — runs the real training package (training/, its .venv, the tiny local model) on
// examples/data/sample.cases.jsonl; the Runs view shows the run running, then succeeded. Then the
// dashboard opened from that row draws the run's charts (Chart.js in a webview, under VS Code's CSP).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { trainingDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';

describe('local run: launch, running, succeeded', () => {
  const session = useSession({ name: 'local-run' });

  scenario('local-run', session, async ({ vscode, page }) => {
    assert.ok(existsSync(join(trainingDir, '.venv/bin/python')), 'training/.venv is missing: run scripts/setup.sh');
    await vscode.runCommand('View: Show PsychoHistory');
    const rows = vscode.treeRows(vscode.viewPane('Runs'));
    const ours = rows.filter({ hasText: 'sample.cases.jsonl' });
    assert.equal(await ours.count(), 0, 'no run on sample.cases.jsonl before the launch');

    await vscode.runCommand('PsychoHistory: Launch SFT');
    await vscode.pick('sample.cases.jsonl', /case file/);
    await vscode.pick('Local', /where to run/);
    // With adapters from earlier runs in the workspace, the flow asks where to start from.
    const startFrom = vscode.quickInput.locator('.quick-input-title', { hasText: /start from|Epochs/ });
    await startFrom.waitFor();
    if (/start from/.test(await startFrom.innerText())) await vscode.pick(/tiny/, /start from/);
    await vscode.acceptInput(/Epochs/, '1');
    await vscode.acceptInput(/LoRA rank/, '4');
    const confirmation = await vscode.answerDialog('Launch');
    assert.match(confirmation, /sample\.cases\.jsonl \(8 cases\)/);
    assert.match(confirmation, /no GPU cost/);

    const row = ours.first();
    await row.filter({ hasText: 'running ·' }).waitFor({ timeout: 60_000 });
    await vscode.screenshot('local-run-running');
    // Training the tiny model takes about a minute on an idle machine; allow for a busy one.
    await row.filter({ hasText: 'succeeded ·' }).waitFor({ timeout: 480_000 });
    assert.equal(await row.locator('.codicon-pass').count(), 1, 'the succeeded icon');
  }, 600_000);

  scenario('dashboard', session, async ({ vscode }) => {
    // Clicking a run in the Runs view opens its dashboard.
    const row = vscode.treeRows(vscode.viewPane('Runs')).filter({ hasText: 'sample.cases.jsonl' }).filter({ hasText: 'succeeded ·' }).first();
    const runId = /, ([^,]+), /.exec((await row.getAttribute('aria-label')) ?? '')?.[1];
    assert.ok(runId, 'the row names its run id');
    await row.click();
    await vscode.tab(`Run ${runId}`).waitFor();

    const frame = await vscode.webview('#chart-loss');
    const loss = frame.locator('#chart-loss');
    await frame.locator('#chart-loss:not([data-points="0"])').waitFor();
    assert.ok(Number(await loss.getAttribute('data-points')) > 0);
    assert.match((await loss.getAttribute('aria-label')) ?? '', /Training loss: \d+ points/);
    // Drawn, not just sized: the canvas holds painted pixels.
    const painted = await loss.evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if ((data[i] ?? 0) > 0) n++;
      return n;
    });
    assert.ok(painted > 500, `the loss chart paints pixels (${painted})`);
    await frame.locator('#chart-lr:not([data-points="0"])').waitFor();
  });
});
