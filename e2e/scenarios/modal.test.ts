// Modal from the editor, against the project's Modal stand-in (test/modalServer), which this file starts
// before VS Code and points the extension host at (MODAL_SERVER_URL and a token it accepts, through
// code-server's environment). The real `modal` JS SDK in the extension talks gRPC to it; the test plays
// the deployed app: it sees each call arrive, puts the function's events on the live queue (and in the
// record read_run serves), and makes the function return.
// - modal-run: Launch SFT through its prompts on sample.cases.jsonl, Modal, a GPU, the cost confirmation;
//   the stand-in gets the call with that GPU and the dataset's text; the function reports running and
//   train steps: the Runs view shows the run running, its dashboard draws the loss and adds the steps that
//   come while it is open; Cancel Run (palette, confirmation) reaches Modal as a cancel of that call, and
//   the Runs view and the dashboard say cancelled.
// - modal-failed: another launch whose function returns {"state": "failed", "error": …} without a single
//   event (as modal_app.py does for an unknown config key): the run is marked failed, with its reason in
//   the notification and the dashboard.
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { answerSftLaunch } from '../harness/launch.ts';
import { examplesDir } from '../harness/paths.ts';
import { startModalStandIn } from '../harness/modalStandIn.ts';
import type { ModalStandIn, StandInCall } from '../harness/modalStandIn.ts';
import { scenario, useSessionWith } from '../harness/session.ts';
import { paintedPixels } from '../harness/workbench.ts';
import type { Workbench } from '../harness/workbench.ts';

const DATASET = 'sample.cases.jsonl';
const GPU = 'A10G';

/** The Runs view row of a run: its accessible label is "<label>, <run id>, <description>". */
function runRow(vscode: Workbench, runId: string) {
  return vscode
    .treeRows(vscode.viewPane('Runs'))
    .and(vscode.page.locator(`[aria-label*=${JSON.stringify(`, ${runId}, `)}]`));
}

function trainEvent(step: number): Record<string, unknown> {
  return { type: 'train', step, epoch: step / 10, loss: 2.5 - step * 0.1, lr: 2e-4, time: new Date().toISOString() };
}

function statusEvent(state: string, message: string): Record<string, unknown> {
  return { type: 'status', state, message, time: new Date().toISOString() };
}

/** Launch SFT on the dataset, on Modal, through every prompt as a user answers them; returns the confirmation text. */
async function launchSftOnModal(vscode: Workbench): Promise<string> {
  await answerSftLaunch(vscode, DATASET, 'Modal', '8');
  await vscode.pick(GPU, /GPU/);
  return vscode.answerDialog('Launch');
}

/** The stand-in's call for a launch on the dataset that is not one of `seen`. */
async function newCall(standIn: ModalStandIn, seen: readonly StandInCall[]): Promise<StandInCall> {
  return standIn.waitForCall(
    (c) => !seen.some((s) => s.id === c.id) && String(c.config['dataset'] ?? '').endsWith(`/${DATASET}`),
    `a call of psychohistory.sft on ${DATASET}`,
  );
}

function runOnDisk(
  workspace: string,
  runId: string,
): { state: string; error?: string; modal?: { functionCallId: string } } {
  return JSON.parse(readFileSync(join(workspace, '.psychohistory/runs', runId, 'run.json'), 'utf8'));
}

