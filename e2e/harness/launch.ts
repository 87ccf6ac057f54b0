// The "Launch SFT" prompts as a user answers them, shared by the local and the Modal scenarios.
import type { Workbench } from './workbench.ts';

/** Runs Launch SFT on `dataset` and answers every prompt up to the LoRA rank (1 epoch); the caller answers the rest. */
export async function answerSftLaunch(
  vscode: Workbench,
  dataset: string,
  where: 'Local' | 'Modal',
  loraRank: string,
): Promise<void> {
  await vscode.runCommand('PsychoHistory: Launch SFT');
  await vscode.pick(dataset, /case file/);
  await vscode.pick(where, /where to run/);
  // With adapters from earlier runs in the workspace, the flow asks where to start from.
  const next = vscode.quickInput.locator('.quick-input-title', { hasText: /start from|Epochs/ });
  await next.waitFor();
  if (/start from/.test(await next.innerText())) await vscode.pick(/smollm2-135m/, /start from/);
  await vscode.acceptInput(/Epochs/, '1');
  await vscode.acceptInput(/LoRA rank/, loraRank);
}
