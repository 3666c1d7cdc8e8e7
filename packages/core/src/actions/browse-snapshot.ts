import type { Writable } from "node:stream";
import type { BackupJob } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import type { DumpArchiveFormat } from "../restic/commands/dump.js";
import { buildLsArgs, parseLsLine, type SnapshotNode } from "../restic/commands/ls.js";
import { createJobRestic } from "../restic/job-restic.js";
import { jobTag } from "../restic/job-tag.js";
import { type ActionOptions, actionError } from "./action-options.js";
import { type DumpConsumer, streamDump } from "./dump-stream.js";
import type { SnapshotSummary } from "./restore.js";
import { checkSnapshotPath, nameOf, parentOf } from "./snapshot-path.js";

/** What a browser shows of a node; restic's devices, fifos and sockets are `other`. */
export type SnapshotEntryType = "file" | "dir" | "symlink" | "other";

/** One entry of a folder in a snapshot. */
export interface SnapshotEntry {
  readonly name: string;
  /** Absolute, as restic recorded it. */
  readonly path: string;
  readonly type: SnapshotEntryType;
  /** Bytes; 0 for folders and symlinks. */
  readonly size: number;
  /** RFC 3339 with nanoseconds, as restic prints it. */
  readonly mtime: string | null;
}

/** A path of one of the job's snapshots: what it is, and for a folder its direct children. */
export interface SnapshotPathListing {
  readonly snapshot: SnapshotSummary;
  readonly path: string;
  /** `dir` for `/`, the folder above the snapshot's paths. */
  readonly type: SnapshotEntryType;
  /** A file's size; 0 for a folder. */
  readonly size: number;
  /** A folder's direct children in restic's order (by name); empty for anything else. */
  readonly entries: readonly SnapshotEntry[];
}

/** A snapshot id as a request may name it: 8 to 64 hex characters (a prefix restic resolves). */
export const SNAPSHOT_ID_PATTERN = /^[0-9a-f]{8,64}$/;

/**
 * Lists one path of one of the job's snapshots with `restic ls --json <id> <path>`, which prints the
 * snapshot, the path's own node and its direct children only (never the whole tree: a folder is
 * listed when it is opened). The snapshot must carry the job's tag: restic resolves an id across the
 * whole repository, and another job's snapshot is refused as if it did not exist.
 * @throws SimplebackupError SNAPSHOT_NOT_FOUND (no such id, not the job's, or an ambiguous prefix),
 * SNAPSHOT_PATH_NOT_FOUND; ResticError when restic fails as a whole.
 */
export async function listSnapshotPath(
  job: BackupJob,
  options: ActionOptions,
  snapshotId: string,
  path: string,
): Promise<SnapshotPathListing> {
  assertRequest(snapshotId, path);
  const restic = createJobRestic(job, options);
  const args = buildLsArgs(snapshotId, path);
  let snapshot: (SnapshotSummary & { readonly tags: readonly string[] }) | undefined;
  const nodes: SnapshotNode[] = [];
  const result = await restic.run(args, {
    onStdoutLine: (line) => {
      const parsed = parseLsLine(line);
      if (parsed?.kind === "snapshot") {
        snapshot ??= {
          id: parsed.id,
          shortId: parsed.shortId,
          time: parsed.time,
          paths: parsed.paths,
          tags: parsed.tags,
        };
      } else if (parsed?.kind === "node") nodes.push(parsed.node);
    },
  });
  // 0.14 says "Ignoring …: no matching ID found" and exits 0; 0.17+ exits 1 with the same words.
  const unknownId = /no matching ID found|multiple IDs with prefix/i.test(result.stderr);
  if (result.interrupted || (result.exitCode !== 0 && !unknownId)) throw restic.error(result, args);
  if (!snapshot?.tags.includes(jobTag(job.name))) {
    throw actionError(
      "SNAPSHOT_NOT_FOUND",
      `"${snapshotId}" is not a snapshot of job "${job.name}"; \`simplebackup snapshots ${job.name}\` lists them`,
    );
  }
  const { tags: _tags, ...summary } = snapshot;
  const own = nodes.find((node) => node.path === path);
  if (path !== "/" && !own) {
    throw actionError(
      "SNAPSHOT_PATH_NOT_FOUND",
      `snapshot ${summary.shortId} of job "${job.name}" holds no ${path}`,
    );
  }
  const type = own ? entryType(own.type) : "dir";
  // restic lists only direct children today; the filter keeps it so should a version list deeper.
  const entries =
    type === "dir" ? nodes.filter((node) => node.path !== path && parentOf(node.path) === path) : [];
  return {
    snapshot: summary,
    path,
    type,
    size: type === "file" ? (own?.size ?? 0) : 0,
    entries: entries.map((node) => ({
      name: nameOf(node.path),
      path: node.path,
      type: entryType(node.type),
      size: node.type === "file" ? node.size : 0,
      mtime: node.mtime ?? null,
    })),
  };
}

/**
 * Streams one file of a snapshot (its bytes) or a folder (`archive`: tar or zip) into `output` with
 * `restic dump`, never whole in memory: restic writes as fast as `output` takes it. `output` is ended
 * only once restic exited 0, and destroyed if restic failed, so a reader never takes a cut-short
 * download for a whole one. When `output` closes first (a client went away), restic is stopped with
 * SIGINT and its lock removed.
 * The id must be one {@link listSnapshotPath} returned for this job: restic ignores tags given an id.
 * @returns the bytes written
 * @throws ResticError when restic failed or was interrupted; SimplebackupError INTERRUPTED when
 * `output` closed before the end
 */
export async function streamSnapshotPath(
  job: BackupJob,
  options: ActionOptions,
  snapshotId: string,
  path: string,
  output: Writable,
  dumpOptions: { readonly archive?: DumpArchiveFormat } = {},
): Promise<number> {
  assertRequest(snapshotId, path);
  return streamDump(job, options, snapshotId, path, writableConsumer(output), dumpOptions);
}

/** Any writable as the reader of a dump: it failed when it closed before it was ended. */
function writableConsumer(output: Writable): DumpConsumer {
  const done = new Promise<SimplebackupError | undefined>((settle) => {
    output.once("finish", () => settle(undefined));
    output.once("close", () =>
      settle(
        output.writableFinished
          ? undefined
          : new SimplebackupError("INTERRUPTED", "the reader of the download went away before its end"),
      ),
    );
  });
  return {
    input: output,
    done,
    stop: () => output.destroy(new Error("restic failed before the end of the download")),
  };
}

function entryType(type: string): SnapshotEntryType {
  return type === "file" || type === "dir" || type === "symlink" ? type : "other";
}

function assertRequest(snapshotId: string, path: string): void {
  if (!SNAPSHOT_ID_PATTERN.test(snapshotId)) {
    throw new RangeError(`A snapshot id is 8 to 64 hex characters, got ${JSON.stringify(snapshotId)}`);
  }
  const checked = checkSnapshotPath(path);
  if (!checked.ok || checked.path !== path) {
    throw new RangeError(`Not a normalized absolute path: ${JSON.stringify(path)}`);
  }
}
