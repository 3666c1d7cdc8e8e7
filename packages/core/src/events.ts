import type { SimplebackupErrorCode } from "./errors.js";

/** What every event carries: which job, which run of it, and when. */
export interface RunContext {
  readonly job: string;
  readonly runId: string;
  readonly at: Date;
}

/** Numbers restic reports at the end of a backup. */
export interface BackupStats {
  readonly filesNew: number;
  readonly filesChanged: number;
  readonly filesUnmodified: number;
  readonly dirsNew: number;
  readonly dirsChanged: number;
  readonly dirsUnmodified: number;
  /** Bytes added to the repository (before compression on 0.14). */
  readonly dataAdded: number;
  readonly totalFilesProcessed: number;
  /** Size of everything the snapshot covers. */
  readonly totalBytesProcessed: number;
  /** restic's own measure of the backup, in seconds. */
  readonly resticSeconds: number;
}

export interface BackupStartEvent extends RunContext {
  readonly type: "start";
  readonly sources: readonly string[];
  /** The job's databases as `type:name` (`postgresql:all` for every database of a server); set when it has any. */
  readonly databases?: readonly string[];
  /** The repository with any credentials in its URL masked. */
  readonly repository: string;
}

export interface BackupProgressEvent extends RunContext {
  readonly type: "progress";
  /** 0..1 */
  readonly percentDone: number;
  readonly filesDone: number;
  readonly totalFiles: number;
  readonly bytesDone: number;
  readonly totalBytes: number;
  readonly secondsElapsed: number;
  /** restic's estimate; undefined until it has one. */
  readonly secondsRemaining: number | undefined;
  readonly errorCount: number;
  readonly currentFiles: readonly string[];
}

export interface RepositoryInitializedEvent extends RunContext {
  readonly type: "repository-initialized";
  readonly repository: string;
}

export interface BackupSuccessEvent extends RunContext, DatabaseOutcomes {
  readonly type: "success";
  /** Undefined when `unchanged`. */
  readonly snapshotId: string | undefined;
  /**
   * Nothing changed since the job's last snapshot, so restic made none (`skip_if_unchanged`, restic
   * 0.17+): `no changes, no new snapshot`. The run is a complete success; the last snapshot holds it.
   */
  readonly unchanged?: true;
  readonly stats: BackupStats;
  readonly durationMs: number;
}

/** A database the run dumped into a snapshot of its own (docs/databases.md). */
export interface DatabaseSnapshot {
  /** `postgresql:app`: the type and the name of the database dumped. */
  readonly database: string;
  readonly snapshotId: string;
  /** The size of the dump. */
  readonly bytes: number;
  /** What it added to the repository. */
  readonly dataAdded: number;
}

/** A database the run could not back up: it has no new snapshot. */
export interface FailedDatabase {
  readonly database: string;
  readonly code: SimplebackupErrorCode;
  /** Names the database, what its tool said and the fix; never holds a secret. */
  readonly message: string;
}

/** What a run did with the job's databases; set on its outcome event when the job has any. */
export interface DatabaseOutcomes {
  readonly databases?: readonly DatabaseSnapshot[];
  readonly failedDatabases?: readonly FailedDatabase[];
}

export interface UnreadablePath {
  readonly path: string;
  readonly message: string;
}

/** The snapshot exists, but some of what should be in it is not. */
export interface BackupPartialEvent extends RunContext, DatabaseOutcomes {
  readonly type: "partial";
  readonly snapshotId: string | undefined;
  /** restic made no snapshot: the last one is the same, and lacks the same (see BackupSuccessEvent). */
  readonly unchanged?: true;
  readonly stats: BackupStats;
  readonly durationMs: number;
  readonly unreadable: readonly UnreadablePath[];
  readonly missingSources: readonly string[];
  /**
   * Set when the job has a retention policy, which a partial run never applies (its snapshot lacks
   * files that older ones hold): `retention skipped: the backup was partial`.
   */
  readonly retentionSkipped?: string;
}

export type RunPhase = "hook" | "backup" | "init" | "retention" | "check" | "drill";

/** A run did not back up: its slot came while it still ran, it was missed, or a `before` hook said so. */
export interface SkippedEvent extends RunContext {
  readonly type: "skipped";
  /**
   * `conditions`: the job's `when` does not hold (on battery, the drive not plugged in, the server not
   * answering): the run stays owed and starts once they hold. Never a failure.
   */
  readonly reason: "already-running" | "missed-slot" | "before-hook" | "conditions";
  /** For `conditions`: which one does not hold. */
  readonly condition?: "on_ac_power" | "path_exists" | "reachable" | "command";
  /** A sentence: `on battery`, `/media/usb/backup is not there (is the drive plugged in?)`. */
  readonly message: string;
}

