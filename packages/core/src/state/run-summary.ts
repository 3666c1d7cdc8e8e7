import type { RunHistoryRecord } from "./history-record.js";
import type { RunRecordSummary } from "./job-state.js";

/** The newest attempt, complete success and partial run of one job. */
export interface JobRunSummary {
  lastAttempt?: RunRecordSummary;
  /** The last complete success; a partial run is not one (see lastPartial). */
  lastSuccess?: RunRecordSummary;
  lastPartial?: RunRecordSummary;
}

/**
 * Folds one finished run into a job's summary: the one rule for daemon, history and status. `latest`:
 * the run just finished, so it is the newest even when a manual clock gave it the same start time.
 */
export function foldRun<T extends JobRunSummary>(entry: T, run: RunRecordSummary, latest = false): T {
  const next = { ...entry };
  const wins = (current: RunRecordSummary | undefined) => latest || newer(run, current);
  if (wins(entry.lastAttempt)) next.lastAttempt = run;
  if (run.status === "success" && wins(entry.lastSuccess)) next.lastSuccess = run;
  if (run.status === "partial" && wins(entry.lastPartial)) next.lastPartial = run;
  return next;
}

/** The newest attempt, success and partial run of each job in the history. */
export function summarizeHistory(records: readonly RunHistoryRecord[]): Map<string, JobRunSummary> {
  const byJob = new Map<string, JobRunSummary>();
  for (const { job, durationMs: _, stats: __, ...summary } of records) {
    byJob.set(job, foldRun(byJob.get(job) ?? {}, summary));
  }
  return byJob;
}

/** Whichever of two runs started later. */
export function newer(candidate: RunRecordSummary, current: RunRecordSummary | undefined): boolean {
  return current === undefined || Date.parse(candidate.startedAt) > Date.parse(current.startedAt);
}
