// The messages between a test and the Modal stand-in run as a child process (child.ts), over Node's IPC
// channel. Types only, with no imports, so that both the end-to-end suite (Node 24, ESM) and the root
// TypeScript project can import them.

/** A function call the stand-in received, as a test needs to see it. */
export interface StandInCall {
  id: string;
  /** The call's config argument without `dataset_text`. */
  config: Record<string, unknown>;
  /** Bytes of `dataset_text` the call carried. */
  datasetBytes: number;
  /** The GPU it was spawned with (`withOptions({gpu})`). */
  gpu?: string;
  /** FunctionCallCancel reached it. */
  cancelled: boolean;
  /** It has an outcome (returned, failed, cancelled). */
  ended: boolean;
}

/** Requests from the test; each is answered by a StandInReply with the same `id`. */
export type StandInRequest = { id: number } &
  /** Every call so far, oldest first. */
  (
    | { op: 'calls' }
    /**
     * What the Python side's jobs.run does with an event: append it to the run's record (the Volume's
     * metrics.jsonl, which read_run serves) and put it on the `psychohistory-events` partition as a
     * QueueSink batch ({seq, offset, end, events}).
     */
    | { op: 'emit'; runId: string; events: unknown[] }
    /** The function returned `result`. */
    | { op: 'complete'; callId: string; result: unknown }
    /** The function printed `data` (fd 1). */
    | { op: 'log'; callId: string; data: string }
  );

export type StandInReply = { id: number; ok: true; value?: unknown } | { id: number; ok: false; error: string };

/** The child's first message: where the SDK finds it and the token it accepts. */
export interface StandInReady {
  type: 'ready';
  url: string;
  tokenId: string;
  tokenSecret: string;
}
