// `restic snapshots`: its arguments and the list it prints with `--json`, with what 0.17+ records in
// each snapshot about the backup that made it.
import * as z from "zod";
import { jobTag } from "../job-tag.js";
import { parseJsonWith } from "../output-lines.js";

/** `restic snapshots`, optionally only one job's. */
export function buildSnapshotsArgs(jobName?: string): string[] {
  return jobName === undefined ? ["snapshots", "--json"] : ["snapshots", "--json", "--tag", jobTag(jobName)];
}

/** One entry of `snapshots --json`. */
export interface SnapshotInfo {
  /** Full 64-hex id. */
  readonly id: string;
  readonly short_id: string;
  /** RFC 3339 with nanoseconds, as restic prints it. */
  readonly time: string;
  readonly parent?: string;
  readonly tree: string;
  readonly paths: readonly string[];
  readonly hostname: string;
  readonly username: string;
  readonly uid?: number;
  readonly gid?: number;
  readonly excludes?: readonly string[];
  readonly tags?: readonly string[];
  /** The snapshot this one was copied from (`restic copy`), in the repository it came from. */
  readonly original?: string;
  /** 0.16+. */
  readonly program_version?: string;
  /** 0.17+: the backup summary stored in the snapshot. */
  readonly summary?: Readonly<Record<string, unknown>>;
}

const snapshotSchema = z.object({
  id: z.string(),
  short_id: z.string().optional(),
  time: z.string(),
  parent: z.string().optional(),
  tree: z.string(),
  paths: z.array(z.string()).nullish(),
  hostname: z.string(),
  username: z.string(),
  uid: z.number().optional(),
  gid: z.number().optional(),
  excludes: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
  original: z.string().optional(),
  program_version: z.string().optional(),
  summary: z.record(z.string(), z.unknown()).optional(),
});

/**
 * Parses `snapshots --json` stdout (an array; `[]` when nothing matches).
 * @throws Error when the output is not a snapshot list.
 */
export function parseSnapshots(stdout: string): SnapshotInfo[] {
  if (stdout.trim() === "") return [];
  const snapshots = parseJsonWith(z.array(snapshotSchema), stdout.trim(), "snapshots --json");
  return snapshots.map(({ short_id, paths, excludes, tags, ...rest }) => ({
    ...rest,
    short_id: short_id ?? rest.id.slice(0, 8),
    paths: paths ?? [],
    ...(excludes ? { excludes } : {}),
    ...(tags ? { tags } : {}),
  }));
}

/**
 * The size of what a snapshot covers (the total bytes of its files, not what it takes in the
 * repository), when restic recorded it: 0.17+ stores the backup summary in the snapshot
 * (`summary.total_bytes_processed`); snapshots made by older versions carry no size.
 */
export function snapshotSize(snapshot: Pick<SnapshotInfo, "summary">): number | undefined {
  return summaryCount(snapshot, "total_bytes_processed");
}

/** How many files a snapshot holds (`summary.total_files_processed`), when restic 0.17+ recorded it. */
export function snapshotFileCount(snapshot: Pick<SnapshotInfo, "summary">): number | undefined {
  return summaryCount(snapshot, "total_files_processed");
}

function summaryCount(snapshot: Pick<SnapshotInfo, "summary">, key: string): number | undefined {
  const count = snapshot.summary?.[key];
  return typeof count === "number" && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}