export interface BackupFailureEvent extends RunContext, DatabaseOutcomes {
  readonly type: "failure";
  readonly phase: RunPhase;
  readonly code: SimplebackupErrorCode;
  /** A sentence a person can act on; never holds a secret. */
  readonly message: string;
  readonly exitCode: number | undefined;
  readonly durationMs: number;
  /**
   * Set when the backup itself made this snapshot and a later phase (retention) failed: the snapshot
   * exists, the run is still a failure.
   */
  readonly snapshotId: string | undefined;
  /** The numbers of that snapshot's backup (with the databases' dumps), set with `snapshotId`. */
  readonly stats?: BackupStats;
  /** Set by the scheduler: which attempt this was, of how many, and whether another follows. */
  readonly attempt?: number;
  readonly maxAttempts?: number;
  readonly willRetry?: boolean;
}

export interface RetentionDoneEvent extends RunContext {
  readonly type: "retention-done";
  readonly kept: number;
  readonly removed: number;
  readonly removedIds: readonly string[];
}

/** A lock left by a restic process that is gone was removed with `restic unlock`. */
export interface StaleLockRemovedEvent extends RunContext {
  readonly type: "stale-lock-removed";
  readonly holderPid: number;
  readonly holderHost: string;
  readonly ageSeconds: number | undefined;
  readonly reason: "holder-gone" | "older-than-limit";
}

/** The scheduler armed a job's next run. `runId` is the id that run will have. */
export interface ScheduledEvent extends RunContext {
  readonly type: "scheduled";
  readonly nextRunAt: Date;
  /** Why this run was announced: its cron slot, or a catch-up of a slot missed while not running. */
  readonly reason: "schedule" | "catch-up";
}

/** A transient failure will be tried again. */
export interface RetryEvent extends RunContext {
  readonly type: "retry";
  /** The attempt that failed, 1-based. */
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly nextAttemptAt: Date;
  readonly code: SimplebackupErrorCode;
  readonly message: string;
}

export interface RetriesExhaustedEvent extends RunContext {
  readonly type: "retries-exhausted";
  readonly attempts: number;
  readonly code: SimplebackupErrorCode;
  readonly message: string;
}

/** A job has not succeeded for `alert_after`, whatever the reason: failures, the machine off, no slot. */
export interface StaleEvent extends RunContext {
  readonly type: "stale";
  readonly lastSuccessAt: Date | undefined;
  readonly alertAfterMs: number;
  readonly message: string;
}

/** A job that was stale succeeded again. */
export interface RecoveredEvent extends RunContext {
  readonly type: "recovered";
  readonly staleSinceAt: Date;
  readonly snapshotId: string | undefined;
}

/** A scheduled `restic check` (or restore drill) of the job's repository found it sound. */
export interface MaintenanceDoneEvent extends RunContext {
  readonly type: "check-done" | "drill-done";
  /** What was verified, in words: the group of data read, the files compared. */
  readonly message: string;
  readonly durationMs: number;
}

/**
 * A run waits for another simplebackup process (a backup started by hand, a `forget`) that works on
 * the same repository; it starts once that one is done. Emitted once per run, before its `start`.
 */
export interface RepositoryWaitingEvent extends RunContext {
  readonly type: "waiting";
  readonly task: "backup" | "check" | "drill" | "copy";
  /** The job and the process the run waits for. */
  readonly holderJob: string;
  readonly holderPid: number;
  readonly holderHost: string;
  /** What that process runs, in words (`simplebackup backup`). */
  readonly holderActivity: string;
  /** `waiting for <job> on the same repository (held by PID n, <what it runs>)` */
  readonly message: string;
}

/** Every snapshot of the job that a `copy_to` target lacked is there now. */
export interface CopyDoneEvent extends RunContext {
  readonly type: "copy-done";
  /** The target's `name`. */
  readonly target: string;
  /** The target's repository, credentials in its URL masked. */
  readonly repository: string;
  /** Snapshots copied this time; 0 when the target already had them all. */
  readonly copied: number;
  /** The job's newest snapshot on the target now. */
  readonly snapshotId: string | undefined;
  /** The target was created by this copy (with the job repository's chunker parameters). */
  readonly initialized: boolean;
  /** The target's retention after the copy: undefined when it has no policy. */
  readonly retention: { readonly kept: number; readonly removed: number } | undefined;
  readonly durationMs: number;
}

