// Editing a case file and reading runs from it, one session on the example workspace:
// - hover: resting the mouse on a case line of sample.cases.jsonl shows its seed, date, id,
//   split, depths and the actual outcome per level (the markdown table, rendered);
// - completion: in a new case line, suggest offers the top-level keys the object still lacks;
//   accepting `split` inserts it with its values (train/eval/test) as a choice; on an existing
//   line, suggest on the split value offers the three values and accepting one replaces it;
// - line-editor: "Edit Line as Formatted JSON" opens the line pretty-printed beside the file;
//   a value changed there is written back as one line by Save and by the write-back command;
//   broken JSON is refused on save with the reason; undo in the case file restores each previous
//   line exactly, then a clean document;
// - compare-runs: Compare Runs on the three example runs (SFT, GRPO, eval) draws each run's
//   series in one dashboard (loss and learning rate of both trainings, GRPO's reward, the eval
//   stages, one match-kinds bar per stage and no exact-dominance flag) — expectations read from
//   examples/ on disk;
// - forecast-tree-lens: on synthetic.cases.jsonl the "Show forecast tree" CodeLens stands above
//   exactly the cases whose seed (event and date) has a tree in the eval run; clicking it opens
//   that run's dashboard on that seed's tree, and another lens refocuses the same dashboard.
// Each scenario leaves the workspace as it found it (reverted or undone), so the order is free.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe } from 'node:test';
import { examplesDir } from '../harness/paths.ts';
import { scenario, useSession } from '../harness/session.ts';
import { paintedPixels } from '../harness/workbench.ts';

const runsDir = join(examplesDir, '.psychohistory/runs');

interface Candidate {
  event: string;
  label: number;
}
interface Case {
  id: string;
  seed: { event: string; date: string };
  levels: { depth: number; candidates: Candidate[] }[];
  split: string;
}

/** The lines of a file of the example workspace as on disk (1-based: lines[0] is unused). */
function linesOf(relative: string): string[] {
  return ['', ...readFileSync(join(examplesDir, relative), 'utf8').split('\n')];
}

