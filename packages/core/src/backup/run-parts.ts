/*
 * A run of a job with databases has several parts: the files' snapshot and one snapshot per database.
 * Its one outcome follows from theirs: every part saved is a success, some saved is partial (as a
 * missing source is), none saved is a failure.
 */
import { ResticError, SimplebackupError } from "../errors.js";
import type { BackupStats, DatabaseOutcomes, UnreadablePath } from "../events.js";
import { shortId } from "../short-id.js";
import { NO_CHANGES_NO_SNAPSHOT } from "./backup-outcome.js";
import type { DatabaseStageResult } from "./database-stage.js";

/** What a backup made: its snapshot, or none since nothing changed (`skip_if_unchanged`). */
export interface MadeBackup {
  readonly snapshotId: string | undefined;
  readonly unchanged?: true;
}

/** The files' part of a run that saved them (wholly, or partly). */
export interface FilesPart {
  readonly backup: MadeBackup;
  readonly stats: BackupStats;
  readonly unreadable: readonly UnreadablePath[];
  readonly missingSources: readonly string[];
}

export type JoinedParts =
  | { readonly kind: "failed"; readonly error: SimplebackupError }
  | {
      readonly kind: "made";
      /** The files' snapshot; for a job of databases only, the first database's. */
      readonly backup: MadeBackup;
      /** Files and dumps together. */
      readonly stats: BackupStats;
      readonly partial: boolean;
    };

export function joinParts(files: FilesPart | undefined, stage: DatabaseStageResult | undefined): JoinedParts {
  const backups = stage?.backups ?? [];
  const failures = stage?.failures ?? [];
  const first = backups[0];
  if (!files && !first) {
    const failure = failures[0];
    if (failure) return { kind: "failed", error: failure.error };
    throw new Error("a run part has neither a snapshot nor a failure");
  }
  const backup: MadeBackup = files?.backup ?? { snapshotId: first?.snapshotId };
  const stats = [...(files ? [files.stats] : []), ...backups.map((made) => made.stats)].reduce(addStats);
  const filesPartial =
    files !== undefined && (files.unreadable.length > 0 || files.missingSources.length > 0);
  return { kind: "made", backup, stats, partial: filesPartial || failures.length > 0 };
}

/** The databases of the run as the outcome events and the result tell them; empty for a job without. */
export function databaseOutcomes(stage: DatabaseStageResult | undefined): DatabaseOutcomes {
  if (!stage) return {};
  return {
    databases: stage.backups.map(({ database, snapshotId, stats }) => ({
      database,
      snapshotId,
      bytes: stats.totalBytesProcessed,
      dataAdded: stats.dataAdded,
    })),
    failedDatabases: stage.failures.map(({ database, error }) => ({
      database,
      code: error.code,
      message: error.message,
    })),
  };
}

function addStats(a: BackupStats, b: BackupStats): BackupStats {
  const sum = {} as Record<keyof BackupStats, number>;
  for (const key of Object.keys(a) as (keyof BackupStats)[]) sum[key] = a[key] + b[key];
  return sum;
}

/** `snapshot 1a2b3c4d`, or `no changes, no new snapshot`: the backup in the run's log. */
export function describeBackup({ snapshotId, unchanged }: MadeBackup): string {
  return unchanged ? NO_CHANGES_NO_SNAPSHOT : `snapshot ${shortId(snapshotId)}`;
}

/** A retention that failed after the backup: the run's failure, saying what the backup did make. */
export function retentionFailure(
  error: SimplebackupError,
  { snapshotId, unchanged }: MadeBackup,
): SimplebackupError {
  const made = snapshotId
    ? `the backup made snapshot ${shortId(snapshotId)}, but `
    : unchanged
      ? `the backup found ${NO_CHANGES_NO_SNAPSHOT}, but `
      : "";
  const message = `${made}retention failed: ${error.message}`;
  return error instanceof ResticError
    ? new ResticError(error.code, message, {
        command: error.command,
        exitCode: error.exitCode,
        stderrTail: error.stderrTail,
        cause: error,
      })
    : new SimplebackupError(error.code, message, { cause: error });
}
