import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { activeSummary, runRow } from '../../../src/views/runsTreeModel';
import { datasetRow, datasetRowOf } from '../../../src/views/datasetsTreeModel';
import { CaseDocument } from '../../../src/cases/caseDocument';
import { JOB_COMMANDS, JOB_VIEWS } from '../../../src/jobs/commands';
import { PREDICTIONS_VIEW } from '../../../src/forecast/commands';
import { aRun } from '../jobs/builders';
import { caseFromSpec, levelOf } from '../cases/builders';
import type { Split } from '../../../src/contracts/case';

/** A small valid case without an id (the rows count cases whatever their ids). */
const aCaseOf = (opts: { split?: Split } = {}) =>
  caseFromSpec({ event: 'A', date: '2024-01-01', levels: [levelOf(['x', 1], ['y', 0])], ...opts });

describe('Runs view rows', () => {
  const now = new Date('2026-01-01T00:05:00Z');
  it('shows kind, dataset, state, elapsed, cost and a spinning icon while running', () => {
    const row = runRow(
      aRun({ startedAt: '2026-01-01T00:00:00Z', cost: { gpu: 'A10G', seconds: 300, usd: 0.09 } }),
      '/ws/.psychohistory/runs',
      now,
    );
    expect(row.label).toBe('SFT · cases.jsonl');
    expect(row.description).toBe('running · 5m 0s · $0.09 · local');
    expect(row.icon.id).toBe('sync~spin');
    expect(row.contextValue).toBe('run.running.active');
    expect(row.dir).toBe(path.join('/ws/.psychohistory/runs', 'sft-20260101-000000-abcd'));
  });
  it('finished runs cannot be cancelled and show their error in the tooltip', () => {
    const row = runRow(aRun({ state: 'failed', endedAt: '2026-01-01T00:01:00Z', error: 'OOM' }), '/r', now);
    expect(row.contextValue).toBe('run.failed');
    expect(row.icon.id).toBe('error');
    expect(row.tooltip).toMatch(/Error: OOM/);
  });
  it('summarises active runs for the status bar', () => {
    expect(activeSummary([aRun({ state: 'succeeded' })])).toBeUndefined();
    expect(activeSummary([aRun(), aRun({ state: 'queued' })])).toMatch(/2 runs active/);
  });
});

describe('Datasets view rows', () => {
  it('counts cases and errors with the cases core', () => {
    const good = JSON.stringify(aCaseOf({ split: 'train' }));
    const row = datasetRow('/ws/data/train.cases.jsonl', `${good}\n{"seed": 1}\n`, '/ws');
    expect(row.cases).toBe(1);
    expect(row.errors).toBeGreaterThan(0);
    expect(row.description).toMatch(/^1 cases · \d+ errors$/);
    expect(row.contextValue).toBe('dataset.invalid');
    expect(datasetRow('/ws/a.cases.jsonl', `${good}\n`).contextValue).toBe('dataset');
  });

  it('counts an open file from its live case model, unsaved edits included', () => {
    const good = JSON.stringify(aCaseOf());
    const model = new CaseDocument(`${good}\n{"seed": 1}\n`);
    expect(datasetRowOf('/ws/a.cases.jsonl', model, '/ws')).toMatchObject({
      cases: 1,
      contextValue: 'dataset.invalid',
    });
    // The editor replaces the broken line with a good one: the model (not the file on disk) says so.
    model.applyChange(
      { start: { line: 1, character: 0 }, end: { line: 1, character: 11 } },
      good.replace('"A"', '"B"'),
    );
    expect(datasetRowOf('/ws/a.cases.jsonl', model, '/ws')).toMatchObject({
      cases: 2,
      errors: 0,
      contextValue: 'dataset',
    });
  });
});

describe('manifest', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
    contributes: {
      commands: { command: string; category?: string }[];
      views: Record<string, { id: string }[]>;
      viewsContainers: { activitybar: { id: string }[] };
      configuration: { properties: Record<string, { description?: string; markdownDescription?: string }> };
    };
  };
  it('contributes every jobs command (with the category) and nothing the code does not register', () => {
    const contributed = pkg.contributes.commands.filter((c) =>
      Object.values(JOB_COMMANDS).includes(c.command as never),
    );
    expect(contributed.map((c) => c.command).sort()).toEqual(Object.values(JOB_COMMANDS).sort());
    expect(contributed.every((c) => c.category === 'PsychoHistory')).toBe(true);
  });
  it("declares the container, its views (Datasets, Runs, then the forecast feature's Predictions), and described settings", () => {
    expect(pkg.contributes.viewsContainers.activitybar.map((c) => c.id)).toContain(JOB_VIEWS.container);
    expect(pkg.contributes.views[JOB_VIEWS.container]?.map((v) => v.id)).toEqual([
      JOB_VIEWS.datasets,
      JOB_VIEWS.runs,
      PREDICTIONS_VIEW,
    ]);
    for (const key of ['python', 'defaultBackend', 'defaultGpu', 'defaultEpochs', 'defaultLoraRank', 'baseModel']) {
      const prop = pkg.contributes.configuration.properties[`psychohistory.${key}`];
      expect(prop?.description ?? prop?.markdownDescription, key).toBeTruthy();
    }
  });
});
