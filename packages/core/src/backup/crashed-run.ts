import type { BackupJob } from "../config/types.js";
import { asSimplebackupError } from "../errors.js";
import type { BackupFailureEvent } from "../events.js";
import type { BackupRunResult } from "./run-backup.js";

/**
 * A run whose attempt threw (restic missing, or a bug) as a failed run and its failure event, so it is
 * recorded and reported loudly like any other failure.
 */
export function crashedRun(
  job: BackupJob,
  runId: string,
  startedAt: Date,
  now: Date,
  error: unknown,
): { readonly result: BackupRunResult; readonly event: BackupFailureEvent } {
  const failure = asSimplebackupError(error);
  const durationMs = now.getTime() - startedAt.getTime();
  const event: BackupFailureEvent = {
    type: "failure",
    job: job.name,
    runId,
    at: now,
    phase: "backup",
    code: failure.code,
    message: failure.message,
    exitCode: undefined,
    durationMs,
    snapshotId: undefined,
  };
  const result: BackupRunResult = {
    job: job.name,
    runId,
    status: "failed",
    snapshotId: undefined,
    stats: undefined,
    error: failure,
    phase: "backup",
    repositoryInitialized: false,
    retention: { status: "skipped", reason: "not-reached" },
    unreadable: [],
    missingSources: [],
    startedAt,
    durationMs,
  };
  return { result, event };
}
