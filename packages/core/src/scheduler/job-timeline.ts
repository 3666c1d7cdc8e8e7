import { randomUUID } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import type { BackupRunResult, RunBackupOptions } from "../backup/run-backup.js";
import type { BackupJob } from "../config/types.js";
import { nextRunAfter, previousRunAtOrBefore, stableJitterMs } from "../cron/next-run.js";
import type { JobState, RunRecordSummary } from "../state/job-state.js";
import { isRetryable, retryDelayMs } from "./retry-policy.js";

/** Scheduled work on a job's repository besides backups. */
export type MaintenanceTask = "check" | "drill";

export const MAINTENANCE_TASKS: readonly MaintenanceTask[] = ["check", "drill"];

/** What a retry of a run whose backup made its snapshot and whose retention failed re-runs: forget only. */
export type RetentionOf = RunBackupOptions["retentionOf"];

/** A slot this late counts as missed (the machine slept, or the daemon was down). */
const LATE_AFTER_MS = 60_000;

/**
 * How often an owed run looks at its conditions again. A minute: a drive plugged in or mains power
 * back starts the owed backup within a minute, and a look costs one file read, one stat or one TCP
 * connect (a `command` condition one process), only while a run is owed.
 */
export const CONDITION_RECHECK_MS = 60_000;

/** What to do about a slot that has come. */
export type SlotVerdict =
  | { readonly action: "run"; readonly reason: "schedule" | "catch-up" }
  | { readonly action: "skip"; readonly reason: "already-running" | "missed-slot" };

/** The slot that came, its run id, and what to do about it. */
export interface DueSlot {
  readonly runId: string;
  readonly dueAt: number;
  readonly verdict: SlotVerdict;
}

/** What follows a failed attempt. */
export type RetryPlan =
  | { readonly action: "none" }
  | { readonly action: "give-up" }
  | { readonly action: "retry"; readonly at: number };

/**
 * Where one job stands in time: its next cron slot, a pending retry, when it goes stale, when its check
 * and drill are due. Given the job, its recorded state and the time, it decides; it holds no timer,
 * reads no clock and writes nothing, so every decision is tested by passing times in.
 */
export class JobTimeline {
  /** The next cron slot not yet handled; the run starts at this plus the job's jitter. */
  nextSlotAt: number;
  /** The run id the next slot's run will have, announced ahead in its `scheduled` event. */
  nextRunId = randomUUID();
  retryAt: number | undefined;
  /** The attempt that failed last in the current cycle of retries. */
  failedAttempt = 0;
  /** Set while the retry pending is of a retention that failed after its backup made a snapshot. */
  retentionOf: RetentionOf;
  /** When to raise the staleness alert (alert_after past the last success); undefined when off or raised. */
  staleAt: number | undefined;
  /** When the standing staleness alert was raised. */
  staleSince: number | undefined;
  /**
   * A run is owed: a slot (or retry) came while the job's `when` did not hold. It runs once as soon as
   * the conditions hold, however many slots pass meanwhile.
   */
  owed: { readonly since: number; readonly reason: string } | undefined = undefined;
  /** When an owed run looks at its conditions again. */
  conditionCheckAt: number | undefined = undefined;
  /** The next scheduled check and drill; undefined when the job has none. */
  readonly nextMaintenanceAt: Record<MaintenanceTask, number | undefined> = {
    check: undefined,
    drill: undefined,
  };

