// What `simplebackup snapshots` prints of one job's snapshots: a table for people, an object each for
// `--json`. A job's database dumps are listed with its file snapshots, each naming its database.
import {
  formatBytes,
  formatCount,
  formatLocalTime,
  type ListedSnapshot,
  shortId,
  snapshotFileCount,
  snapshotSize,
} from "@simplebackup/core";
import { formatTable } from "./format.js";

const COLUMNS = [
  { heading: "TIME" },
  { heading: "ID" },
  { heading: "SIZE", align: "right" },
  { heading: "FILES", align: "right" },
  // Blank for file snapshots, so a job without databases shows no such column.
  { heading: "DATABASE", optional: true },
  { heading: "PATHS" },
] as const;

/** `postgresql:app`, as the snapshot's tag names it; the name as written in the config. */
export function databaseLabel(database: NonNullable<ListedSnapshot["database"]>): string {
  return `${database.type}:${database.name}`;
}

/**
 * The table of one job's snapshots (heading first), and whether some size or file count was not
 * recorded (restic before 0.17), which the command explains once under all tables.
 */
export function snapshotTable(snapshots: readonly ListedSnapshot[]): {
  readonly lines: string[];
  readonly unrecorded: boolean;
} {
  let unrecorded = false;
  const rows = snapshots.map((snapshot) => {
    const size = snapshotSize(snapshot);
    const files = snapshotFileCount(snapshot);
    if (size === undefined || files === undefined) unrecorded = true;
    return [
      formatLocalTime(snapshot.time),
      shortId(snapshot.id),
      size === undefined ? "-" : formatBytes(size),
      files === undefined ? "-" : formatCount(files),
      snapshot.database ? databaseLabel(snapshot.database) : "",
      snapshot.paths.join(", "),
    ];
  });
  return { lines: formatTable(COLUMNS, rows), unrecorded };
}

/**
 * One snapshot in `--json`: restic's fields and the job, with `database` (`{type, name}`, null for
 * files), `size` and `files` (null for snapshots made before restic 0.17, which did not record them)
 * always present, so a script can tell "none" from "not asked".
 */
export function snapshotJson(job: string, snapshot: ListedSnapshot) {
  return {
    job,
    ...snapshot,
    database: snapshot.database ?? null,
    size: snapshotSize(snapshot) ?? null,
    files: snapshotFileCount(snapshot) ?? null,
  };
}
