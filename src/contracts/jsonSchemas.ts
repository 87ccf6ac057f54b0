// Every contract as JSON Schema (draft 2020-12), generated from the zod source. The checked-in files
// under schemas/ are what the Python side loads; test/unit/schemas.test.ts fails when they drift.
import { z } from 'zod';
import { CaseSchema } from './case';
import { JobConfigSchema } from './jobConfig';
import { MetricEventSchema } from './metrics';
import { RunRecordSchema } from './run';
import {
  ForecastListSchema,
  ForecastRequestSchema,
  HealthSchema,
  OutcomeResponseSchema,
  ForecastResponseSchema,
  OutcomeRequestSchema,
  TrackResponseSchema,
} from './service';
import { ForecastTreeSchema } from './tree';

const CONTRACTS = {
  case: CaseSchema,
  'metric-event': MetricEventSchema,
  'job-config': JobConfigSchema,
  run: RunRecordSchema,
  'forecast-tree': ForecastTreeSchema,
  'forecast-request': ForecastRequestSchema,
  'forecast-response': ForecastResponseSchema,
  'outcome-request': OutcomeRequestSchema,
  track: TrackResponseSchema,
  'forecast-list': ForecastListSchema,
  'outcome-response': OutcomeResponseSchema,
  health: HealthSchema,
} as const;

export type ContractName = keyof typeof CONTRACTS;

export function contractJsonSchemas(): Record<ContractName, string> {
  const out = {} as Record<ContractName, string>;
  for (const [name, schema] of Object.entries(CONTRACTS) as [ContractName, z.ZodType][]) {
    const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
    const withId = { $id: `https://psychohistory.dev/schemas/${name}.schema.json`, ...json };
    out[name] = JSON.stringify(withId, null, 2) + '\n';
  }
  return out;
}