  /**
   * `opening` is "start" when the daemon starts (a missed slot may be caught up) and "reload" when a
   * config edit adds the job (nothing is caught up: the job was not scheduled before).
   */
  constructor(
    public job: BackupJob,
    state: JobState | undefined,
    now: number,
    opening: "start" | "reload",
  ) {
    this.nextSlotAt = nextRunAfter(job.schedule, now, { timezone: job.timezone });
    if (opening === "start" && state && job.catchUp) {
      // A slot that passed while the daemon was down, after the job was known and after its last
      // success, runs once now; any number of missed slots make one run.
      const missed = previousRunAtOrBefore(job.schedule, now, { timezone: job.timezone });
      const knownSince = Date.parse(state.knownSince);
      const lastSuccess = state.lastSuccess
        ? Date.parse(state.lastSuccess.startedAt)
        : Number.NEGATIVE_INFINITY;
      if (missed !== undefined && missed > knownSince && missed > lastSuccess) this.nextSlotAt = missed;
    }
    this.staleSince = state?.staleAlertedAt ? Date.parse(state.staleAlertedAt) : undefined;
    this.planMaintenance(now);
    this.planStaleAlert(lastSuccessTime(state) ?? (state ? Date.parse(state.knownSince) : now));
  }

  /** When the next slot's run starts: the slot plus the job's stable jitter. */
  get dueAt(): number {
    return this.nextSlotAt + stableJitterMs(this.job.name, this.job.jitterMs);
  }

  /** The earliest moment anything of this job is due. */
  get wakeAt(): number {
    return Math.min(
      this.dueAt,
      this.retryAt ?? Number.POSITIVE_INFINITY,
      this.conditionCheckAt ?? Number.POSITIVE_INFINITY,
      this.staleAt ?? Number.POSITIVE_INFINITY,
      this.nextMaintenanceAt.check ?? Number.POSITIVE_INFINITY,
      this.nextMaintenanceAt.drill ?? Number.POSITIVE_INFINITY,
    );
  }

  /**
   * The slot due at `now`, if any, and what to do about it; moves on to the next slot. `busy` is true
   * while a run of the job is queued or running: a slot is never started twice.
   */
  takeDueSlot(now: number, busy: boolean): DueSlot | undefined {
    const dueAt = this.dueAt;
    if (dueAt > now) return undefined;
    const late = now - dueAt > LATE_AFTER_MS;
    const runId = this.nextRunId;
    this.nextSlotAt = nextRunAfter(this.job.schedule, now, { timezone: this.job.timezone });
    this.nextRunId = randomUUID();
    if (busy) return { runId, dueAt, verdict: { action: "skip", reason: "already-running" } };
    if (late && !this.job.catchUp)
      return { runId, dueAt, verdict: { action: "skip", reason: "missed-slot" } };
    // A new slot starts a new cycle: a retry still pending for the old one is dropped, and the new
    // slot's backup applies retention itself.
    this.retryAt = undefined;
    this.failedAttempt = 0;
    this.retentionOf = undefined;
    return { runId, dueAt, verdict: { action: "run", reason: late ? "catch-up" : "schedule" } };
  }

  /** True once when a pending retry has come; the retry is then taken. */
  takeDueRetry(now: number): boolean {
    if (this.retryAt === undefined || this.retryAt > now) return false;
    this.retryAt = undefined;
    return true;
  }

  /** A run that was due could not start: its conditions do not hold (`reason`). It stays owed. */
  owe(now: number, reason: string): void {
    this.owed = { since: this.owed?.since ?? now, reason };
    this.conditionCheckAt = now + CONDITION_RECHECK_MS;
  }

  /** True once when an owed run should look at its conditions again. */
  takeDueConditionCheck(now: number): boolean {
    if (this.owed === undefined || this.conditionCheckAt === undefined || this.conditionCheckAt > now)
      return false;
    this.conditionCheckAt = undefined;
    return true;
  }

  /** The conditions hold and the run starts: nothing is owed any more. */
  settleOwed(): void {
    this.owed = undefined;
    this.conditionCheckAt = undefined;
  }

  /** The checks and drills due at `now`; each moves on to its next slot. */
  takeDueMaintenance(now: number): MaintenanceTask[] {
    return MAINTENANCE_TASKS.filter((task) => {
      const at = this.nextMaintenanceAt[task];
      if (at === undefined || at > now) return false;
      this.nextMaintenanceAt[task] = maintenanceSlotAfter(this.job, task, now);
      return true;
    });
  }

