import type { BackupStats } from "@simplebackup/core";
import type { NotifiableEvent } from "../../src/index.js";

export const AT = new Date("2026-06-01T10:00:00Z");
export const RUN_ID = "5f0c3a52-8c1e-4f6e-9d3a-1b2c3d4e5f60";

const context = (job = "Photos") => ({ job, runId: RUN_ID, at: AT });

export const STATS: BackupStats = {
  filesNew: 12,
  filesChanged: 3,
  filesUnmodified: 1219,
  dirsNew: 1,
  dirsChanged: 2,
  dirsUnmodified: 40,
  dataAdded: 47_815_065,
  totalFilesProcessed: 1234,
  totalBytesProcessed: 13_207_024_435,
  resticSeconds: 82.4,
};

/**
 * One event of every type (and a full destination among the failures, a run waiting for its `when`
 * among the skipped), as core emits them.
 */
export function sampleEvents(job = "Photos") {
  return {
    start: {
      type: "start",
      ...context(job),
      sources: ["/home/ann/Photos"],
      repository: "/mnt/backup/photos",
    },
    progress: {
      type: "progress",
      ...context(job),
      percentDone: 0.5,
      filesDone: 600,
      totalFiles: 1234,
      bytesDone: 1_000_000,
      totalBytes: 2_000_000,
      secondsElapsed: 10,
      secondsRemaining: 10,
      errorCount: 0,
      currentFiles: [],
    },
    "repository-initialized": {
      type: "repository-initialized",
      ...context(job),
      repository: "/mnt/backup/photos",
    },
    success: {
      type: "success",
      ...context(job),
      snapshotId: "abcdef1234567890",
      stats: STATS,
      durationMs: 83_000,
    },
    partial: {
      type: "partial",
      ...context(job),
      snapshotId: "abcdef1234567890",
      stats: STATS,
      durationMs: 83_000,
      unreadable: [{ path: "/home/ann/Photos/locked.db", message: "permission denied" }],
      missingSources: ["/home/ann/Videos"],
    },
    failure: {
      type: "failure",
      ...context(job),
      phase: "backup",
      code: "REPO_LOCKED",
      message: "the repository is locked by PID 4242 on nas",
      exitCode: 11,
      durationMs: 2_000,
      snapshotId: undefined,
    },
    destinationFull: {
      type: "failure",
      ...context(job),
      phase: "backup",
      code: "DESTINATION_FULL",
      message: "/mnt/backup has no space left",
      exitCode: 1,
      durationMs: 2_000,
      snapshotId: undefined,
    },
    "retention-done": {
      type: "retention-done",
      ...context(job),
      kept: 10,
      removed: 2,
      removedIds: ["a", "b"],
    },
    "stale-lock-removed": {
      type: "stale-lock-removed",
      ...context(job),
      holderPid: 4242,
      holderHost: "nas",
      ageSeconds: 7200,
      reason: "holder-gone",
    },
    scheduled: {
      type: "scheduled",
      ...context(job),
      nextRunAt: new Date("2026-06-01T11:00:00Z"),
      reason: "schedule",
    },
    skipped: {
      type: "skipped",
      ...context(job),
      reason: "already-running",
      message: "the previous run is still going; this slot is not started twice",
    },
    retry: {
      type: "retry",
      ...context(job),
      attempt: 1,
      maxAttempts: 4,
      nextAttemptAt: new Date("2026-06-01T10:05:00Z"),
      code: "REPO_LOCKED",
      message: "the repository is locked by PID 4242 on nas",
    },
    "retries-exhausted": {
      type: "retries-exhausted",
      ...context(job),
      attempts: 4,
      code: "BACKEND_UNAVAILABLE",
      message: "Cannot reach the repository backend: dial tcp: connection refused",
    },
    "config-reloaded": {
      type: "config-reloaded",
      job: "*",
      runId: "",
      at: AT,
      file: "/etc/simplebackup/backup_config.json",
      added: ["Music"],
      removed: [],
      changed: ["Photos"],
    },
    "config-invalid": {
      type: "config-invalid",
      job: "*",
      runId: "",
      at: AT,
      file: "/etc/simplebackup/backup_config.json",
      problems: ['backupjobs[0] ("Photos").backup_interval: expected a cron expression'],
    },
    stale: {
      type: "stale",
      job,
      runId: "",
      at: AT,
      lastSuccessAt: new Date("2026-05-31T02:00:00Z"),
      alertAfterMs: 26 * 3_600_000,
      message: "no successful backup for 1 day 2 hours",
    },
    recovered: {
      type: "recovered",
      ...context(job),
      staleSinceAt: new Date("2026-06-01T04:00:00Z"),
      snapshotId: "4f2a9c1e7b3d5a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a",
    },
    skippedConditions: {
      type: "skipped",
      ...context(job),
      reason: "conditions",
      condition: "on_ac_power",
      message: "on battery; the backup runs once the job's conditions hold",
    },
    "copy-done": {
      type: "copy-done",
      ...context(job),
      target: "offsite",
      repository: "rest:https://backup:***@nas.example:8000/photos",
      copied: 3,
      snapshotId: "b2f1a9c07d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8",
      initialized: false,
      retention: { kept: 14, removed: 1 },
      durationMs: 62_000,
    },
    "copy-failed": {
      type: "copy-failed",
      ...context(job),
      target: "offsite",
      repository: "rest:https://backup:***@nas.example:8000/photos",
      code: "BACKEND_UNAVAILABLE",
      message: "Cannot reach rest:https://backup:***@nas.example:8000/photos: dial tcp: connection refused",
      durationMs: 4_000,
      nextAttemptAt: new Date("2026-06-01T10:15:00Z"),
    },
    "copy-lagging": {
      type: "copy-lagging",
      job,
      runId: "",
      at: AT,
      target: "offsite",
      behindSnapshots: 3,
      behindSince: new Date("2026-05-30T07:00:00Z"),
      alertAfterMs: 2 * 86_400_000,
      message: "the copy to offsite lacks 3 snapshots, the oldest from 2d 3h ago",
    },
  } satisfies Record<string, NotifiableEvent>;
}

export function allEvents(job = "Photos"): NotifiableEvent[] {
  return Object.values(sampleEvents(job));
}
