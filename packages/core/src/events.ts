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

export interface BackupSuccessEvent extends RunContext {
  readonly type: "success";
  readonly snapshotId: string | undefined;
  readonly stats: BackupStats;
  readonly durationMs: number;
}

export interface UnreadablePath {
  readonly path: string;
  readonly message: string;
}

/** The snapshot exists, but some of what should be in it is not. */
export interface BackupPartialEvent extends RunContext {
  readonly type: "partial";
  readonly snapshotId: string | undefined;
  readonly stats: BackupStats;
  readonly durationMs: number;
  readonly unreadable: readonly UnreadablePath[];
  readonly missingSources: readonly string[];
}

export type RunPhase = "backup" | "init" | "retention";

export interface BackupFailureEvent extends RunContext {
  readonly type: "failure";
  readonly phase: RunPhase;
  readonly code: SimplebackupErrorCode;
  /** A sentence a person can act on; never holds a secret. */
  readonly message: string;
  readonly exitCode: number | undefined;
  readonly durationMs: number;
  /** Set when the backup itself succeeded and a later phase failed. */
  readonly snapshotId: string | undefined;
}

export interface RetentionDoneEvent extends RunContext {
  readonly type: "retention-done";
  readonly kept: number;
  readonly removed: number;
  readonly removedIds: readonly string[];
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
}

/** Any event as one value, keyed on `type`: what a notifier or a `--json` printer takes. */
export type BackupEvent = Parameters<BackupEvents[keyof BackupEvents]>[0];
export type BackupEventType = BackupEvent["type"];
