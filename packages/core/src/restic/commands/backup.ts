// `restic backup`: its arguments. What it prints is the `--json` message stream (progress, a summary,
// errors per unreadable file), read by parseResticLine in ../messages.ts and summed up by
// backup/backup-outcome.ts.
import type { BackupJob } from "../../config/types.js";
import { JOB_TAG_PREFIX, jobTag } from "../job-tag.js";

/**
 * restic 0.17+: make no snapshot when the new tree equals the parent's. restic picks the parent by host
 * and paths only, so another job backing up the same folders into the same repository could be the
 * parent: measured on 0.18, a job then made no snapshot of its own because the other job's was the
 * same, and its tag had none. Grouping by tags too makes the parent this job's own latest snapshot.
 */
const SKIP_IF_UNCHANGED_ARGS = ["--skip-if-unchanged", "--group-by", "host,paths,tags"];

/**
 * `restic backup` arguments. Sources follow `--` so a path starting with `-` is not read as a flag
 * (checked on 0.14: `backup -dash` fails with "unknown shorthand flag", `backup -- -dash` works).
 * The password never appears here; it travels in the environment.
 * @throws RangeError for a user tag that restic would split, or that claims another job's tag.
 */
export function buildBackupArgs(
  job: Pick<BackupJob, "name" | "sources" | "excludes" | "tags"> &
    Partial<Pick<BackupJob, "skipIfUnchanged">>,
): string[] {
  for (const tag of job.tags) {
    if (tag === "" || tag.includes(",") || tag.startsWith(JOB_TAG_PREFIX)) {
      throw new RangeError(
        `Tag ${JSON.stringify(tag)} of job "${job.name}" must be non-empty, without "," and not start with "${JOB_TAG_PREFIX}"`,
      );
    }
  }
  return [
    "backup",
    "--json",
    "--tag",
    jobTag(job.name),
    ...job.tags.flatMap((tag) => ["--tag", tag]),
    ...job.excludes.flatMap((pattern) => ["--exclude", fastExcludePattern(pattern)]),
    ...(job.skipIfUnchanged ? SKIP_IF_UNCHANGED_ARGS : []),
    "--",
    ...job.sources,
  ];
}

// restic matches an exclude against every component position of a path, so a pattern without a
// leading "/" already matches at any depth, and a leading "**/" adds nothing (RESTIC-FACTS §4). It is
// not free, though: restic expands "**" into every possible run of "*" parts and tries each at every
// position, for each path its scanner and its archiver visit. With the classic "**/node_modules" and
// "**/*.tmp" that was ~8 % of an incremental backup of 20,000 files on 0.14, while the same patterns
// without "**/" cost nothing measurable (docs/performance.md, F7).

/**
 * The exclude pattern that restic matches fastest among those matching the same paths: the pattern
 * without its leading double-star segments, when what remains is relative and has no other double
 * star. Anything else (an anchored or negated pattern, a double star further in) passes unchanged.
 */
export function fastExcludePattern(pattern: string): string {
  let rest = pattern;
  while (rest.startsWith("**/")) rest = rest.slice(3);
  if (rest === pattern || rest === "" || rest.startsWith("/") || rest.includes("**")) return pattern;
  return rest;
}
