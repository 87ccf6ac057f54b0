// The "Get Started with PsychoHistory" walkthrough (package.json contributes.walkthroughs): its id,
// the command its first two steps use, and where that command finds the example datasets. Pure, so
// a unit test checks the manifest's steps against the commands without loading `vscode`.
import * as path from 'node:path';

export const WALKTHROUGH_ID = 'getStarted';

export const WALKTHROUGH_COMMANDS = { openSampleDataset: 'psychohistory.openSampleDataset' } as const;

/** The example datasets shipped with the extension (examples/data in the VSIX). */
export type SampleName = 'sample' | 'drafts';

export function sampleName(arg: unknown): SampleName {
  return arg === 'drafts' ? 'drafts' : 'sample';
}

/** The shipped copy of a sample, and where it is written in a workspace that has none. */
export function sampleFiles(
  extensionRoot: string,
  workspaceRoot: string | undefined,
  name: SampleName,
): { bundled: string; target?: string } {
  const file = `${name}.cases.jsonl`;
  return {
    bundled: path.join(extensionRoot, 'examples', 'data', file),
    ...(workspaceRoot ? { target: path.join(workspaceRoot, 'psychohistory-samples', file) } : {}),
  };
}
