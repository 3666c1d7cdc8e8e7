import { crashedRun } from "../backup/crashed-run.js";
import type { BackupRunResult, RunBackupOptions } from "../backup/run-backup.js";
import { recordAttempt } from "../backup/run-recorded-backup.js";
import type { BackupJob } from "../config/types.js";
import type { BackupEvent, BackupFailureEvent } from "../events.js";
import type { JobStateStore } from "../state/job-state.js";
import { foldRun } from "../state/run-summary.js";

/** One attempt of one job. The default runs restic; tests and embedders may replace it. */
export type RunAttempt = (job: BackupJob, context: AttemptContext) => Promise<BackupRunResult>;

export interface AttemptContext {
  readonly runId: string;
  /** Aborted when the scheduler stops: restic gets SIGINT and removes its lock. */
  readonly signal: AbortSignal;
  readonly emit: (event: BackupEvent) => void;
  readonly log: (line: string) => void;
  readonly now: () => Date;
  /** A retry of a run whose backup made this snapshot and whose retention failed: forget only. */
  readonly retentionOf?: RunBackupOptions["retentionOf"];
}

/** Why a run was queued. */
export type RunReason = "schedule" | "catch-up" | "backup-on-start" | "manual" | "retry" | "owed";

/** A run the scheduler starts: which attempt of its cycle, and why. */
export interface ScheduledRun {
  readonly runId: string;
  /** 1 for a slot's first attempt, then 2, 3 for its retries. */
  readonly attempt: number;
  readonly reason: RunReason;
  readonly retentionOf: RunBackupOptions["retentionOf"];
}

/** What every scheduled run is recorded with: the state folder, its store and the scheduler's clock. */
export interface RecordingOptions {
  readonly stateDir: string;
  /** Run logs kept per job. */
  readonly keepLogs: number;
  readonly store: JobStateStore | undefined;
  readonly now: () => Date;
}

export interface AttemptRunnerOptions extends RecordingOptions {
  readonly emit: (event: BackupEvent) => void;
  readonly runAttempt: RunAttempt;
  /** Whether another attempt follows this failure: told to the failure's listeners (notifiers). */
  readonly willRetry: (event: BackupFailureEvent) => boolean;
}

/**
 * Runs one scheduled attempt and records it: the job's state says it runs (for `status` and crash
 * detection), the run gets its log and history line, and its outcome is folded into the job's state.
 * An attempt that throws (restic missing, a bug) is recorded and reported as a failed run.
 */
export async function runScheduledAttempt(
  job: BackupJob,
  run: ScheduledRun,
  signal: AbortSignal,
  options: AttemptRunnerOptions,
): Promise<BackupRunResult> {
  const { store, now } = options;
  // The run's outcome is told once its traces are written: a listener that reads the history or the
  // job's status on hearing it (the dashboard's page asks for its history table again) must find the
  // run there. Told before, a loaded machine's page asked first and never showed the run.
  const outcomes: BackupEvent[] = [];
  const emit = (event: BackupEvent) => {
    if (OUTCOME_TYPES.has(event.type)) outcomes.push(event);
    else options.emit(event);
  };
  const startedAt = now();
  await store?.patch(job.name, startedAt, {
    running: { runId: run.runId, startedAt: startedAt.toISOString(), pid: process.pid },
  });
  try {
    return await recordAndFold(job, run, signal, options, emit, startedAt);
  } finally {
    for (const event of outcomes) options.emit(event);
  }
}

/** The events that end a run: held by runScheduledAttempt until the run is in the history. */
const OUTCOME_TYPES: ReadonlySet<BackupEvent["type"]> = new Set(["success", "partial", "failure"]);

async function recordAndFold(
  job: BackupJob,
  run: ScheduledRun,
  signal: AbortSignal,
  options: AttemptRunnerOptions,
  emit: (event: BackupEvent) => void,
  startedAt: Date,
): Promise<BackupRunResult> {
  const { store, now } = options;
  const { result, summary } = await recordAttempt(
    job,
    {
      stateDir: options.stateDir,
      keepLogs: options.keepLogs,
      runId: run.runId,
      now,
      headline: `attempt ${run.attempt} (${run.reason})`,
    },
    async (log) => {
      try {
        return await options.runAttempt(job, {
          runId: run.runId,
          signal,
          emit: (event) =>
            emit(event.type === "failure" ? withAttempt(event, job, run.attempt, options) : event),
          log,
          now,
          ...(run.retentionOf ? { retentionOf: run.retentionOf } : {}),
        });
      } catch (error) {
        const crashed = crashedRun(job, run.runId, startedAt, now(), error);
        emit(crashed.event);
        return crashed.result;
      }
    },
  );
  // Only a complete success ends a stale spell: a partial run or one whose retention failed is not one.
  const succeeded = result.status === "success";
  await store?.update(job.name, (current) => {
    const { running: _, staleAlertedAt, ...rest } = current ?? { knownSince: summary.startedAt };
    return { ...foldRun(rest, summary, true), ...(!succeeded && staleAlertedAt ? { staleAlertedAt } : {}) };
  });
  return result;
}

/** Tells a failure's listeners whether another attempt follows. */
function withAttempt(
  event: BackupFailureEvent,
  job: BackupJob,
  attempt: number,
  options: AttemptRunnerOptions,
): BackupFailureEvent {
  const tagged = { ...event, attempt, maxAttempts: job.retry.attempts };
  return { ...tagged, willRetry: options.willRetry(tagged) };
}
