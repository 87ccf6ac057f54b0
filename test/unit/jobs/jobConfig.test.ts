// The editor's side of the job-config contract (schemas/job-config.schema.json, from
// src/contracts/jobConfig.ts): the launch form's and the CLI's flags become keys the job knows, with
// the job's types; the contributed settings and the built-in fallbacks default as the jobs do; one
// base model. training/tests/test_job_config.py checks config.py and the Modal entry points.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOB_CONFIG_SCHEMAS, PIPELINE_BASE_MODEL, jobDefault, jobKeys } from '../../../src/contracts/jobConfig';
import { RUN_KINDS } from '../../../src/contracts/run';
import { BUILTIN_DEFAULTS, buildConfig, defaultLoraRank } from '../../../src/jobs/launchConfig';

const root = join(__dirname, '../../..');
const schema = JSON.parse(readFileSync(join(root, 'schemas/job-config.schema.json'), 'utf8')) as {
  properties: Record<
    string,
    { default?: unknown; properties?: Record<string, { type: string; default: unknown; description: string }> }
  >;
};
const settings = (
  JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    contributes: {
      configuration: {
        properties: Record<
          string,
          { default: unknown; description?: string; markdownDescription?: string; enum?: unknown[] }
        >;
      };
    };
  }
).contributes.configuration.properties;

describe('job config: one schema for both halves', () => {
  it('every key of every job has a type, a default and a description', () => {
    for (const kind of RUN_KINDS) {
      const props = schema.properties[kind]?.properties ?? {};
      expect(Object.keys(props).sort()).toEqual(jobKeys(kind).sort());
      for (const [key, p] of Object.entries(props)) {
        expect(['string', 'integer', 'number', 'boolean'], `${kind}.${key}`).toContain(p.type);
        expect(p.default, `${kind}.${key}`).toBeDefined();
        expect(p.description.length, `${kind}.${key}`).toBeGreaterThan(3);
      }
    }
  });

  it('the launch form and the CLI flags send only keys the job knows, of its types', () => {
    for (const kind of RUN_KINDS) {
      const config = buildConfig({
        kind,
        backend: 'modal',
        dataset: 'cases.jsonl',
        baseModel: 'tiny',
        adapter: '/a',
        epochs: 2,
        loraRank: 4,
        gpu: 'H100',
        judge: 'openrouter:m',
      });
      for (const key of Object.keys(config)) expect(jobKeys(kind), `${kind}: ${key}`).toContain(key);
      expect(() => JOB_CONFIG_SCHEMAS[kind].parse(config)).not.toThrow();
    }
  });

  it('the contributed settings default as the jobs do', () => {
    expect(settings['psychohistory.defaultEpochs']?.default).toBe(jobDefault('sft', 'num_epochs'));
    expect(settings['psychohistory.defaultLoraRank']?.default).toBe(jobDefault('sft', 'lora_rank'));
    expect(settings['psychohistory.defaultGpu']?.default).toBe(jobDefault('sft', 'gpu'));
    expect(settings['psychohistory.baseModel']?.default).toBe(PIPELINE_BASE_MODEL);
    expect(settings['psychohistory.evalJudge']?.default).toBe(jobDefault('eval', 'judge'));
    expect(settings['psychohistory.defaultBackend']?.enum).toContain(BUILTIN_DEFAULTS.backend);
  });

  it('the launch form falls back to the same defaults, GRPO to its small rank', () => {
    expect(BUILTIN_DEFAULTS).toMatchObject({
      epochs: jobDefault('sft', 'num_epochs'),
      loraRank: jobDefault('sft', 'lora_rank'),
      gpu: jobDefault('sft', 'gpu'),
      baseModel: PIPELINE_BASE_MODEL,
    });
    expect(defaultLoraRank('sft', BUILTIN_DEFAULTS)).toBe(16);
    expect(defaultLoraRank('grpo', BUILTIN_DEFAULTS)).toBe(jobDefault('grpo', 'lora_rank'));
    expect(jobDefault('grpo', 'lora_rank')).toBe(4);
  });

  it('one default base model, the one the schema states', () => {
    expect(schema.properties['baseModel']?.default).toBe(PIPELINE_BASE_MODEL);
    expect(PIPELINE_BASE_MODEL).toBe('openai/gpt-oss-20b');
  });
});
