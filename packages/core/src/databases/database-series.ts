/*
 * How a database's snapshots are named in the repository: by a tag (which `forget --group-by host,tags`
 * keeps as a retention series of its own, apart from the files') and a file name (what `restic dump`
 * reads back). Both are stable across runs and restic versions.
 */
import type { DatabaseSpec, DatabaseType } from "../config/types.js";
import { jobTag } from "../restic/job-tag.js";

export const DATABASE_TAG_PREFIX = "simplebackup-db:";

const TYPES: readonly DatabaseType[] = ["postgresql", "mariadb", "mysql", "sqlite"];

/**
 * A name as it may appear in a tag and a file name: restic splits tags at ",", and a "/" in the file
 * name would make a folder. Percent-encoding keeps every name distinct and readable for the usual ones.
 */
function encodeName(name: string): string {
  return encodeURIComponent(name).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** `simplebackup-db:postgresql:app`: the tag of every snapshot of one database of a job. */
export function databaseTag(database: Pick<DatabaseSpec, "type" | "name">): string {
  return `${DATABASE_TAG_PREFIX}${database.type}:${encodeName(database.name)}`;
}

/** The database a snapshot's tags name, or undefined for a snapshot of files. */
export function parseDatabaseTags(
  tags: readonly string[] | null | undefined,
): { readonly type: DatabaseType; readonly name: string } | undefined {
  for (const tag of tags ?? []) {
    if (!tag.startsWith(DATABASE_TAG_PREFIX)) continue;
    const rest = tag.slice(DATABASE_TAG_PREFIX.length);
    const colon = rest.indexOf(":");
    const type = rest.slice(0, colon) as DatabaseType;
    if (colon < 0 || !TYPES.includes(type)) continue;
    try {
      return { type, name: decodeURIComponent(rest.slice(colon + 1)) };
    } catch {
      // a tag someone wrote by hand that only looks like ours
    }
  }
  return undefined;
}

/**
 * `/nightly-postgresql-app.sql`: the dump's path in its snapshot. At the root, since restic 0.18.0
 * refuses a `--stdin-filename` with a folder in it ("open /simplebackup: no such file or directory",
 * measured; restic#5324, fixed in 0.18.1) while 0.14 accepts it. The tag, not the path, makes the series.
 */
export function databaseFilePath(jobName: string, database: Pick<DatabaseSpec, "type" | "name">): string {
  return `/${encodeName(jobName)}-${database.type}-${encodeName(database.name)}.sql`;
}

/** The `backup` arguments up to the input: the job's tags, the database's tag and the file name. */
export function buildDatabaseBackupArgs(
  job: { readonly name: string; readonly tags: readonly string[] },
  database: Pick<DatabaseSpec, "type" | "name">,
): string[] {
  return [
    "backup",
    "--json",
    "--tag",
    jobTag(job.name),
    ...job.tags.flatMap((tag) => ["--tag", tag]),
    "--tag",
    databaseTag(database),
    "--stdin-filename",
    databaseFilePath(job.name, database),
  ];
}
