// Dataset statistics for the CLI (`psychohistory stats`) and the status bar: counts over the valid
// cases of a document plus diagnostic counts. Pure; reads the document model, never the text.
import type { CaseDocument } from './caseDocument';

export interface CaseStats {
  cases: number; // valid cases
  invalidLines: number; // non-blank lines that are not a valid case
  levelsPerDepth: Record<string, number>; // depth -> number of levels
  candidatesPerLevel: Record<string, number>; // candidate count -> number of levels
  actualPosition: Record<string, number>; // 1-based position of the actual -> number of levels
  splits: Record<string, number>; // train | eval | test | none -> cases
  errors: number;
  warnings: Record<string, number>; // diagnostic code -> count
}

/** Cheap enough to call after every edit: the counts are kept by the document, and the
 * diagnostics are cached there. */
export function statsOf(doc: CaseDocument): CaseStats {
  const stats: CaseStats = { ...doc.counts(), errors: 0, warnings: {} };
  for (const d of doc.diagnostics()) {
    if (d.severity === 'error') stats.errors++;
    else if (d.severity === 'warning') stats.warnings[d.code] = (stats.warnings[d.code] ?? 0) + 1;
  }
  return stats;
}
