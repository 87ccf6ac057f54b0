// The logs output channel's core: logs.txt followed live while the run is active, then read to its
// end (a last line without newline included) and stopped; a failing read reaches onError.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LogFollower } from '../../../src/runs/logFollower';
import { Poller } from '../../../src/runs/fileTail';
import { followEvents } from '../../../src/runs/metricsFile';

function tempFile(content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ph-logs-')), 'logs.txt');
  fs.writeFileSync(file, content);
  return file;
}

async function until(probe: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('LogFollower', () => {
  it('shows what is there, then each line as it is appended, then the rest once the run ends', async () => {
    const file = tempFile('first\nsecond\n');
    const seen: string[] = [];
    let active = true;
    const follower = new LogFollower(
      file,
      { append: (lines) => seen.push(...lines) },
      { isActive: () => active, intervalMs: 30 },
    );
    await until(() => seen.length === 2, 'existing lines');
    expect(seen).toEqual(['first', 'second']);
    fs.appendFileSync(file, 'third\n');
    await until(() => seen.length === 3, 'an appended line');
    expect(follower.following).toBe(true);
    // The job's last words lack a newline; the run then ends.
    fs.appendFileSync(file, 'fourth\nlast words');
    active = false;
    await follower.stopped;
    expect(seen).toEqual(['first', 'second', 'third', 'fourth', 'last words']);
    expect(follower.following).toBe(false);
    fs.appendFileSync(file, '\nafter the end\n');
    await new Promise((r) => setTimeout(r, 120));
    expect(seen).not.toContain('after the end');
  });

  it('waits for a log file that does not exist yet', async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ph-logs-')), 'logs.txt');
    const seen: string[] = [];
    const follower = new LogFollower(
      file,
      { append: (lines) => seen.push(...lines) },
      { isActive: () => true, intervalMs: 30 },
    );
    await new Promise((r) => setTimeout(r, 100));
    fs.writeFileSync(file, 'hello\n');
    await until(() => seen.length === 1, 'the first line');
    follower.dispose();
    await follower.stopped;
  });

  it('a failing step reaches onError, and polling goes on', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const poller = new Poller(
      async () => {
        calls++;
        if (calls <= 2) throw new Error('EIO');
      },
      20,
      (err) => errors.push(err),
    );
    await until(() => calls >= 4, 'later steps');
    poller.dispose();
    expect(errors.map((e) => (e as Error).message)).toEqual(['EIO', 'EIO']);
  });

  it("a metrics tail that cannot read (the local backend's follow loop) reports it through onError", async () => {
    // A directory where metrics.jsonl should be: open succeeds, every read fails with EISDIR.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ph-metrics-'));
    const file = path.join(dir, 'metrics.jsonl');
    fs.mkdirSync(file);
    const errors: unknown[] = [];
    const follower = followEvents(file, () => undefined, { intervalMs: 20, onError: (err) => errors.push(err) });
    await until(() => errors.length >= 2, 'read errors');
    follower.dispose();
    expect((errors[0] as NodeJS.ErrnoException).code).toBe('EISDIR');
  });
});
