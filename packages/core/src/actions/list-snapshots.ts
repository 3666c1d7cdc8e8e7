import type { BackupJob, DatabaseType } from "../config/types.js";
import { parseDatabaseTags } from "../databases/database-series.js";
import { ResticError } from "../errors.js";
import { backendUnreachableFailure } from "../restic/backend-watchdog.js";
import { classifyFailure, stderrTail } from "../restic/classify.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { buildResticEnvironment } from "../restic/environment.js";
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
  const listArgs = buildSnapshotsArgs(job.name);
  const args = options.readOnly ? [listArgs[0] ?? "", "--no-lock", ...listArgs.slice(1)] : listArgs;
  const env = buildResticEnvironment(job, options.env ?? process.env, 1);
  const result = await options.restic.run(args, { env });
  if (result.exitCode !== 0 || result.backendUnreachable) {
    // restic 0.17+ would retry a server that is down for 15 minutes; the watchdog stopped it.
    const { code, message } = result.backendUnreachable
      ? backendUnreachableFailure(result.backendUnreachable)
      : classifyFailure({ exitCode: result.exitCode, stderr: result.stderr });
    throw new ResticError(code, message, {
      command: args,
      exitCode: result.exitCode,
      stderrTail: stderrTail(result.stderr),
    });
  }
  return parseSnapshots(result.stdout)
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time))
    .map((snapshot) => {
      const database = parseDatabaseTags(snapshot.tags);
      return database ? { ...snapshot, database } : snapshot;
    });
}
