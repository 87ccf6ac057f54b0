// Links into Modal's web dashboard. Pure (no SDK, no `vscode`) so the Runs view model, the
// dashboard header and the CLI can all use it.
import type { RunRecord } from '../contracts/run';

/**
 * The page of a function call in Modal's dashboard. `https://modal.com/id/<object id>` is the form
 * Modal's own CLI opens for an object (`modal dashboard <object_id>`); it redirects to the call
 * inside its workspace and environment, so neither needs to be known here.
 */
export function modalDashboardUrl(run: Pick<RunRecord, 'backend' | 'modal'>): string | undefined {
  const id = run.backend === 'modal' ? run.modal?.functionCallId : undefined;
  return id && /^[A-Za-z0-9_-]+$/.test(id) ? `https://modal.com/id/${id}` : undefined;
}
