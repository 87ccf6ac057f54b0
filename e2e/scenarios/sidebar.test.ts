// The PsychoHistory side bar on the example workspace: the Datasets view lists every case file with
// its counts, and the Runs view lists every run in .psychohistory/runs with its state (or says there
// are none). Expectations come from the example workspace on disk, so the scenario follows it.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe } from 'node:test';
import { examplesDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';

function caseFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...caseFiles(full));
    else if (entry.name.endsWith('.cases.jsonl') || (basename(dir) === 'cases' && entry.name.endsWith('.jsonl'))) out.push(full);
  }
  return out;
}

interface RunOnDisk {
  id: string;
  state: string;
}

function runsOnDisk(): RunOnDisk[] {
  const root = join(examplesDir, '.psychohistory/runs');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((id) => existsSync(join(root, id, 'run.json')))
    .map((id) => JSON.parse(readFileSync(join(root, id, 'run.json'), 'utf8')) as RunOnDisk);
}

describe('sidebar: datasets and runs', () => {
  const session = useSession({ name: 'sidebar' });

  scenario('sidebar', session, async ({ vscode }) => {
    await vscode.runCommand('View: Show PsychoHistory');

    const datasets = vscode.viewPane('Datasets');
    const files = caseFiles(examplesDir).map((f) => basename(f)).sort();
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
      // A row's accessible label is "<label>, <run id>, <description>"; the description starts with the state.
      const row = runRows.and(vscode.page.locator(`[aria-label*=${JSON.stringify(`, ${run.id}, `)}]`));
      await row.first().waitFor();
      assert.match(await row.first().innerText(), new RegExp(`${run.state} ·`));
    }
  });
});
