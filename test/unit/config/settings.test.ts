// The one typed settings view (src/config/settings.ts) against package.json contributes.configuration:
// every setting read is contributed and every contributed one is read, each has a description (and
// enumDescriptions with an enum), and a hand-edited settings.json of the wrong types falls back.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SETTINGS, SETTING_SECTIONS, configFrom } from '../../../src/config/settings';
import type { SettingId } from '../../../src/config/settings';
import { BUILTIN_DEFAULTS } from '../../../src/jobs/launchConfig';

interface Contributed {
  default: unknown;
  description?: string;
  markdownDescription?: string;
  enum?: unknown[];
  enumDescriptions?: string[];
}
const manifest = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { configuration: { properties: Record<string, Contributed> } };
};
const contributed = manifest.contributes.configuration.properties;

describe('settings: one typed reader over contributes.configuration', () => {
  it('reads exactly the contributed settings', () => {
    expect(Object.values(SETTINGS).sort()).toEqual(Object.keys(contributed).sort());
  });

  it('each section groups contributed settings', () => {
    for (const section of Object.values(SETTING_SECTIONS))
      expect(Object.keys(contributed).filter((id) => id.startsWith(`${section}.`)).length, section).toBeGreaterThan(1);
  });

  it('every setting has a description, an enum its descriptions', () => {
    for (const [id, s] of Object.entries(contributed)) {
      expect((s.description ?? s.markdownDescription ?? '').length, id).toBeGreaterThan(10);
      if (s.enum && id !== SETTINGS.defaultGpu) expect(s.enumDescriptions?.length, id).toBe(s.enum.length);
    }
  });

  it('the contributed defaults read as the built-in defaults', () => {
    const config = configFrom((id: SettingId) => contributed[id]?.default);
    expect(config.jobs).toMatchObject({
      ...BUILTIN_DEFAULTS,
      python: '',
      trainingFolder: 'training',
      modalEnvironment: '',
      evalJudge: '',
    });
    expect(config.cases).toEqual({ globs: [], diagnosticsDelayMs: 200, knowledgeCutoff: '2024-06-30' }); // GPT-OSS's, from schemas/knowledge-cutoffs.json
    expect(config.service).toEqual({
      url: '',
      baseModel: '',
      timeoutSeconds: 180,
      localArgs: [],
      startTimeoutSeconds: 300,
    });
    expect(config.agents).toEqual({
      model: 'openai/gpt-4o-mini',
      baseUrl: 'https://openrouter.ai/api/v1',
      concurrency: 4,
      budgetUsd: undefined,
      depth: 2,
    });
  });

  it('values of the wrong type fall back instead of breaking a launch or the diagnostics', () => {
    const bad: Record<string, unknown> = {
      [SETTINGS.casesGlobs]: ['data/*.jsonl', 3, '  ', null],
      [SETTINGS.casesDiagnosticsDelay]: 99_999,
      [SETTINGS.defaultBackend]: 'cloud',
      [SETTINGS.defaultEpochs]: -1,
      [SETTINGS.defaultLoraRank]: 'sixteen',
      [SETTINGS.baseModel]: 42,
      [SETTINGS.modalEnvironment]: '  staging ',
    };
    const config = configFrom((id) => bad[id]);
    expect(config.cases).toEqual({ globs: ['data/*.jsonl'], diagnosticsDelayMs: 5000 });
    expect(config.jobs).toMatchObject({
      backend: 'modal',
      epochs: BUILTIN_DEFAULTS.epochs,
      loraRank: BUILTIN_DEFAULTS.loraRank,
      baseModel: BUILTIN_DEFAULTS.baseModel,
      modalEnvironment: 'staging',
    });
  });
});
