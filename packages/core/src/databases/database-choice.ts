/*
 * Which database of a job, and which of its snapshots, a restore means: `--database` and `--snapshot`
 * read against the job's config and the snapshots its repository holds. Pure: the caller lists the
 * snapshots.
 */
import { ALL_DATABASES, databaseLabel } from "../config/databases.js";
import type { BackupJob, DatabaseSpec, DatabaseType } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import type { SnapshotInfo } from "../restic/commands/snapshots.js";
import { parseDatabaseTags } from "./database-series.js";

/**
 * The databases of a job that can be restored: each one of its config, and for a `name: "all"` entry
 * each database of that server its snapshots name (they are tagged with the real database name), with
 * the entry's connection settings.
 */
export function restorableDatabases(job: BackupJob, snapshots: readonly SnapshotInfo[]): DatabaseSpec[] {
  const dumped = snapshots.flatMap((snapshot) => parseDatabaseTags(snapshot.tags) ?? []);
  return job.databases.flatMap((database) => {
    if (database.name !== ALL_DATABASES || database.type === "sqlite") return [database];
    const names = new Set(dumped.filter((seen) => seen.type === database.type).map((seen) => seen.name));
    return [...names].sort().map((name) => ({ ...database, name }));
  });
}

/** A database only the job's snapshots still name: its config no longer lists it (nor an `all` entry of its type). */
export interface RemovedDatabase {
  readonly type: DatabaseType;
  readonly name: string;
}

/**
 * The database a restore means: one of the job's config, with its connection settings, or one whose
 * snapshots outlived its entry, known only by its tag (enough to write its dump to a file, not to log
 * in to its server).
 */
export type DatabaseChoice =
  | { readonly configured: true; readonly database: DatabaseSpec }
  | { readonly configured: false; readonly database: RemovedDatabase };

/**
 * The databases the job's snapshots are tagged with that its config no longer covers, sorted: a
 * database dropped from the config keeps its snapshots (and its retention series) until they are
 * forgotten by hand.
 */
export function removedDatabases(job: BackupJob, snapshots: readonly SnapshotInfo[]): RemovedDatabase[] {
  const configured = new Set(restorableDatabases(job, snapshots).map((d) => databaseLabel(d)));
  const removed = new Map<string, RemovedDatabase>();
  for (const snapshot of snapshots) {
    const named = parseDatabaseTags(snapshot.tags);
    if (named && !configured.has(databaseLabel(named))) removed.set(databaseLabel(named), named);
  }
  return [...removed.values()].sort((a, b) => databaseLabel(a).localeCompare(databaseLabel(b)));
}

/**
 * The database `wanted` names: by name, or by `type:name` when two engines share the name; a name
 * only the snapshots hold any more counts too, so the data of a database removed from the config can
 * still be had. Without `wanted`, the job's one configured database.
 * @throws SimplebackupError DATABASE_NOT_FOUND naming the job's databases and those its snapshots hold
 */
export function chooseDatabase(
  job: BackupJob,
  snapshots: readonly SnapshotInfo[],
  wanted: string | undefined,
): DatabaseChoice {
  const databases = restorableDatabases(job, snapshots);
  const removed = removedDatabases(job, snapshots);
  const known = describeDatabases(job, databases, removed);
  if (wanted === undefined) {
    const [only, ...others] = databases;
    if (only && others.length === 0) return { configured: true, database: only };
    throw new SimplebackupError(
      "DATABASE_NOT_FOUND",
      databases.length > 1
        ? `job "${job.name}" has ${databases.length} databases; name one with --database${known}`
        : removed.length > 0
          ? `job "${job.name}" has no database of its config to restore; name one its snapshots hold with --database${known}`
          : `job "${job.name}" has no database snapshots to restore${known}`,
    );
  }
  const choices: DatabaseChoice[] = [
    ...databases.map((database) => ({ configured: true as const, database })),
    ...removed.map((database) => ({ configured: false as const, database })),
  ];
  const byName = choices.filter((choice) => choice.database.name === wanted);
  const matches =
    byName.length > 0 ? byName : choices.filter((choice) => databaseLabel(choice.database) === wanted);
  const [match, ...others] = matches;
  if (match && others.length === 0) return match;
  throw new SimplebackupError(
    "DATABASE_NOT_FOUND",
    match
      ? `"${wanted}" names ${matches.length} databases of job "${job.name}"; say which as ${matches.map((c) => databaseLabel(c.database)).join(" or ")}`
      : `job "${job.name}" has no database "${wanted}"${known}`,
  );
}

