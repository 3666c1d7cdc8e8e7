/*
 * Retention is `restic forget --prune` on the job's own snapshots, and it runs only after a COMPLETE
 * backup: that run's snapshot is the newest of the job's files' group, every keep rule keeps the newest,
 * and it holds every file now under every listed source. So whatever forget removes is either still in
 * that snapshot, or was deleted from a source, or lies under a source the job no longer lists. After a
 * partial run (a source missing, files unreadable) nothing of that holds, and forget is skipped. Why the
 * group is host and tags (the files and each database a series of its own): docs/retention.md.
 */
import type { BackupJob } from "../config/types.js";
import type { SimplebackupError } from "../errors.js";
import { buildForgetArgs, hasRetentionRules, parseForgetOutput } from "../restic/commands/forget.js";
import type { JobRestic } from "../restic/job-restic.js";

/** Said wherever a partial run is reported: the CLI, events, history, notifications. */
export const RETENTION_SKIPPED_PARTIAL = "retention skipped: the backup was partial";

/**
 * `skipped` with reason `partial`: the job has a policy, not applied because the backup was partial;
 * `no-policy`: the job keeps every snapshot; `not-reached`: the run ended before (a failed backup).
 */
export type RetentionSkipReason = "partial" | "no-policy" | "not-reached";

export interface RetentionOutcome {
  readonly status: "done" | "failed" | "skipped";
  readonly reason?: RetentionSkipReason;
  readonly kept?: number;
  readonly removed?: number;
  readonly removedIds?: readonly string[];
  readonly error?: SimplebackupError;
}

function hasRetentionPolicy(job: Pick<BackupJob, "retention">): boolean {
  return job.retention !== undefined && hasRetentionRules(job.retention);
}

/** What a run that made a snapshot does about retention; `skipped` outcomes need no restic. */
export function retentionSkip(
  job: Pick<BackupJob, "retention">,
  partial: boolean,
): RetentionOutcome | undefined {
  if (!hasRetentionPolicy(job)) return { status: "skipped", reason: "no-policy" };
  return partial ? { status: "skipped", reason: "partial" } : undefined;
}

/** Runs `restic forget --prune` scoped to the job's tag. Call only when {@link retentionSkip} says so. */
export async function runRetention(job: BackupJob, restic: JobRestic): Promise<RetentionOutcome> {
  const args = buildForgetArgs(job.retention ?? {}, job.name, { prune: true });
  const forget = await restic.run(args);
  if (forget.exitCode !== 0) return { status: "failed", error: restic.error(forget, args) };
  const groups = readForgetGroups(forget.stdout);
  const kept = groups.reduce((sum, group) => sum + group.keep.length, 0);
  const removedIds = groups.flatMap((group) => group.remove.map((s) => s.short_id ?? s.id ?? s.time));
  return { status: "done", kept, removed: removedIds.length, removedIds };
}

/** forget already did its work when it exits 0; output we cannot read must not turn that into a crash. */
function readForgetGroups(stdout: string): ReturnType<typeof parseForgetOutput> {
  try {
    return parseForgetOutput(stdout);
  } catch {
    return [];
  }
}
