// The data agents from the editor, against the project's OpenRouter stand-in (test/openrouterServer, its
// scripted world answering), which this file starts before VS Code; the setting psychohistory.agents.baseUrl
// points the extension at it and the key is set with Set OpenRouter Key, as a user does.
// - agents: Set OpenRouter Key → Brainstorm Seed Events (3 seeds) → Chronicle Outcomes on the seed file →
//   Verify Cases on the case file: each ends "succeeded" in its notification and is a collect run with its
//   cost in the run store; the case file validates clean in the Problems panel; its table shows the
//   verified badges, and the form the review status and the sources as links.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { startOpenRouterStandIn } from '../harness/openRouterStandIn.ts';
import { scenario, useSessionWith } from '../harness/session.ts';

const SEEDS = 'data/brainstorm.seeds.jsonl';
const CASES = 'data/brainstorm.cases.jsonl';

describe('data agents', () => {
  const { session: get, standIn } = useSessionWith(
    () => startOpenRouterStandIn('agents'),
    (started) => ({
      name: 'agents',
      settings: {
        'psychohistory.agents.baseUrl': started.baseURL,
        'psychohistory.agents.concurrency': 2,
        'psychohistory.agents.model': 'e2e/model',
      },
    }),
    300_000,
  );

  scenario(
    'agents',
    get,
    async ({ vscode, server }) => {
      const succeeded = async (title: string): Promise<void> => {
        await vscode.notifications
          .filter({ hasText: `${title}: succeeded` })
          .first()
          .waitFor({ timeout: 120_000 });
      };

      await vscode.runCommand('PsychoHistory: Set OpenRouter Key');
      await vscode.acceptInput(/OpenRouter API key/, standIn().key);

      await vscode.runCommand('PsychoHistory: Brainstorm Seed Events');
      await vscode.acceptInput(/Brainstorm Seed Events: Domains/, 'economy, energy');
      await vscode.acceptInput(/Brainstorm Seed Events: From/, '2019-01-01');
      await vscode.acceptInput(/Brainstorm Seed Events: To/, '2021-12-31');
      await vscode.acceptInput(/Brainstorm Seed Events: Count/, '3');
      await vscode.acceptInput(/Brainstorm Seed Events: Output/, SEEDS);
      await succeeded('Brainstorm Seed Events');
      const seeds = readFileSync(join(server.workspace, SEEDS), 'utf8').trim().split('\n');
      assert.equal(seeds.length, 3);

      await vscode.openFile(SEEDS);
      await vscode.runCommand('PsychoHistory: Chronicle Outcomes');
      await vscode.acceptInput(/Chronicle Outcomes: Output/, CASES);
      await succeeded('Chronicle Outcomes');

      await vscode.openFile(CASES);
      await vscode.runCommand('PsychoHistory: Verify Cases');
      await succeeded('Verify Cases');
      const cases = readFileSync(join(server.workspace, CASES), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { review: { status: string } });
      assert.deepEqual(
        cases.map((c) => c.review.status),
        ['verified', 'verified', 'verified'],
      );

      // Every run is a collect run with its cost, as the Runs view and Show Run Logs read them.
      const runsDir = join(server.workspace, '.psychohistory/runs');
      const collects = readdirSync(runsDir)
        .map(
          (id) =>
            JSON.parse(readFileSync(join(runsDir, id, 'run.json'), 'utf8')) as {
              kind: string;
              state: string;
              config: { agent: string };
              cost?: { gpu: string; usd: number };
            },
        )
        .filter((r) => r.kind === 'collect');
      assert.deepEqual(collects.map((r) => r.config.agent).sort(), ['brainstorm', 'chronicle', 'verify']);
      assert.ok(
        collects.every((r) => r.state === 'succeeded' && r.cost?.gpu === 'openrouter' && r.cost.usd > 0),
        JSON.stringify(collects),
      );

      // The file as the verifier left it validates clean (the editor reloaded it from disk).
      await vscode.openFile(CASES);
      const counted = vscode.page.locator('.statusbar-item', { hasText: /3 cases/ }).first();
      await counted.waitFor({ timeout: 60_000 });
      const text = await counted.innerText();
      assert.match(text, /3 cases, 0 errors/);
      assert.doesNotMatch(text, /warning/);
      const problems = await vscode.problems();
      assert.ok(!problems.some((p) => p.file.endsWith('brainstorm.cases.jsonl')), JSON.stringify(problems));

      await vscode.runCommand('PsychoHistory: Open as Table');
      const table = await vscode.webview('[data-line="2"]');
      await table.locator('.badge.review.verified').nth(2).waitFor();
      await table.locator('[data-line="0"]').first().click();
      const status = table.locator('#review-status');
      await status.waitFor();
      assert.equal((await status.innerText()).trim(), 'verified');
      assert.ok((await table.locator('#sources a').count()) >= 3, 'the form lists the sources as links');
    },
    600_000,
  );
});
