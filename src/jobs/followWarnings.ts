// A follow loop that fails says so to the user once per run: the loops retry on their own (with
// backoff), so a warning per retry would bury the window, while silence (the log only) hides that
// the live view is stale. Pure, so the de-duplication is unit-tested without `vscode`.
export class FollowWarnings {
  private readonly warned = new Set<string>();

  constructor(private readonly show: (runId: string, message: string) => void) {}

  /** Shows the first warning for `runId`; later ones for the same run go nowhere. Returns whether it showed. */
  warn(runId: string, message: string): boolean {
    if (this.warned.has(runId)) return false;
    this.warned.add(runId);
    this.show(runId, message);
    return true;
  }

  /** A run started over (a new follow after reload) may warn again. */
  reset(runId: string): void {
    this.warned.delete(runId);
  }
}