/** The metric events of an example run. */
function metricsOf(runId: string): { type: string; step?: number; rewardMean?: number }[] {
  return readFileSync(join(runsDir, runId, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { type: string });
}

const sample = 'data/sample.cases.jsonl';

describe('editing cases: hover, completion, formatted line editor; compare runs; forecast-tree CodeLens', () => {
  const session = useSession({ name: 'editing' });

  scenario('hover', session, async ({ vscode, page }) => {
    await vscode.openFile(sample);
    const line = linesOf(sample)[1]!;
    const c = JSON.parse(line) as Case;
    // The file's case count in the status bar: the case editor feature (its hover too) is registered.
    await page
      .locator('.statusbar-item', { hasText: /^\s*\d+ cases?, \d+ errors?\s*$/ })
      .first()
      .waitFor({ timeout: 60_000 });

    const hover = await vscode.hoverAt(1, 12);
    await hover.locator('table').waitFor();
    const text = (await hover.innerText()).replace(/\u00a0/g, ' ');
    assert.match(text, new RegExp(`^${escapeRegExp(c.seed.event)}\\n`), 'the seed event heads the hover');
    const depths = c.levels.map((l) => l.depth).join(', ');
    assert.match(
      text,
      new RegExp(
        escapeRegExp(
          `date ${c.seed.date} · id ${c.id} · split ${c.split} · ${c.levels.length} levels (depths ${depths})`,
        ),
      ),
    );

    // One table row per level: depth, the actual outcome (and which candidate it is), candidates.
    const rows = await hover
      .locator('table tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((cell) => (cell.textContent ?? '').trim())),
      );
    const expected = c.levels.map((level) => {
      const actual = level.candidates.findIndex((x) => x.label === 1);
      return [
        String(level.depth),
        `${level.candidates[actual]!.event} (candidate ${actual + 1} of ${level.candidates.length})`,
        String(level.candidates.length),
      ];
    });
    assert.deepEqual(rows, [['depth', 'actual', 'candidates'], ...expected]);
  });

  scenario('completion', session, async ({ vscode, page }) => {
    await vscode.openFile(sample);
    const lines = linesOf(sample);
    assert.equal(lines.at(-1), '', 'the fixture ends with a newline: its last editor line is empty');
    const newLine = lines.length - 1;

    // A new case, typed the way a user does (the editor closes braces and quotes itself).
    await vscode.goToLine(newLine, 1);
    await page.keyboard.type('{"id": "e2e-new", ');
    await page.keyboard.press('Escape');
    assert.equal(await vscode.editorLineText(newLine), '{"id": "e2e-new", }');
    await vscode.goToLine(newLine, '{"id": "e2e-new", '.length + 1);
    // Keys the object lacks, in the schema's order; `id` is there already.
    assert.deepEqual(await vscode.triggerSuggest(4), ['seed', 'levels', 'split', 'source']);
    await vscode.acceptSuggestion('split');
    // The snippet puts the split's values up as a choice.
    assert.deepEqual(await vscode.suggestionLabels(3), ['train', 'eval', 'test']);
    await vscode.acceptSuggestion('eval');
    await page.keyboard.press('Escape');
    assert.equal(await vscode.editorLineText(newLine), '{"id": "e2e-new", "split": "eval"}');

    // On an existing case: suggest on the split value offers the three values; one replaces it.
    const first = lines[1]!;
    const value = first.lastIndexOf('"split": "train"') + '"split": '.length;
    assert.ok(value > 0);
    await vscode.goToLine(1, value + 2); // just after the value's opening quote
    assert.deepEqual(await vscode.triggerSuggest(3), ['"train"', '"eval"', '"test"']);
    await vscode.acceptSuggestion('"test"');
    assert.equal(await vscode.editorLineText(1), first.replace('"split": "train"', '"split": "test"'));

    await vscode.runCommand('File: Revert File');
    assert.equal(await vscode.editorLineText(1), first);
    await vscode.tab('sample.cases.jsonl').and(page.locator('.dirty')).waitFor({ state: 'detached' });
  });

  scenario('line-editor', session, async ({ vscode, page }) => {
    const n = 4;
    const before = linesOf(sample)[n]!;
    const c = JSON.parse(before) as Case;
    assert.equal(c.split, 'train');
    await vscode.openFile(sample);
    await vscode.goToLine(n, 1);
    await vscode.runCommand('PsychoHistory: Edit Line as Formatted JSON');

    // Beside the case file: the line pretty-printed, a JSON document of its own.
    const sideTab = `sample.cases.jsonl.line-${n}.json`;
    await vscode.tab(sideTab).waitFor();
    await page.locator('.editor-group-container').nth(1).waitFor();
    const pretty = `${JSON.stringify(c, null, 2)}\n`;
    assert.equal(await vscode.editorText(), pretty);
    await page
      .locator('.statusbar-item', { hasText: /^\s*JSON\s*$/ })
      .first()
      .waitFor();

    // Change the split there and save: the case line becomes the edited JSON on one line.
    const prettyLines = pretty.split('\n');
    const splitLine = prettyLines.findIndex((l) => l === '  "split": "train"') + 1;
    await selectInLine(splitLine, prettyLines[splitLine - 1]!, 'train');
    await page.keyboard.type('eval');
    assert.equal(await vscode.editorLineText(splitLine), '  "split": "eval"');
    await vscode.tab(sideTab).and(page.locator('.dirty')).waitFor();
    await page.keyboard.press('Control+S');
    await vscode.tab(sideTab).and(page.locator('.dirty')).waitFor({ state: 'detached' });

    const afterSave = before.replace('"split": "train"', '"split": "eval"');
    assert.notEqual(afterSave, before);
    await vscode.tab('sample.cases.jsonl').click();
    assert.equal(await vscode.editorLineText(n), afterSave, "Save wrote the line back, in the file's own separators");
    // The case file is changed, not saved: that stays the user's decision.
    await vscode.tab('sample.cases.jsonl').and(page.locator('.dirty')).waitFor();

    // Another change, written back with the command this time.
    await vscode.tab(sideTab).click();
    const dateLine = prettyLines.findIndex((l) => l === `    "date": "${c.seed.date}"`) + 1;
    await selectInLine(dateLine, prettyLines[dateLine - 1]!, c.seed.date);
    await page.keyboard.type('2021-03-24');
    await vscode.runCommand('PsychoHistory: Write Formatted JSON Back to Case Line');
    await vscode.notifications.filter({ hasText: 'Case line written back.' }).first().waitFor();
    await vscode.tab(sideTab).and(page.locator('.dirty')).waitFor({ state: 'detached' });
    const afterCommand = afterSave.replace(`"date": "${c.seed.date}"`, '"date": "2021-03-24"');
    assert.notEqual(afterCommand, afterSave);
    await vscode.tab('sample.cases.jsonl').click();
    assert.equal(await vscode.editorLineText(n), afterCommand);
    assert.equal(await vscode.editorLineText(n - 1), linesOf(sample)[n - 1], 'the line above is untouched');
    assert.equal(await vscode.editorLineText(n + 1), linesOf(sample)[n + 1], 'the line below is untouched');
    await vscode.screenshot('line-editor-written');

    // Broken JSON is refused on save, with the reason, and the case line stays as it is.
    await vscode.tab(sideTab).click();
    const closing = prettyLines.length - 1; // the closing brace (the text ends with a newline)
    await selectInLine(closing, '}', '}');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Control+S');
    const refusal = vscode.notifications.filter({ hasText: 'is not valid JSON' }).first();
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /the case line was left unchanged/);
    await vscode.tab(sideTab).and(page.locator('.dirty')).waitFor();
    await page.keyboard.press('Control+Z');
    await vscode.tab(sideTab).and(page.locator('.dirty')).waitFor({ state: 'detached' });
    await vscode.runCommand('Notifications: Clear All Notifications');
    await vscode.tab('sample.cases.jsonl').click();
    assert.equal(await vscode.editorLineText(n), afterCommand, 'the refused save left the line alone');

    // Undo in the case file takes back one write-back at a time, to the exact bytes.
    await vscode.goToLine(n, 1);
    await page.keyboard.press('Control+Z');
    assert.equal(await vscode.editorLineText(n), afterSave, "undo takes back the command's write-back");
    await page.keyboard.press('Control+Z');
    assert.equal(await vscode.editorLineText(n), before, 'undo restores the exact original line');
    await vscode.tab('sample.cases.jsonl').and(page.locator('.dirty')).waitFor({ state: 'detached' });

    await vscode.runCommand('View: Close All Editors');

    /** Selects `text` in a 1-based line (whose text is `lineText`) of the active editor. */
    async function selectInLine(line: number, lineText: string, text: string): Promise<void> {
      const at = lineText.indexOf(text);
      assert.ok(line > 0 && at >= 0, `"${text}" is on line ${line}`);
      await vscode.goToLine(line, at + 1);
      for (let i = 0; i < text.length; i++) await page.keyboard.press('Shift+ArrowRight');
    }
  });

  scenario('compare-runs', session, async ({ vscode }) => {
    const ids = ['example-sft-smollm2', 'example-grpo-smollm2', 'example-eval-smollm2'];
    for (const id of ids) assert.ok(readdirSync(runsDir).includes(id), `examples holds ${id}`);
    await vscode.runCommand('PsychoHistory: Compare Runs');
    await vscode.pickMany(ids, /Compare runs/);
    await vscode.tab('Compare 3 runs').waitFor();

    const frame = await vscode.webview('#chart-loss');
    await frame.locator('#dash-title', { hasText: 'Compare 3 runs' }).waitFor();
    const shownRuns = await frame
      .locator('#run-facts .run-fact')
      .evaluateAll((facts) => facts.map((f) => f.getAttribute('data-run-id')));
    assert.deepEqual([...shownRuns].sort(), [...ids].sort());

    // Training series: every step of both trainings (one point per step in runs this short).
    const train = (id: string) => metricsOf(id).filter((e) => e.type === 'train');
    const steps = ids.reduce((n, id) => n + train(id).length, 0);
    const rewards = ids.reduce((n, id) => n + train(id).filter((e) => typeof e.rewardMean === 'number').length, 0);
    assert.ok(train('example-sft-smollm2').length > 0 && train('example-grpo-smollm2').length > 0);
    for (const [chart, points] of [
      ['#chart-loss', steps],
      ['#chart-lr', steps],
      ['#chart-reward', rewards],
    ] as const) {
      const canvas = frame.locator(`${chart}:not([data-points="0"])`);
      await canvas.waitFor();
      assert.equal(Number(await canvas.getAttribute('data-points')), points, `${chart} holds every run's points`);
      assert.ok((await paintedPixels(frame, chart)) > 500, `${chart} paints pixels`);
    }

    // Evaluation: the SFT run's own evals and the eval run's stages, side by side.
    const brier = frame.locator('#chart-brier:not([data-points="0"])');
    await brier.waitFor();
    assert.ok((await paintedPixels(frame, '#chart-brier')) > 500, 'the Brier chart paints pixels');
    const stageRuns = new Set(
      await frame
        .locator('#stage-table tbody tr')
        .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-run-id'))),
    );
    const withEvals = ids.filter((id) => metricsOf(id).some((e) => e.type === 'eval'));
    assert.deepEqual([...stageRuns].sort(), withEvals.sort());
    // Match kinds across runs: one bar per stage row. The examples' SmolLM2 generations hit no actual
    // event (every level 'none'), so no stage shows the exact-dominance flag.
    const stageCount = await frame.locator('#stage-table tbody tr').count();
    const kinds = frame.locator('#chart-kinds:not([data-points="0"])');
    await kinds.waitFor();
    assert.equal(Number(await kinds.getAttribute('data-points')), stageCount, 'one match-kinds bar per stage row');
    assert.equal(
      await frame.locator('#kinds-flag').getAttribute('data-flagged'),
      '0',
      'no stage flagged for exact dominance',
    );
    await frame.locator('#chart-loss').scrollIntoViewIfNeeded();
  });

  scenario('forecast-tree-lens', session, async ({ vscode, page }) => {
    const file = 'data/synthetic.cases.jsonl';
    const runId = 'example-eval-smollm2';
    const trees = readFileSync(join(runsDir, runId, 'trees.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .map((l) => (JSON.parse(l) as { seed: { event: string; date: string } }).seed);
    const lines = linesOf(file);
    const seedOf = (n: number): Case['seed'] | undefined =>
      lines[n]?.trim() ? (JSON.parse(lines[n]!) as Case).seed : undefined;
    const hasTree = (n: number): boolean =>
      trees.some((t) => t.event === seedOf(n)?.event && t.date === seedOf(n)?.date);
    const lensLines = lines.map((_, n) => n).filter((n) => n > 0 && hasTree(n));
    assert.ok(lensLines.length >= 2, 'the eval run has trees for at least two cases of the file');
    // A case whose seed event has a tree but on another date: it gets no lens.
    const otherDate = lines
      .map((_, n) => n)
      .find((n) => n > 0 && !hasTree(n) && trees.some((t) => t.event === seedOf(n)?.event));
    assert.ok(otherDate, "the file has a case with a tree seed's event on another date");

    await vscode.runCommand('View: Close All Editors');
    await vscode.openFile(file);
    await vscode.activeEditor.locator('.codelens-decoration a').first().waitFor();
    const inView = async (): Promise<number[]> => [...(await vscode.renderedLines()).keys()].sort((a, b) => a - b);
    /** The lenses in view are those above the tree seeds' lines (the lens zone above the first line in view may be
     *  cut off or drawn: either way is right, so that line's lens is neither required nor refused). */
    const expectLenses = async (what: string): Promise<number[]> => {
      const shown = await inView();
      const expected = lensLines.filter((n) => shown.includes(n) && n > shown[0]!);
      const below = (lenses: { line: number }[]) => lenses.filter((l) => l.line !== shown[0]);
      await vscode.until(
        () => vscode.codeLenses(),
        (lenses) =>
          JSON.stringify(below(lenses)) ===
          JSON.stringify(expected.map((line) => ({ line, titles: ['Show forecast tree'] }))),
        `lenses above lines ${expected.join(', ')} only (${what})`,
      );
      return expected;
    };
    assert.ok((await expectLenses('top of the file')).length >= 2, 'lenses in view at the top of the file');

    // Scrolled (Ctrl+Down, line by line) until the other-date case is in view below a lens line: it has no lens.
    const lensAbove = Math.max(...lensLines.filter((n) => n < otherDate));
    assert.ok(otherDate - lensAbove < 30, 'the other-date case and a lens line fit in one view');
    await vscode.goToLine(1);
    for (let i = 0; i < lensAbove - 6; i++) await page.keyboard.press('Control+ArrowDown');
    await vscode.until(
      inView,
      (shown) => shown.includes(otherDate) && shown.includes(lensAbove) && shown[0]! < lensAbove,
      `lines ${lensAbove} to ${otherDate} in view`,
    );
    assert.ok((await expectLenses(`lines ${lensAbove} to ${otherDate} in view`)).includes(lensAbove));

    // The lens opens the run's dashboard on that seed's tree (the last tree of that seed in the run).
    const treeIndex = (n: number): number =>
      trees.findLastIndex((t) => t.event === seedOf(n)?.event && t.date === seedOf(n)?.date);
    const showsTree = async (n: number): Promise<void> => {
      const seed = seedOf(n)!;
      const frame = await vscode.webview('#tree-view');
      await frame
        .locator(`#tree-view[aria-label^=${JSON.stringify(`Forecast tree for ${seed.event} (${seed.date}),`)}]`)
        .waitFor();
      await frame.locator('#tree-node-0', { hasText: seed.event }).waitFor();
      // The seed row is named by its text: the event, its date, then "(seed event)" for screen readers.
      assert.equal(await frame.locator('#tree-node-0').textContent(), `${seed.event}${seed.date} (seed event)`);
      assert.ok(
        Number(await frame.locator('#tree-view').getAttribute('data-rendered-nodes')) > 1,
        'the tree shows its branches',
      );
      assert.equal(
        await frame.locator('#tree-select').evaluate((s) => (s as HTMLElement & { value: string }).value),
        `${runId}#${treeIndex(n)}`,
      );
      await frame.locator('#section-trees').scrollIntoViewIfNeeded();
    };
    const [first, second] = lensLines as [number, number];
    await vscode.clickCodeLens(first, 'Show forecast tree');
    await vscode.tab(`Run ${runId}`).waitFor();
    await showsTree(first);
    await vscode.screenshot('forecast-tree-lens-first');

    // Another case's lens brings the same dashboard forward on its own tree.
    await vscode.tab('synthetic.cases.jsonl').click();
    await vscode.clickCodeLens(second, 'Show forecast tree');
    await showsTree(second);
    assert.equal(await vscode.tab(`Run ${runId}`).count(), 1, 'one dashboard for the run');
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
