import type {
  BackupJob,
  BackupProgressEvent,
  JobStatus,
  KeptLockReason,
  UnlockResult,
} from "@simplebackup/core";
import { maskRepository } from "@simplebackup/core";

export type ProgressByJob = Map<string, BackupProgressEvent>;

/** One notifier as the notifiers page shows it. */
export interface NotifierView {
  readonly name: string;
  readonly type: string | null;
  readonly on: readonly string[] | null;
  /** null: it hears about every job (a top-level notifier). */
  readonly jobs: readonly string[] | null;
  readonly options: Readonly<Record<string, unknown>> | null;
  /** The last event it took (kept across restarts): when, in ISO UTC, which event, which job ("*": none). */
  readonly lastDelivery: NotifierDeliveryView | null;
  /** The last event given up on (kept across restarts), with its error in one masked line. */
  readonly lastError: (NotifierDeliveryView & { readonly error: string }) | null;
  /** Events it took since the daemon started; null when the daemon does not say. */
  readonly delivered: number | null;
  /** Events given up on since the daemon started; null when the daemon does not say. */
  readonly failed: number | null;
}

export interface NotifierDeliveryView {
  readonly at: string;
  readonly event: string;
  readonly job: string;
}

/** What the overview shows of one job: one object per row, times in ISO UTC, ages in milliseconds. */
export interface JobView {
  readonly job: string;
  /** running, queued, waiting for a retry, owed a run (its `when` did not hold), or idle. */
  readonly state: "running" | "queued" | "retrying" | "owed" | "idle";
  readonly schedule: string;
  readonly timezone: string | null;
  readonly nextRunAt: string | null;
  readonly repository: string | null;
  readonly lastResult: {
    readonly status: string;
    readonly runId: string;
    readonly finishedAt: string;
    readonly errorCode: string | null;
  } | null;
  readonly lastSuccessAt: string | null;
  readonly lastSuccessAgeMs: number | null;
  /** No complete success for longer than the job's `alert_after`. */
  readonly stale: boolean;
  readonly retry: { readonly attempt: number; readonly at: string } | null;
  readonly owed: { readonly since: string; readonly reason: string } | null;
  readonly progress: {
    readonly runId: string;
    readonly percentDone: number;
    readonly secondsRemaining: number | null;
    readonly bytesDone: number;
    readonly totalBytes: number;
    readonly filesDone: number;
    readonly totalFiles: number;
  } | null;
  readonly copies: readonly {
    readonly target: string;
    readonly repository: string;
    readonly lastCopiedAt: string | null;
    readonly behindSnapshots: number;
    readonly behindSince: string | null;
    readonly running: boolean;
    readonly nextAttemptAt: string | null;
    readonly lastFailure: { readonly at: string; readonly code: string } | null;
  }[];
}

const iso = (date: Date | undefined): string | null => (date ? date.toISOString() : null);

/**
 * A job's row, built field by field from what is known to hold no secret (a whitelist rather than a
 * copy with secrets removed, so a field added to JobStatus later is not sent until someone looks at it).
 */
export function jobView(
  status: JobStatus,
  job: BackupJob | undefined,
  progress: BackupProgressEvent | undefined,
  now: number,
): JobView {
  const state = status.running
    ? "running"
    : status.queued
      ? "queued"
      : status.retry
        ? "retrying"
        : status.owed
          ? "owed"
          : "idle";
  const lastSuccessMs = status.lastSuccess ? Date.parse(status.lastSuccess.finishedAt) : undefined;
  const ageMs = lastSuccessMs === undefined ? null : Math.max(0, now - lastSuccessMs);
  const alertAfterMs = job?.alertAfterMs;
  const last = status.lastAttempt;
  return {
    job: status.job,
    state,
    schedule: status.schedule,
    timezone: status.timezone ?? null,
    nextRunAt: iso(status.nextRunAt),
    repository: job ? maskRepository(job.repository) : null,
    lastResult: last
      ? {
          status: last.status,
          runId: last.runId,
          finishedAt: last.finishedAt,
          errorCode: last.errorCode ?? null,
        }
      : null,
    lastSuccessAt: status.lastSuccess?.finishedAt ?? null,
    lastSuccessAgeMs: ageMs,
    stale: alertAfterMs !== undefined && (ageMs === null ? false : ageMs > alertAfterMs),
    retry: status.retry ? { attempt: status.retry.attempt, at: status.retry.at.toISOString() } : null,
    owed: status.owed ? { since: status.owed.since.toISOString(), reason: status.owed.reason } : null,
    progress:
      status.running && progress && progress.runId === status.runningRunId
        ? {
            runId: progress.runId,
            percentDone: progress.percentDone,
            secondsRemaining: progress.secondsRemaining ?? null,
            bytesDone: progress.bytesDone,
            totalBytes: progress.totalBytes,
            filesDone: progress.filesDone,
            totalFiles: progress.totalFiles,
          }
        : null,
    copies: status.copies.map((copy) => ({
      target: copy.target,
      repository: maskRepository(copy.repository),
      lastCopiedAt: iso(copy.lastCopiedAt),
      behindSnapshots: copy.behindSnapshots,
      behindSince: iso(copy.behindSince),
      running: copy.running,
      nextAttemptAt: iso(copy.nextAttemptAt),
      lastFailure: copy.lastFailure ? { at: copy.lastFailure.at, code: copy.lastFailure.code } : null,
    })),
  };
}

/**
 * What POST /api/jobs/:job/unlock answers: the counts, and each lock left with its holder and why
 * restic kept it. Field by field: a lock file's other fields (uid, gid) or any added later never go out.
 */
export interface UnlockView {
  readonly job: string;
  readonly before: number;
  readonly removed: number;
  readonly remaining: readonly {
    readonly id: string;
    readonly holder: {
      readonly hostname: string;
      readonly pid: number;
      readonly username: string;
      readonly time: string;
      readonly exclusive: boolean;
    } | null;
    readonly reason: KeptLockReason;
  }[];
  /** What restic printed (0.14: always `successfully removed locks`). */
  readonly message: string;
  readonly durationMs: number;
}

export function unlockView(result: UnlockResult): UnlockView {
  return {
    job: result.job,
    before: result.before,
    removed: result.removed,
    remaining: result.remaining.map(({ id, holder, reason }) => ({
      id,
      holder: holder
        ? {
            hostname: holder.hostname,
            pid: holder.pid,
            username: holder.username,
            time: holder.time,
            exclusive: holder.exclusive,
          }
        : null,
      reason,
    })),
    message: result.message,
    durationMs: result.durationMs,
  };
}
