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

function bump(rec: Record<string, number>, key: string | number): void {
  const k = String(key);
  rec[k] = (rec[k] ?? 0) + 1;
}

export function statsOf(doc: CaseDocument): CaseStats {
  const stats: CaseStats = {
    cases: 0,
    invalidLines: 0,
    levelsPerDepth: {},
    candidatesPerLevel: {},
    actualPosition: {},
    splits: {},
    errors: 0,
    warnings: {},
  };
  for (let line = 0; line < doc.lineCount; line++) {
    const r = doc.lineResult(line);
    if (!r.case) {
      if (!r.blank) stats.invalidLines++;
      continue;
    }
    stats.cases++;
    bump(stats.splits, r.case.split ?? 'none');
    r.case.levels.forEach((level, k) => {
      bump(stats.levelsPerDepth, level.depth);
      bump(stats.candidatesPerLevel, level.candidates.length);
      const pos = r.facts?.actualPositions[k] ?? -1;
      if (pos >= 0) bump(stats.actualPosition, pos + 1);
    });
  }
  for (const d of doc.diagnostics()) {
    if (d.severity === 'error') stats.errors++;
    else if (d.severity === 'warning') bump(stats.warnings, d.code);
  }
  return stats;
}
