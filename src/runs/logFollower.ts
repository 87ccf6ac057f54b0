// Follows a run's logs.txt into a sink (an output channel in the editor) while the run is active:
// everything already there first, then each line as the job appends it, and after the run ends one
// last read (with a final line that lacks its newline) before it stops. Reuses LineTail, the one
// tail of the project; no `vscode`, so it is unit-tested against a plain file.
import { LineTail } from './fileTail';
import type { Disposable } from './fileTail';

export interface LogSink {
  append(lines: readonly string[]): void;
}

export interface LogFollowerOptions {
  /** Whether the run is still going; once false the follower reads the rest and stops. */
  isActive: () => boolean;
  intervalMs?: number;
  /** A read that failed (the follower keeps trying). */
  onError?: (err: unknown) => void;
}

export class LogFollower implements Disposable {
  private readonly tail: LineTail;
  private readonly timer: NodeJS.Timeout;
  private stopping: Promise<void> | undefined;
  /** Resolves once the follower has stopped (the run ended, or `stop`/`dispose` was called). */
  readonly stopped: Promise<void>;
  private resolveStopped!: () => void;

  constructor(
    file: string,
    private readonly sink: LogSink,
    private readonly options: LogFollowerOptions,
  ) {
    this.stopped = new Promise((resolve) => (this.resolveStopped = resolve));
    this.tail = new LineTail(file, (lines) => sink.append(lines), {
      fromStart: true,
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.onError ? { onError: options.onError } : {}),
    });
    this.timer = setInterval(() => {
      let active: boolean;
      try {
        active = this.options.isActive();
      } catch (err) {
        // An unreadable record (a half-written run.json) says nothing about the run: ask again next tick.
        this.options.onError?.(err);
        return;
      }
      if (!active) void this.stop();
    }, options.intervalMs ?? 500);
    this.timer.unref?.();
  }

  get following(): boolean {
    return this.stopping === undefined;
  }

  /** Read what is left (a last line without newline included), then stop. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      await this.tail.close(true);
      this.resolveStopped();
    })();
    return this.stopping;
  }

  dispose(): void {
    clearInterval(this.timer);
    this.tail.dispose();
    this.stopping ??= Promise.resolve();
    this.resolveStopped();
  }
}
