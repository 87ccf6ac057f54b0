// Launching a local run the way a user does — palette, dataset, backend, epochs, LoRA rank,
// confirmation — runs the real training package (training/, its .venv, the tiny local model) on
// examples/data/sample.cases.jsonl; the Runs view shows the run running, then succeeded.
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
});
