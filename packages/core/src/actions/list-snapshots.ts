import type { BackupJob, DatabaseType } from "../config/types.js";
import { parseDatabaseTags } from "../databases/database-series.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { createJobRestic } from "../restic/job-restic.js";
import type { Restic } from "../restic/restic.js";

export interface ListSnapshotsOptions {
  readonly restic: Restic;
  readonly env?: NodeJS.ProcessEnv;
  /** Without restic's lock (`--no-lock`), so a page listing them never holds up a forget or a check. */
  readonly readOnly?: boolean;
}

/** One of a job's snapshots, as {@link listSnapshots} lists it. */
export interface ListedSnapshot extends SnapshotInfo {
  /**
   * The database this snapshot holds a dump of, read from its `simplebackup-db:` tag; undefined for a
   * snapshot of the job's files. The dump is the one file in `paths`.
   */
  readonly database?: { readonly type: DatabaseType; readonly name: string };
}

/** The job's own snapshots (by its tag), files and database dumps alike, newest first. */
export async function listSnapshots(
  job: BackupJob,
  options: ListSnapshotsOptions,
): Promise<ListedSnapshot[]> {
  const restic = createJobRestic(job, options);
  const args = buildSnapshotsArgs(job.name);
  const result = await restic.run(args);
  // restic 0.17+ would retry a server that is down for 15 minutes; the watchdog stopped it.
  if (result.exitCode !== 0 || result.interrupted || result.backendUnreachable) {
    throw restic.error(result, args);
  }
  return parseSnapshots(result.stdout)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
    .map((snapshot) => {
      const database = parseDatabaseTags(snapshot.tags);
      return database ? { ...snapshot, database } : snapshot;
    });
}