/**
 * A copy to a target failed. The backup it follows keeps its own outcome; the copy is tried again
 * (`nextAttemptAt`), and once the target is back every snapshot it missed arrives.
 */
export interface CopyFailedEvent extends RunContext {
  readonly type: "copy-failed";
  readonly target: string;
  readonly repository: string;
  readonly code: SimplebackupErrorCode;
  /** A sentence a person can act on, naming which repository failed; never holds a secret. */
  readonly message: string;
  readonly durationMs: number;
  /** When the copy is tried again; undefined when it is not (the daemon stops, the target was removed). */
  readonly nextAttemptAt: Date | undefined;
}

/** A target's copy has lagged behind the job's newest snapshot for its `alert_after`; raised once per spell. */
export interface CopyLaggingEvent extends RunContext {
  readonly type: "copy-lagging";
  readonly target: string;
  /** Snapshots of the job the target lacks. */
  readonly behindSnapshots: number;
  /** Since when the target has lacked a snapshot of the job. */
  readonly behindSince: Date;
  readonly alertAfterMs: number;
  readonly message: string;
}

/** Config events concern no single run: `job` is "*" and `runId` is empty. */
export interface ConfigReloadedEvent extends RunContext {
  readonly type: "config-reloaded";
  readonly file: string | undefined;
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export interface ConfigInvalidEvent extends RunContext {
  readonly type: "config-invalid";
  readonly file: string | undefined;
  /** `path: message` lines, as `simplebackup validate` prints them. */
  readonly problems: readonly string[];
}

/** Listener signatures for eventemitter3, one readonly payload per event. */
export interface BackupEvents {
  start: (event: BackupStartEvent) => void;
  progress: (event: BackupProgressEvent) => void;
  "repository-initialized": (event: RepositoryInitializedEvent) => void;
  success: (event: BackupSuccessEvent) => void;
  partial: (event: BackupPartialEvent) => void;
  failure: (event: BackupFailureEvent) => void;
  "retention-done": (event: RetentionDoneEvent) => void;
  "stale-lock-removed": (event: StaleLockRemovedEvent) => void;
  skipped: (event: SkippedEvent) => void;
}

/** Any event of one backup run as one value, keyed on `type`. */
export type BackupEvent = Parameters<BackupEvents[keyof BackupEvents]>[0];
export type BackupEventType = BackupEvent["type"];

/** What a `BackupScheduler` emits: every run event plus scheduling and config events. */
export interface SchedulerEvents extends BackupEvents {
  scheduled: (event: ScheduledEvent) => void;
  retry: (event: RetryEvent) => void;
  "retries-exhausted": (event: RetriesExhaustedEvent) => void;
  stale: (event: StaleEvent) => void;
  "check-done": (event: MaintenanceDoneEvent) => void;
  "drill-done": (event: MaintenanceDoneEvent) => void;
  recovered: (event: RecoveredEvent) => void;
  waiting: (event: RepositoryWaitingEvent) => void;
  "copy-done": (event: CopyDoneEvent) => void;
  "copy-failed": (event: CopyFailedEvent) => void;
  "copy-lagging": (event: CopyLaggingEvent) => void;
  "config-reloaded": (event: ConfigReloadedEvent) => void;
  "config-invalid": (event: ConfigInvalidEvent) => void;
}

/** Any scheduler event as one value, keyed on `type`: what a notifier or a `--json` printer takes. */
export type SchedulerEvent = Parameters<SchedulerEvents[keyof SchedulerEvents]>[0];
export type SchedulerEventType = SchedulerEvent["type"];

// A record, so that an event added to SchedulerEvents and missing here fails to compile.
const schedulerEventTypes: Record<keyof SchedulerEvents, true> = {
  scheduled: true,
  start: true,
  progress: true,
  "repository-initialized": true,
  success: true,
  partial: true,
  failure: true,
  retry: true,
  "retries-exhausted": true,
  "retention-done": true,
  "stale-lock-removed": true,
  skipped: true,
  stale: true,
  recovered: true,
  "check-done": true,
  "drill-done": true,
  waiting: true,
  "copy-done": true,
  "copy-failed": true,
  "copy-lagging": true,
  "config-reloaded": true,
  "config-invalid": true,
};

/** Every event type a `BackupScheduler` emits, for subscribing to all of them. */
export const SCHEDULER_EVENT_TYPES = Object.freeze(
  Object.keys(schedulerEventTypes) as (keyof SchedulerEvents)[],
);