  /**
   * After attempt `attempt` failed with `code`: a retry at a time, giving up (the attempts are used
   * up), or nothing (the failure is not one a retry can fix). A retention that failed after its backup
   * made a snapshot is retried alone: the retry runs forget for that snapshot, never a second backup.
   * `retrying` is what the failed attempt itself was retrying, if it was such a retry.
   */
  planRetry(now: number, attempt: number, result: BackupRunResult, retrying: RetentionOf): RetryPlan {
    const code = result.error?.code;
    if (code === undefined || !isRetryable(code)) return { action: "none" };
    const delay = retryDelayMs(this.job.retry, attempt);
    if (delay === undefined) return this.job.retry.attempts > 1 ? { action: "give-up" } : { action: "none" };
    this.failedAttempt = attempt;
    this.retryAt = now + delay;
    this.retentionOf =
      result.phase === "retention" && result.stats
        ? {
            snapshotId: result.snapshotId,
            ...(result.unchanged ? { unchanged: result.unchanged } : {}),
            stats: result.stats,
          }
        : retrying;
    return { action: "retry", at: this.retryAt };
  }

  /** True once when the job has gone stale; the alert then stands until a success. */
  takeStaleAlert(now: number): boolean {
    if (this.staleAt === undefined || this.staleAt > now) return false;
    this.staleAt = undefined;
    this.staleSince = now;
    return true;
  }

  /** A complete success at `now`: returns when the standing stale alert was raised, if one stood. */
  succeeded(now: number): number | undefined {
    const staleSince = this.staleSince;
    this.staleSince = undefined;
    this.planStaleAlert(now);
    return staleSince;
  }

  /**
   * The job as a reloaded config reads it. A running backup keeps the definition it started with;
   * returns whether the schedule moved (the next slot is then recomputed and a new run id announced).
   */
  update(job: BackupJob, now: number, lastSuccess: number | undefined): { rescheduled: boolean } {
    const before = this.job;
    this.job = job;
    if (!isDeepStrictEqual([before.check, before.drill], [job.check, job.drill])) {
      this.planMaintenance(now);
    }
    if (before.alertAfterMs !== job.alertAfterMs && this.staleSince === undefined) {
      this.planStaleAlert(lastSuccess ?? now);
    }
    const rescheduled =
      before.schedule !== job.schedule ||
      before.timezone !== job.timezone ||
      before.jitterMs !== job.jitterMs;
    if (rescheduled) {
      this.nextSlotAt = nextRunAfter(job.schedule, now, { timezone: job.timezone });
      this.nextRunId = randomUUID();
    }
    return { rescheduled };
  }

  private planStaleAlert(lastSuccess: number): void {
    const after = this.job.alertAfterMs;
    this.staleAt = after === undefined || this.staleSince !== undefined ? undefined : lastSuccess + after;
  }

  private planMaintenance(now: number): void {
    for (const task of MAINTENANCE_TASKS)
      this.nextMaintenanceAt[task] = maintenanceSlotAfter(this.job, task, now);
  }
}

/** Whether a failure of attempt `attempt` is followed by another attempt (told to notifiers). */
export function willRetry(job: BackupJob, attempt: number, code: string): boolean {
  return isRetryable(code) && retryDelayMs(job.retry, attempt) !== undefined;
}

/** When the last complete success finished, as recorded. */
export function lastSuccessTime(state: { lastSuccess?: RunRecordSummary } | undefined): number | undefined {
  return state?.lastSuccess ? Date.parse(state.lastSuccess.finishedAt) : undefined;
}

function maintenanceSlotAfter(job: BackupJob, task: MaintenanceTask, after: number): number | undefined {
  const schedule = job[task]?.schedule;
  return schedule === undefined ? undefined : nextRunAfter(schedule, after, { timezone: job.timezone });
}
