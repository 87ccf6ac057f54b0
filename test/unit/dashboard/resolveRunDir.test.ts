// The Runs view, the launch flow and the CodeLens call Open Dashboard with different arguments:
// a run id, a run folder (path or Uri, or a file in it), a row object {runId, dir}. All must land
// on the same run folder. `vscode` is replaced by the little of it this path touches.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFixtures } from '../../render/fixtures';

const root = mkdtempSync(path.join(tmpdir(), 'ph-resolve-'));

vi.mock('vscode', () => {
  class Uri {
    private constructor(
      readonly scheme: string,
      readonly fsPath: string,
    ) {}
    static file(p: string): Uri {
      return new Uri('file', p);
    }
  }
  return { Uri, workspace: { workspaceFolders: [{ uri: Uri.file(root) }] } };
});

const runs = path.join(root, '.psychohistory', 'runs');
beforeAll(() => writeFixtures(runs));

describe('resolveRunDir', () => {
  it('accepts a run id, a folder path or Uri, a file inside it, and a Runs-view row', async () => {
    const vscode = await import('vscode');
    const { resolveRunDir } = await import('../../../src/dashboard/vscode/register');
    const dir = path.join(runs, 'dashboard-sft');
    expect(await resolveRunDir('dashboard-sft')).toBe(dir);
    expect(await resolveRunDir(dir)).toBe(dir);
    expect(await resolveRunDir(vscode.Uri.file(dir))).toBe(dir);
    expect(await resolveRunDir(vscode.Uri.file(path.join(dir, 'metrics.jsonl')))).toBe(dir);
    expect(await resolveRunDir({ runId: 'dashboard-sft', dir })).toBe(dir);
    expect(await resolveRunDir({ runId: 'dashboard-sft', dir: undefined })).toBe(dir);
    expect(await resolveRunDir({ id: 'dashboard-grpo' })).toBe(path.join(runs, 'dashboard-grpo'));
    expect(await resolveRunDir({ resourceUri: vscode.Uri.file(dir) })).toBe(dir);
  });

  it('answers null for what names no run', async () => {
    const { resolveRunDir } = await import('../../../src/dashboard/vscode/register');
    expect(await resolveRunDir('no-such-run')).toBeNull();
    expect(await resolveRunDir(path.join(root, 'nowhere'))).toBeNull();
    expect(await resolveRunDir(42)).toBeNull();
    expect(await resolveRunDir({ label: 'x' })).toBeNull();
  });
});
