/*
 * The rule of the backups (retention only ever follows a complete backup) holds for a forget run by
 * hand too. Retention keeps the newest snapshot of each group, so it is safe exactly when that newest
 * snapshot is complete: then every file of every listed source is in it. After a partial run (a source
 * missing, files unreadable) the newest snapshot lacks what older ones hold, and forget could remove
 * their only copy. A real forget refuses then; a dry run says it would.
 *
 * Only the job's file snapshots are judged. Its database dumps (tagged `simplebackup-db:…`) are series
 * of their own that hold none of the sources: the newest snapshot of the job is often a dump, which
 * must neither be read as "a snapshot lacking every source" nor hide a partial file snapshot before it.
 * The file snapshots can span groups (forget groups by host and tags, so a change of the job's tags
 * starts a group); judging the newest of them all is enough, since the finer grouping keeps every
 * snapshot the host alone would (restic/commands/forget.ts).
 */
import type { BackupJob } from "../config/types.js";
import { parseDatabaseTags } from "../databases/database-series.js";
import type { ForgetGroup, SnapshotRef } from "../restic/commands/forget.js";

export interface ForgetSafetyFacts {
  /** The host whose snapshots the job's sources describe (restic's default, this machine). */
  readonly host: string;
  /** Snapshots the state folder's history records as partial runs (full or short ids). */
  readonly partialSnapshotIds: readonly string[];
}

/**
 * Why forgetting now could remove the only copy of a listed source's files, or undefined when it is
 * safe: the newest file snapshot of this host (database dumps left out) must hold every source the job
 * lists and must not be a run recorded as partial.
 */
export function findUnsafeRetention(
  job: BackupJob,
  groups: readonly ForgetGroup[],
  facts: ForgetSafetyFacts,
): string | undefined {
  const reason = unsafeRetentionReason(job, groups, facts);
  if (!reason) return undefined;
  return `${reason}. Nothing was removed. Run a complete backup first (simplebackup backup ${job.name}), then forget; --dry-run shows what it would remove.`;
}

/**
 * The rule of {@link findUnsafeRetention} without its advice, for a retention that is not run by hand
 * (a copy target's, which the next complete backup's copy applies).
 */
export function unsafeRetentionReason(
  job: BackupJob,
  groups: readonly ForgetGroup[],
  facts: ForgetSafetyFacts,
): string | undefined {
  const newest = newestFileSnapshot(groups.filter((group) => group.host === facts.host));
  if (!newest) return undefined;
  const name = newest.short_id ?? newest.id?.slice(0, 8) ?? newest.time;
  const recorded = new Set(newest.paths.map(withoutTrailingSlash));
  const missing = job.sources.filter((source) => !recorded.has(withoutTrailingSlash(source)));
  if (missing.length > 0) {
    return `the newest snapshot of job "${job.name}" (${name}) does not hold ${missing.join(", ")}: forget now could remove the only snapshots of ${missing.length === 1 ? "that source" : "those sources"}`;
  }
  if (facts.partialSnapshotIds.some((id) => sameSnapshot(newest, id))) {
    return `the newest snapshot of job "${job.name}" (${name}) is from a partial backup (files could not be read): forget now could remove the only snapshots holding them`;
  }
  return undefined;
}

function newestFileSnapshot(groups: readonly ForgetGroup[]): SnapshotRef | undefined {
  let newest: SnapshotRef | undefined;
  for (const snapshot of groups.flatMap((group) => [...group.keep, ...group.remove])) {
    if (parseDatabaseTags(snapshot.tags)) continue;
    if (!newest || Date.parse(snapshot.time) > Date.parse(newest.time)) newest = snapshot;
  }
  return newest;
}

function sameSnapshot(snapshot: SnapshotRef, id: string): boolean {
  if (id.length < 8) return false;
  return [snapshot.id, snapshot.short_id].some(
    (own) => own !== undefined && (own.startsWith(id) || id.startsWith(own)),
  );
}

function withoutTrailingSlash(path: string): string {
  return path.length > 1 && /[\\/]$/.test(path) ? path.slice(0, -1) : path;
}
