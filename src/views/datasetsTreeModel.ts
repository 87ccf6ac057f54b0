// The Datasets view's model: one row per case file with its case and error counts, computed by
// the cases core (stats.ts) — the view never parses. Pure; cached by file mtime in the provider.
import * as path from 'node:path';
import { CaseDocument } from '../cases/caseDocument';
import { statsOf } from '../cases/stats';
import type { RowIcon } from './runsTreeModel';

export interface DatasetRow {
  file: string;
  label: string;
  description: string;
  tooltip: string;
  icon: RowIcon;
  cases: number;
  errors: number;
  contextValue: 'dataset' | 'dataset.invalid';
}

export function datasetRow(file: string, text: string, workspaceRoot?: string): DatasetRow {
  const stats = statsOf(new CaseDocument(text));
  const rel = workspaceRoot ? path.relative(workspaceRoot, file) : file;
  const warnings = Object.values(stats.warnings).reduce((a, b) => a + b, 0);
  const splits = Object.entries(stats.splits)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return {
    file,
    label: path.basename(file),
    description: `${stats.cases} cases${stats.errors ? ` · ${stats.errors} errors` : ''}`,
    tooltip: [rel, `${stats.cases} valid cases, ${stats.errors} errors, ${warnings} warnings`, splits ? `Splits: ${splits}` : undefined]
      .filter(Boolean)
      .join('\n'),
    icon: stats.errors ? { id: 'warning', color: 'problemsWarningIcon.foreground' } : { id: 'database' },
    cases: stats.cases,
    errors: stats.errors,
    contextValue: stats.errors ? 'dataset.invalid' : 'dataset',
  };
}