/**
 * `; its databases: postgresql:app, mariadb:shop; its snapshots also hold postgresql:legacy, no longer
 * in its config`, said after a database was not found.
 */
function describeDatabases(
  job: BackupJob,
  databases: readonly DatabaseSpec[],
  removed: readonly RemovedDatabase[],
): string {
  const dumpsAll = job.databases.filter((d) => d.name === ALL_DATABASES && d.type !== "sqlite");
  const all =
    dumpsAll.length > 0
      ? ` (${dumpsAll.map((d) => `${d.type}:${ALL_DATABASES}`).join(", ")} counts the databases its snapshots hold)`
      : "";
  const gone =
    removed.length > 0
      ? `; its snapshots also hold ${removed.map((d) => databaseLabel(d)).join(", ")}, no longer in its config`
      : "";
  if (databases.length === 0) {
    return `${job.databases.length === 0 && removed.length === 0 ? " (it backs up no databases)" : all}${gone}`;
  }
  return `; its databases: ${databases.map((d) => databaseLabel(d)).join(", ")}${all}${gone}`;
}

/**
 * The snapshot of `database` that `wanted` names: `latest`, or an id or the start of one, which must be
 * a snapshot of that database (restic would dump from any snapshot of the repository).
 * @throws SimplebackupError SNAPSHOT_NOT_FOUND
 */
export function chooseDatabaseSnapshot(
  job: BackupJob,
  database: Pick<DatabaseSpec, "type" | "name">,
  snapshots: readonly SnapshotInfo[],
  wanted: string,
): SnapshotInfo {
  const label = databaseLabel(database);
  const ofDatabase = snapshots
    .filter((snapshot) => {
      const named = parseDatabaseTags(snapshot.tags);
      return named?.type === database.type && named.name === database.name;
    })
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  if (wanted === "latest") {
    const latest = ofDatabase[0];
    if (latest) return latest;
    throw new SimplebackupError(
      "SNAPSHOT_NOT_FOUND",
      `database ${label} of job "${job.name}" has no snapshots yet (a backup of the job makes one)`,
    );
  }
  const prefix = wanted.trim().toLowerCase();
  const startsWith = (snapshot: SnapshotInfo) => /^[0-9a-f]+$/.test(prefix) && snapshot.id.startsWith(prefix);
  const matches = ofDatabase.filter(startsWith);
  const [match, ...others] = matches;
  if (match && others.length === 0) return match;
  if (match) {
    throw new SimplebackupError(
      "SNAPSHOT_NOT_FOUND",
      `"${wanted}" matches ${matches.length} snapshots of database ${label}; give more of its id`,
    );
  }
  const elsewhere = snapshots.find(startsWith);
  const what = elsewhere ? describeSnapshotContent(elsewhere) : undefined;
  throw new SimplebackupError(
    "SNAPSHOT_NOT_FOUND",
    `"${wanted}" is not a snapshot of database ${label} of job "${job.name}"${what ? ` (it is a snapshot of ${what})` : ""}; \`simplebackup snapshots ${job.name}\` lists them`,
  );
}

function describeSnapshotContent(snapshot: SnapshotInfo): string {
  const named = parseDatabaseTags(snapshot.tags);
  return named ? `database ${databaseLabel(named)}` : `files (${snapshot.paths.join(", ")})`;
}

/**
 * The dump's path inside its snapshot, as `restic dump` takes it: the one path a `--stdin` backup
 * records (`/nightly-postgresql-app.sql`), read from the snapshot rather than rebuilt from today's
 * naming, so the snapshot itself says what to dump.
 */
export function dumpPathOf(snapshot: SnapshotInfo): string {
  const [path, ...others] = snapshot.paths;
  if (path === undefined || others.length > 0) {
    throw new SimplebackupError(
      "SNAPSHOT_NOT_FOUND",
      `snapshot ${snapshot.short_id} holds ${snapshot.paths.length} paths, not the one dump file of a database snapshot`,
    );
  }
  return path;
}
