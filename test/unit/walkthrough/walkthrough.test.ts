// The "Get Started with PsychoHistory" walkthrough in package.json: every step has its media file,
// every button runs a command that exists, every completion event names one, and the example
// datasets its first steps open ship in the VSIX. e2e/scenarios/walkthrough.test.ts shows it in VS Code.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WALKTHROUGH_ID, sampleFiles, sampleName } from '../../../src/walkthrough/walkthrough';

const root = join(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    walkthroughs: {
      id: string;
      title: string;
      steps: {
        id: string;
        title: string;
        description: string;
        media: { markdown?: string };
        completionEvents?: string[];
      }[];
    }[];
  };
};
const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
/** Built-in commands the steps may name (VS Code's own). */
const BUILT_IN = new Set(['workbench.actions.view.problems']);

describe('walkthrough', () => {
  const walkthrough = manifest.contributes.walkthroughs.find((w) => w.id === WALKTHROUGH_ID);

  it('is contributed under the id the extension opens', () => {
    expect(walkthrough?.title).toBe('Get Started with PsychoHistory');
    expect(walkthrough?.steps.map((s) => s.id)).toEqual([
      'openSample',
      'fixProblem',
      'openTable',
      'quickRun',
      'openDashboard',
      'modalToken',
    ]);
  });

  it('every step has a button for a command that exists, a completion event and its media', () => {
    for (const step of walkthrough?.steps ?? []) {
      const links = [...step.description.matchAll(/\]\(command:([\w.]+)/g)].map((m) => m[1]!);
      expect(links.length, step.id).toBeGreaterThan(0);
      for (const id of links) expect(contributed.has(id) || BUILT_IN.has(id), `${step.id}: ${id}`).toBe(true);
      for (const event of step.completionEvents ?? []) {
        const id = /^onCommand:(.+)$/.exec(event)?.[1];
        expect(id && (contributed.has(id) || BUILT_IN.has(id)), `${step.id}: ${event}`).toBe(true);
      }
      expect(step.media.markdown && existsSync(join(root, step.media.markdown)), step.id).toBe(true);
    }
  });

  it('the example datasets it opens ship in the VSIX', () => {
    const shipped = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n');
    for (const name of ['sample', 'drafts'] as const) {
      const { bundled, target } = sampleFiles(root, '/ws', name);
      expect(existsSync(bundled), bundled).toBe(true);
      expect(shipped).toContain(`!examples/data/${name}.cases.jsonl`);
      expect(target).toBe(join('/ws', 'psychohistory-samples', `${name}.cases.jsonl`));
    }
    expect(sampleFiles(root, undefined, 'sample').target).toBeUndefined();
    expect([sampleName(undefined), sampleName('drafts'), sampleName('other')]).toEqual(['sample', 'drafts', 'sample']);
  });
});