describe('Modal from the editor', () => {
  const { session: get, standIn: modal } = useSessionWith(
    () => startModalStandIn('modal'),
    (standIn) => ({ name: 'modal', env: standIn.env }),
  );

  scenario('modal-run', get, async ({ vscode, server }) => {
    await vscode.runCommand('View: Show PsychoHistory');
    const seen = await modal().calls();
    const confirmation = await launchSftOnModal(vscode);
    assert.match(confirmation, /sample\.cases\.jsonl \(8 cases\)/);
    assert.match(confirmation, new RegExp(`GPU: ${GPU} at \\$`));
    assert.match(confirmation, /Estimated cost: \$/);

    // What reached Modal: the GPU picked, the config, the dataset's text.
    const call = await newCall(modal(), seen);
    const runId = String(call.config['run_id']);
    assert.equal(call.gpu, GPU);
    assert.equal(call.config['gpu'], GPU);
    assert.equal(call.config['num_epochs'], 1);
    assert.equal(call.config['lora_rank'], 8);
    assert.equal(call.datasetBytes, statSync(join(examplesDir, 'data', DATASET)).size);

    // The function starts and logs three steps.
    await modal().emit(runId, [statusEvent('running', 'sft started'), trainEvent(1), trainEvent(2), trainEvent(3)]);
    const row = runRow(vscode, runId);
    await row.filter({ hasText: 'running ·' }).waitFor({ timeout: 60_000 });
    assert.match((await row.getAttribute('aria-label')) ?? '', /modal$/);

    // Its dashboard draws the loss so far, then the steps that come while it is open.
    await row.click();
    await vscode.tab(`Run ${runId}`).waitFor();
    const frame = await vscode.webview('#chart-loss');
    await frame.locator('#run-state', { hasText: /running/ }).waitFor();
    await frame.locator('#chart-loss[data-points="3"]').waitFor({ timeout: 60_000 });
    await modal().emit(runId, [trainEvent(4), trainEvent(5)]);
    await frame.locator('#chart-loss[data-points="5"]').waitFor({ timeout: 60_000 });
    assert.match((await frame.locator('#chart-loss').getAttribute('aria-label')) ?? '', /Training loss: 5 points/);
    assert.ok((await paintedPixels(frame, '#chart-loss')) > 500, 'the loss chart paints pixels');
    await vscode.screenshot('modal-run-running');

    // Cancel it from the palette: Modal gets the cancel, the run is cancelled everywhere.
    await vscode.commandThenPick('PsychoHistory: Cancel Run', runId);
    const question = await vscode.answerDialog('Cancel Run');
    assert.match(question, new RegExp(`Cancel SFT run ${runId} \\(modal\\)`));
    await runRow(vscode, runId).filter({ hasText: 'cancelled ·' }).waitFor({ timeout: 60_000 });
    await modal().waitForCall((c) => c.id === call.id && c.cancelled, `the cancel of ${call.id}`);
    await frame.locator('#run-state', { hasText: /cancelled/ }).waitFor({ timeout: 60_000 });
    const record = runOnDisk(server.workspace, runId);
    assert.equal(record.state, 'cancelled');
    assert.equal(record.modal?.functionCallId, call.id);
  });

  scenario('modal-failed', get, async ({ vscode, server }) => {
    await vscode.runCommand('View: Close All Editors');
    await vscode.runCommand('View: Show PsychoHistory');
    const seen = await modal().calls();
    await launchSftOnModal(vscode);
    const call = await newCall(modal(), seen);
    const runId = String(call.config['run_id']);
    await runRow(vscode, runId).filter({ hasText: 'running ·' }).waitFor({ timeout: 60_000 });

    // modal_app.py's answer to a config it refuses: a returned dict, no event, no exception.
    const reason = "unknown config key 'lora_alpah' for sft; known keys: base_model, dataset, lora_rank, num_epochs";
    await modal().complete(call.id, { runId, kind: 'sft', state: 'failed', error: reason });

    const row = runRow(vscode, runId).filter({ hasText: 'failed ·' });
    await row.waitFor({ timeout: 60_000 });
    assert.equal(await row.locator('.codicon-error').count(), 1, 'the failed icon');
    await vscode.notifications
      .filter({ hasText: `SFT run ${runId} failed: ${reason}` })
      .first()
      .waitFor({ timeout: 30_000 });
    const record = runOnDisk(server.workspace, runId);
    assert.equal(record.state, 'failed');
    assert.equal(record.error, reason);

    await row.click();
    await vscode.tab(`Run ${runId}`).waitFor();
    const frame = await vscode.webview('#run-state');
    await frame.locator('#run-state', { hasText: /failed/ }).waitFor();
    await frame.locator('.notice-error', { hasText: `The job failed: ${reason}` }).waitFor();
  });
});
