// Contract 2 (shared/GUIDE.md): `.psychohistory/runs/<runId>/run.json`, the record every backend
// writes so that views and the CLI never care which backend ran a job.
import { z } from 'zod';
import { RUN_STATES } from './metrics';

/** Jobs a backend launches. */
export const RUN_KINDS = ['sft', 'grpo', 'eval', 'generate'] as const;
/** Every kind a run record may have: the jobs, and `collect` for the data agents (src/agents), which run in process. */
export const RECORD_KINDS = [...RUN_KINDS, 'collect'] as const;
export const BACKENDS = ['modal', 'local'] as const;

export const RunCostSchema = z.object({
  gpu: z.string().min(1),
  seconds: z.number().min(0),
  usd: z.number().min(0),
});

export const RunRecordSchema = z.object({
  id: z.string().min(1),
  kind: z.enum(RECORD_KINDS),
  backend: z.enum(BACKENDS),
  config: z.record(z.string(), z.unknown()).describe('The job config as launched (never secrets).'),
  state: z.enum(RUN_STATES),
  createdAt: z.string().min(1),
  startedAt: z.string().min(1).optional(),
  endedAt: z.string().min(1).optional(),
  modal: z
    .object({ appName: z.string().min(1), functionName: z.string().min(1), functionCallId: z.string().min(1) })
    .optional(),
  local: z
    .object({
      pid: z.int().min(1),
      startTime: z
        .string()
        .min(1)
        .optional()
        .describe(
          "The process's start time as the OS reports it (Linux: /proc/<pid>/stat field 22), so a reused pid is never taken for the job.",
        ),
    })
    .optional(),
  cost: RunCostSchema.optional(),
  error: z.string().optional(),
});

export type RunKind = (typeof RUN_KINDS)[number];
export type RecordKind = (typeof RECORD_KINDS)[number];
export type Backend = (typeof BACKENDS)[number];
export type RunCost = z.infer<typeof RunCostSchema>;
export type RunRecord = z.infer<typeof RunRecordSchema>;
