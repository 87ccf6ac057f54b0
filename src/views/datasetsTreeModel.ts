// The Datasets view's model: one row per case file with its case and error counts, computed by
// the cases core (stats.ts) — the view never parses. Pure: an open file's row comes from its live
// case model, a closed file's from its text read in the background (the provider caches by mtime).
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
  return datasetRowOf(file, new CaseDocument(text), workspaceRoot);
}

/** The row of a case file from its model (an open document's, kept in step with the editor). */
export function datasetRowOf(file: string, model: CaseDocument, workspaceRoot?: string): DatasetRow {
  const stats = statsOf(model);
  const rel = workspaceRoot ? path.relative(workspaceRoot, file) : file;
  const warnings = Object.values(stats.warnings).reduce((a, b) => a + b, 0);
  const splits = Object.entries(stats.splits)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  return {
    file,
    label: path.basename(file),
    description: `${stats.cases} cases${stats.errors ? ` · ${stats.errors} errors` : ''}`,
    tooltip: [
      rel,
      `${stats.cases} valid cases, ${stats.errors} errors, ${warnings} warnings`,
      splits ? `Splits: ${splits}` : undefined,
    ]
      .filter(Boolean)
      .join('\n'),
    icon: stats.errors ? { id: 'warning', color: 'problemsWarningIcon.foreground' } : { id: 'database' },
    cases: stats.cases,
    errors: stats.errors,
    contextValue: stats.errors ? 'dataset.invalid' : 'dataset',
  };
}
