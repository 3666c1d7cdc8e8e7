/* What a run of a job takes and gives back: runBackup's options and result (run-backup.ts). */

import type { SimplebackupError } from "../errors.js";
import type { BackupEvent, BackupStats, DatabaseOutcomes, RunPhase, UnreadablePath } from "../events.js";
import type { Restic } from "../restic/restic.js";
import type { RetentionOutcome } from "./retention-stage.js";

/** `skipped`: a `before` hook exited 75 (nothing to back up now); not a success, not a failure. */
export type BackupRunStatus = "success" | "partial" | "failed" | "interrupted" | "skipped";

export interface BackupRunResult extends DatabaseOutcomes {
  readonly job: string;
  readonly runId: string;
  readonly status: BackupRunStatus;
  readonly snapshotId: string | undefined;
  /**
   * restic made no snapshot because nothing changed since the job's last one (`skip_if_unchanged`,
   * restic 0.17+); `snapshotId` is then undefined. Such a run is complete: its retention runs.
   */
  readonly unchanged?: true;
  readonly stats: BackupStats | undefined;
  /** Set when status is failed or interrupted. */
  readonly error: SimplebackupError | undefined;
  /**
   * Where a failed or interrupted run stopped. `retention` means the backup made `snapshotId` and
   * forget failed: a failure all the same, since old snapshots were not removed as the policy says.
   */
  readonly phase?: RunPhase;
  readonly repositoryInitialized: boolean;
  readonly retention: RetentionOutcome;
  readonly unreadable: readonly UnreadablePath[];
  readonly missingSources: readonly string[];
  readonly startedAt: Date;
  readonly durationMs: number;
}

export interface RunBackupOptions {
  readonly restic: Restic;
  readonly emit?: (event: BackupEvent) => void;
  /** Receives the run's log: restic command lines (which hold no secrets), stderr, the outcome. */
  readonly log?: (line: string) => void;
  /** Aborting interrupts restic with SIGINT, so it removes its lock. */
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly now?: () => Date;
  /** The environment restic inherits and `password_env` reads from. */
  readonly env?: NodeJS.ProcessEnv;
  /** Status lines per second from restic (0.14 prints 60 a second otherwise). */
  readonly progressFps?: number;
  /** A lock older than this is removed. @default the job's staleLockAfterMs */
  readonly staleLockAfterMs?: number;
  /**
   * An earlier attempt made this snapshot and its retention failed: apply only the retention now, so
   * a retry never makes a second snapshot. The `before` hook does not run.
   */
  readonly retentionOf?: {
    readonly snapshotId: string | undefined;
    /** The earlier attempt made no snapshot: nothing had changed (`skip_if_unchanged`). */
    readonly unchanged?: true;
    readonly stats: BackupStats;
  };
  /** The host whose snapshots the empty-source check reads. @default os.hostname(), as restic */
  readonly host?: string;
}
