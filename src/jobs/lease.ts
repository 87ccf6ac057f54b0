// Who copies a Modal run's events and logs into the run folder. Two windows on one workspace (or a
// window and `psychohistory logs --follow`) both follow the same run; if both wrote, each event
// would land twice. The follower holding `.follower.lock` writes; the others only watch run.json and
// take over when the holder is gone: its pid is dead (same host) or it stopped renewing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { writeFileAtomic } from '../runs/runStore';

interface LeaseBody {
  pid: number;
  host: string;
  token: string;
  renewedAt: number;
}

export class FollowLease {
  private readonly token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  private held = false;

  constructor(
    private readonly file: string,
    private readonly staleMs = 30_000,
  ) {}

  get isHeld(): boolean {
    return this.held && this.read()?.token === this.token;
  }

  /** Take the lease if it is free or its holder is gone. */
  tryAcquire(now: number = Date.now()): boolean {
    if (this.isHeld) return true;
    const current = this.read();
    if (current && !this.isStale(current, now)) return false;
    if (current) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // Someone else removed it first; the exclusive create below decides.
      }
    }
    try {
      const fd = fs.openSync(this.file, 'wx');
      fs.writeSync(fd, JSON.stringify(this.body(now)));
      fs.closeSync(fd);
      this.held = true;
      return true;
    } catch {
      return false;
    }
  }

  renew(now: number = Date.now()): void {
    if (!this.isHeld) return;
    try {
      writeFileAtomic(this.file, JSON.stringify(this.body(now)));
    } catch {
      this.held = false;
    }
  }

  release(): void {
    if (this.isHeld) {
      try {
        fs.unlinkSync(this.file);
      } catch {
        // Already gone.
      }
    }
    this.held = false;
  }

  private body(now: number): LeaseBody {
    return { pid: process.pid, host: os.hostname(), token: this.token, renewedAt: now };
  }

  private read(): LeaseBody | undefined {
    try {
      const value = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Partial<LeaseBody>;
      if (typeof value.pid !== 'number' || typeof value.token !== 'string' || typeof value.renewedAt !== 'number')
        return undefined;
      return { pid: value.pid, host: String(value.host ?? ''), token: value.token, renewedAt: value.renewedAt };
    } catch {
      return undefined;
    }
  }

  private isStale(body: LeaseBody, now: number): boolean {
    if (now - body.renewedAt > this.staleMs) return true;
    if (body.host === os.hostname() && body.pid !== process.pid) {
      try {
        process.kill(body.pid, 0);
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    return false;
  }
}
