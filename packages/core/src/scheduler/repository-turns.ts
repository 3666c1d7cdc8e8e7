import type { BackupJob } from "../config/types.js";
import { isSimplebackupError } from "../errors.js";
import type { BackupFailureEvent, RepositoryWaitingEvent } from "../events.js";
import { acquireRepositoryLock, type RepositoryLock, repositoryLockFile } from "../state/repository-lock.js";
import type { Clock } from "./clock.js";

export type RepositoryTask = RepositoryWaitingEvent["task"];

export interface RepositoryTurnsOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  /** Whether a run may start now under max_concurrent, not counting the runs that wait here. */
  readonly slotFree: () => boolean;
  /** A run began waiting and gave up its slot: other repositories' runs may start. */
  readonly slotReleased: () => void;
  readonly emit: (event: RepositoryWaitingEvent | BackupFailureEvent) => void;
  /** How often a waiting run looks again, on the scheduler's clock. @default 1000 */
  readonly pollMs?: number;
}

const ACTIVITY: Record<RepositoryTask, string> = {
  backup: "the daemon's backup",
  check: "the daemon's check",
  drill: "the daemon's restore drill",
  copy: "the daemon's copy to another repository",
};

/**
 * The daemon's side of the repository lock. The scheduler already runs one thing per repository at a
 * time; this makes each run also take the state folder's lock of its repository, so a backup or a
 * `forget` started by hand in another process is waited for (a `waiting` event, once) instead of
 * colliding with it on restic's lock. A run that waits gives up its max_concurrent slot, so runs on
 * other repositories go on, and takes one again before it looks once more.
 */
export class RepositoryTurns {
  private waitingRuns = 0;

  constructor(private readonly options: RepositoryTurnsOptions) {}

  /** Runs that wait for another process: they hold no slot. */
  get waiting(): number {
    return this.waitingRuns;
  }

  /**
   * Runs `work` holding the lock of the job's repository (and of `also`'s: a copy holds its target's
   * too); undefined when the signal stopped the wait (nothing ran), or when a lock could not be taken
   * at all: reported as a failure of the run, or to `onLockError` when given.
   */
  async run<T>(
    job: BackupJob,
    task: RepositoryTask,
    runId: string,
    signal: AbortSignal,
    work: () => Promise<T>,
    more: {
      readonly also?: readonly string[];
      readonly onLockError?: (error: unknown, durationMs: number) => void;
    } = {},
  ): Promise<T | undefined> {
    const { clock, stateDir } = this.options;
    const startedAt = clock.now();
    // Taken in one order everywhere (by lock file), so two processes that need the same two never
    // each hold one and wait for the other.
    const repositories = [...new Set([job.repository, ...(more.also ?? [])])].sort((a, b) =>
      repositoryLockFile(stateDir, a).localeCompare(repositoryLockFile(stateDir, b)),
    );
    const locks: RepositoryLock[] = [];
    try {
      for (const repository of repositories)
        locks.push(await this.acquire(job, task, runId, repository, signal));
    } catch (error) {
      await releaseAll(locks);
      if (signal.aborted) return undefined;
      if (more.onLockError) {
        more.onLockError(error, clock.now() - startedAt);
        return undefined;
      }
      this.options.emit({
        type: "failure",
        job: job.name,
        runId,
        at: new Date(clock.now()),
        phase: task === "backup" || task === "copy" ? "backup" : task,
        code: isSimplebackupError(error) ? error.code : "STATE_UNWRITABLE",
        message: `cannot take the repository's lock: ${error instanceof Error ? error.message : String(error)}`,
        exitCode: undefined,
        durationMs: clock.now() - startedAt,
        snapshotId: undefined,
      });
      return undefined;
    }
    try {
      return await work();
    } finally {
      await releaseAll(locks);
    }
  }

  private acquire(
    job: BackupJob,
    task: RepositoryTask,
    runId: string,
    repository: string,
    signal: AbortSignal,
  ): Promise<RepositoryLock> {
    const { clock, stateDir } = this.options;
    return acquireRepositoryLock(
      stateDir,
      repository,
      { job: job.name, activity: ACTIVITY[task] },
      {
        signal,
        pollMs: this.options.pollMs ?? 1000,
        sleep: (ms) => this.waitOutside(ms, signal),
        onWaiting: (holder, message) =>
          this.options.emit({
            type: "waiting",
            job: job.name,
            runId,
            at: new Date(clock.now()),
            task,
            holderJob: holder.job,
            holderPid: holder.pid,
            holderHost: holder.hostname,
            holderActivity: holder.activity,
            message,
          }),
      },
    );
  }

  /** Waits without a slot, then until one is free again (so max_concurrent holds once it runs). */
  private async waitOutside(ms: number, signal: AbortSignal): Promise<void> {
    this.waitingRuns++;
    try {
      this.options.slotReleased();
      do await this.sleep(ms, signal);
      while (!this.options.slotFree());
    } finally {
      this.waitingRuns--;
    }
  }

  private sleep(ms: number, signal: AbortSignal): Promise<void> {
    const { clock } = this.options;
    return new Promise((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clock.clearTimer(timer);
        reject(signal.reason);
      };
      const timer = clock.setTimer(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

async function releaseAll(locks: readonly RepositoryLock[]): Promise<void> {
  for (const lock of [...locks].reverse()) await lock.release();
}
