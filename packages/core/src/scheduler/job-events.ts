import type { BackupRunResult } from "../backup/run-backup.js";
import type { BackupJob, ResolvedConfig } from "../config/types.js";
import type { ConfigError } from "../errors.js";
import type {
  ConfigInvalidEvent,
  ConfigReloadedEvent,
  RecoveredEvent,
  RetriesExhaustedEvent,
  RetryEvent,
  SkippedEvent,
  StaleEvent,
} from "../events.js";
import { formatHumanDuration } from "../format/duration.js";
import { formatLocalTime } from "../format/local-time.js";
import type { JobsDiff } from "./config-watcher.js";
import type { DueSlot, RetryPlan } from "./job-timeline.js";

// The events the schedule raises, with their wording in one place.

/** A slot that came and is not run. */
export function skippedEvent(
  job: BackupJob,
  slot: DueSlot & { verdict: { action: "skip" } },
  now: number,
): SkippedEvent {
  return {
    type: "skipped",
    job: job.name,
    runId: slot.runId,
    at: new Date(now),
    reason: slot.verdict.reason,
    message:
      slot.verdict.reason === "already-running"
        ? "the previous run is still going; this slot is not started twice"
        : `the slot at ${formatLocalTime(slot.dueAt)} passed while not running, and catch_up is off`,
  };
}

/** What follows attempt `attempt`'s failure, told: a retry at a time, or the end of the attempts. */
export function retryPlanEvent(
  job: BackupJob,
  result: BackupRunResult & { error: NonNullable<BackupRunResult["error"]> },
  attempt: number,
  plan: RetryPlan,
  now: number,
): RetryEvent | RetriesExhaustedEvent | undefined {
  const { code, message } = result.error;
  const context = { job: job.name, runId: result.runId, at: new Date(now), code, message };
  if (plan.action === "give-up") return { type: "retries-exhausted", ...context, attempts: attempt };
  if (plan.action === "none") return undefined;
  return {
    type: "retry",
    ...context,
    attempt,
    maxAttempts: job.retry.attempts,
    nextAttemptAt: new Date(plan.at),
  };
}

/**
 * The staleness alert in words: a job that has not completed a backup for `alert_after`. `lastSuccess`
 * is undefined when the job never succeeded since simplebackup started watching it.
 */
export function staleEvent(job: BackupJob, lastSuccess: number | undefined, now: number): StaleEvent {
  const after = job.alertAfterMs as number;
  return {
    type: "stale",
    job: job.name,
    runId: "",
    at: new Date(now),
    lastSuccessAt: lastSuccess === undefined ? undefined : new Date(lastSuccess),
    alertAfterMs: after,
    message:
      lastSuccess === undefined
        ? `no successful backup since simplebackup started watching this job, ${formatHumanDuration(after)} ago`
        : `no successful backup for ${formatHumanDuration(now - lastSuccess)}`,
  };
}

/** A stale job completed a backup again. */
export function recoveredEvent(
  job: BackupJob,
  runId: string,
  snapshotId: string | undefined,
  staleSince: number,
  now: number,
): RecoveredEvent {
  return {
    type: "recovered",
    job: job.name,
    runId,
    at: new Date(now),
    staleSinceAt: new Date(staleSince),
    snapshotId,
  };
}

/** A new config is in use; config events concern no single run (`job` "*"). */
export function configReloadedEvent(
  config: ResolvedConfig,
  diff: JobsDiff,
  now: number,
): ConfigReloadedEvent {
  return {
    type: "config-reloaded",
    job: "*",
    runId: "",
    at: new Date(now),
    file: config.file,
    added: diff.added.map((job) => job.name),
    removed: [...diff.removed],
    changed: diff.changed.map((job) => job.name),
  };
}

/** A config that cannot be used, its problems as `simplebackup validate` prints them; the current one stays. */
export function configInvalidEvent(error: ConfigError, now: number): ConfigInvalidEvent {
  return {
    type: "config-invalid",
    job: "*",
    runId: "",
    at: new Date(now),
    file: error.file,
    problems: error.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)),
  };
}
