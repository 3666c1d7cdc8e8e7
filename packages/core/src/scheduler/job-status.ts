import type { JobState, RunRecordSummary } from "../state/job-state.js";
import type { CopyStatus } from "./copy-planner.js";
import type { JobTimeline } from "./job-timeline.js";

export interface JobStatus {
  readonly job: string;
  readonly schedule: string;
  readonly timezone: string | undefined;
  readonly nextRunAt: Date | undefined;
  readonly running: boolean;
  readonly runningRunId: string | undefined;
  readonly queued: boolean;
  readonly retry: { readonly attempt: number; readonly at: Date } | undefined;
  readonly lastAttempt: RunRecordSummary | undefined;
  readonly lastSuccess: RunRecordSummary | undefined;
  /** A run owed because the job's `when` did not hold: since when, and why. */
  readonly owed: { readonly since: Date; readonly reason: string } | undefined;
  /** Each `copy_to` target: its last copy, how far behind it is, its next try. */
  readonly copies: readonly CopyStatus[];
}

/** A job as the daemon sees it now: its schedule, its run going or queued, its pending retry, its record. */
export function jobStatus(
  timeline: JobTimeline,
  runningRunId: string | undefined,
  queued: boolean,
  state: JobState | undefined,
  more: { readonly copies: readonly CopyStatus[] },
): JobStatus {
  const { job } = timeline;
  return {
    job: job.name,
    schedule: job.schedule,
    timezone: job.timezone,
    nextRunAt: new Date(timeline.dueAt),
    running: runningRunId !== undefined,
    runningRunId,
    queued,
    retry:
      timeline.retryAt === undefined
        ? undefined
        : { attempt: timeline.failedAttempt + 1, at: new Date(timeline.retryAt) },
    lastAttempt: state?.lastAttempt,
    lastSuccess: state?.lastSuccess,
    owed: timeline.owed ? { since: new Date(timeline.owed.since), reason: timeline.owed.reason } : undefined,
    copies: more.copies,
  };
}
