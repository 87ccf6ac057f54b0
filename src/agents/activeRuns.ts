// The data-agent runs going on in this process, by run id, so that Cancel Run (the Runs view, the
// palette) reaches an agent the way its progress notification's Cancel does. A collect run of another
// window or of the CLI is not here: it is cancelled where it runs.
const active = new Map<string, AbortController>();

export function trackAgentRun(runId: string, controller: AbortController): { dispose(): void } {
  active.set(runId, controller);
  return { dispose: () => void active.delete(runId) };
}

/** Aborts the agent run `runId` of this process; false when it is not running here. */
export function cancelAgentRun(runId: string): boolean {
  const controller = active.get(runId);
  if (!controller) return false;
  controller.abort();
  return true;
}
