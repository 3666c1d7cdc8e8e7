import type { BackupJob } from "../config/types.js";
import type { BackupFailureEvent, RepositoryWaitingEvent } from "../events.js";
import type { Clock } from "./clock.js";
import { type RepositoryTask, RepositoryTurns } from "./repository-turns.js";

/** Work waiting for its turn: a backup, a check or a drill of one job's repository. */
export interface QueuedWork {
  readonly task: RepositoryTask;
  /** The job as it reads when the turn comes: a reload may change it while the work waits. */
  readonly job: () => BackupJob;
  /** Other repositories the work writes to (a copy's target): busy and locked with the job's. */
  readonly also?: () => readonly string[];
  /** Called once its turn has come, just before it takes the repository's lock. */
  readonly start: () => StartedWork;
}

export interface StartedWork {
  /** The run's id, for the `waiting` event ("" for checks and drills, which make theirs inside). */
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly run: () => Promise<unknown>;
  /** What it came to: its value, undefined when it never got the lock, or what it threw. */
  readonly settle: (outcome: PromiseSettledResult<unknown>) => void;
  /** Called after `settle`, once the repository is free again. */
  readonly release: () => void;
  /** Told instead of a `failure` event when a repository's lock cannot be taken. */
  readonly onLockError?: (error: unknown, durationMs: number) => void;
}

export interface RunQueueOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  /** Jobs on different repositories that may run at once. */
  readonly limit: () => number;
  readonly emit: (event: RepositoryWaitingEvent | BackupFailureEvent) => void;
  /** A run ended and the queue moved on: the scheduler re-arms its timer. */
  readonly ended: () => void;
}

/**
 * Runs queued work oldest first, one run per repository at a time and at most `limit` at once. Each
 * run also holds its repository's lock in the state folder (RepositoryTurns), so a backup or `forget`
 * started by hand in another process is waited for rather than collided with.
 */
export class RunQueue {
  private readonly waitingWork: QueuedWork[] = [];
  private readonly busyRepositories = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Runs started and not ended (a copy counts once, though it holds two repositories). */
  private running = 0;
  private readonly turns: RepositoryTurns;
  private closed = false;

  constructor(private readonly options: RunQueueOptions) {
    this.turns = new RepositoryTurns({
      stateDir: options.stateDir,
      clock: options.clock,
      slotFree: () => this.slotFree(),
      slotReleased: () => this.pump(),
      emit: options.emit,
    });
  }

  /** Queues work; it starts at the next `pump`. */
  push(work: QueuedWork): void {
    this.waitingWork.push(work);
  }

  /** Takes queued work out (a removed job's, or everything at stop); running work is not touched. */
  remove(which: (work: QueuedWork) => boolean): QueuedWork[] {
    const removed = this.waitingWork.filter(which);
    for (const work of removed) this.waitingWork.splice(this.waitingWork.indexOf(work), 1);
    return removed;
  }

  /** Starts queued work, oldest first, while slots are free and its repository is not busy. */
  pump(): void {
    if (this.closed) return;
    for (let i = 0; i < this.waitingWork.length && this.slotFree(); ) {
      const work = this.waitingWork[i] as QueuedWork;
      const job = work.job();
      const repositories = [job.repository, ...(work.also?.() ?? [])];
      if (repositories.some((repository) => this.busyRepositories.has(repository))) {
        i++;
        continue;
      }
      this.waitingWork.splice(i, 1);
      this.begin(work, job, repositories);
    }
  }

  /** Starts nothing more: the scheduler is stopping. */
  close(): void {
    this.closed = true;
  }

  /** Resolves once every run started so far has ended. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private begin(work: QueuedWork, job: BackupJob, repositories: readonly string[]): void {
    const { runId, signal, run, settle, release, onLockError } = work.start();
    for (const repository of repositories) this.busyRepositories.add(repository);
    this.running++;
    const also = repositories.slice(1);
    const running = this.turns
      .run(job, work.task, runId, signal, run, { also, ...(onLockError ? { onLockError } : {}) })
      .then(
        (value) => settle({ status: "fulfilled", value }),
        (reason) => settle({ status: "rejected", reason }),
      )
      .finally(() => {
        for (const repository of repositories) this.busyRepositories.delete(repository);
        this.running--;
        release();
        this.inFlight.delete(running);
        this.pump();
        this.options.ended();
      });
    this.inFlight.add(running);
  }

  /** Under the limit; a run waiting for another process's repository lock holds no slot. */
  private slotFree(): boolean {
    return this.running - this.turns.waiting < this.options.limit();
  }
}
