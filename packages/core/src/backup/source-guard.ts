/*
 * An unplugged drive leaves its mount point behind as an empty folder. restic backs that up as a
 * folder with nothing in it and exits 0, so the run looks complete, and retention after it would then
 * remove the snapshots that still hold the drive's files. A source that is empty now although the job's
 * last snapshot of it held entries is therefore a failure (SOURCE_EMPTY), unless the job allows it.
 *
 * restic is asked only when a source IS empty, so an ordinary backup pays one readdir per source.
 */
import { readdir } from "node:fs/promises";
import type { BackupJob } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import type { JobRestic } from "../restic/job-restic.js";
import { jobTag } from "../restic/job-tag.js";

/** Sources that are folders without a single entry. A missing or unreadable one is restic's to report. */
async function findEmptySources(sources: readonly string[]): Promise<string[]> {
  const empty: string[] = [];
  for (const source of sources) {
    try {
      if ((await readdir(source)).length === 0) empty.push(source);
    } catch {}
  }
  return empty;
}

/**
 * `restic ls` of the job's newest snapshot (on this host) that recorded `source`. `--path` picks only
 * snapshots whose paths include the source, so a run where it was missing (and left out of `paths`) does
 * not hide an older one that held it. 0.14 lists the folder and its direct entries, which is enough.
 */
export function buildSourceListingArgs(jobName: string, host: string, source: string): string[] {
  return ["ls", "--json", "--tag", jobTag(jobName), "--host", host, "--path", source, "--", "latest", source];
}

export interface SourceListing {
  /** The snapshot listed; undefined when no snapshot of the job recorded the source. */
  readonly snapshotId: string | undefined;
  /** Entries under the source (not the source itself). */
  readonly entries: number;
}

/** Reads `restic ls --json` output; lines that are not JSON (0.14's notices) are skipped. */
export function readSourceListing(stdout: string, source: string): SourceListing {
  const prefix = source.endsWith("/") ? source : `${source}/`;
  let snapshotId: string | undefined;
  let entries = 0;
  for (const line of stdout.split("\n")) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== "object" || value === null) continue;
    const item = value as { struct_type?: unknown; short_id?: unknown; path?: unknown };
    if (item.struct_type === "snapshot" && typeof item.short_id === "string") snapshotId = item.short_id;
    if (item.struct_type === "node" && typeof item.path === "string" && item.path.startsWith(prefix))
      entries++;
  }
  return { snapshotId, entries };
}

/**
 * Fails the run before `restic backup` when an empty source held entries in the job's last snapshot
 * of it. A restic error while asking fails the run too (never back up on a guess), except "no
 * repository yet": then there is no previous snapshot, and the backup creates the repository.
 */
export async function guardEmptySources(
  job: BackupJob,
  restic: JobRestic,
  host: string,
): Promise<SimplebackupError | undefined> {
  if (job.allowEmptySources) return undefined;
  for (const source of await findEmptySources(job.sources)) {
    const args = buildSourceListingArgs(job.name, host, source);
    const result = await restic.run(args);
    if (result.exitCode !== 0) {
      // 0.14 exits 0 ("Ignoring latest") when no snapshot of the job recorded the source; 0.18 exits 1
      // with `no snapshot found`: either way there is no earlier snapshot of it to protect.
      if (NO_SNAPSHOT.test(`${result.stdout}\n${result.stderr}`)) continue;
      const error = restic.error(result, args);
      if (error.code === "REPO_NOT_FOUND") return undefined;
      return error;
    }
    const listing = readSourceListing(result.stdout, source);
    if (listing.entries > 0) return sourceEmptyError(job.name, source, listing);
  }
  return undefined;
}

const NO_SNAPSHOT = /no snapshot (found|matched)/i;

function sourceEmptyError(job: string, source: string, listing: SourceListing): SimplebackupError {
  return new SimplebackupError(
    "SOURCE_EMPTY",
    `the source ${source} is empty, but the last snapshot of it (${listing.snapshotId}) holds ${listing.entries} ${listing.entries === 1 ? "entry" : "entries"} under it: is the drive mounted? Nothing was backed up and no snapshot was removed. Mount the drive, or set "allow_empty_sources": true in job "${job}" if the folder is meant to be empty.`,
  );
}
