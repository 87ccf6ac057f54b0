// The status-bar summary of the active case file, e.g. "$(checklist) 120 cases, 3 errors".
export interface StatusCounts {
  cases: number;
  errors: number;
  warnings: number;
}

function plural(n: number, word: string): string {
  return `${String(n)} ${word}${n === 1 ? '' : 's'}`;
}

export function statusBarText(c: StatusCounts): string {
  return `$(checklist) ${plural(c.cases, 'case')}, ${plural(c.errors, 'error')}`;
}

export function statusBarTooltip(c: StatusCounts): string {
  return `Case dataset: ${plural(c.cases, 'valid case')}, ${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}. Click to open the Problems panel.`;
}

/** The core's stats keep warnings per code; the status bar shows their total. */
export function sumWarnings(warnings: Record<string, number> | number): number {
  if (typeof warnings === 'number') return warnings;
  return Object.values(warnings).reduce((a, b) => a + b, 0);
}
