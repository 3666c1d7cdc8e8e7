import type { BackupJob, RetentionPolicy } from "../config/types.js";
import { fastExcludePattern } from "./exclude-pattern.js";

const JOB_TAG_PREFIX = "simplebackup:";

/**
 * The tag that marks a job's snapshots; `forget` filters on it, so it must name exactly one job.
 * @throws RangeError for a name with `,`: restic splits `--tag a,b` into two tags (and reads it as
 * "a AND b" when filtering), so `simplebackup:x,y` would match job `x`'s snapshots too.
 */
export function jobTag(jobName: string): string {
  if (jobName === "" || jobName.includes(",")) {
    throw new RangeError(`A job name cannot be empty or contain ",": ${JSON.stringify(jobName)}`);
  }
  return `${JOB_TAG_PREFIX}${jobName}`;
}

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

const KEEP_COUNT_FLAGS = [
  ["last", "--keep-last"],
  ["hours", "--keep-hourly"],
  ["days", "--keep-daily"],
  ["weeks", "--keep-weekly"],
  ["months", "--keep-monthly"],
  ["years", "--keep-yearly"],
] as const satisfies readonly (readonly [keyof RetentionPolicy, string])[];

/** Whether `count` turns a keep rule on; 0 (and absent) means off, as in every restic version. */
function isKeepCount(count: number | undefined, key: string): count is number {
  if (count === undefined || count === 0) return false;
  // restic 0.14 reads `--keep-last -1` as "keep nothing" and removed every snapshot in the group
  // (0.16+ reads -1 as "keep all"); a bad number must never reach forget.
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`Retention "${key}" must be a whole number of 0 or more, got ${count}`);
  }
  return true;
}

// A duration made only of zeros (`0d`) is "no rule" to restic, which then removes nothing.
function isKeepWithin(within: string | undefined): within is string {
  return within !== undefined && /[1-9]/.test(within);
}

/**
 * Whether `forget` would apply anything; without a rule restic removes nothing (0.14 prints nothing
 * at all with `--json`).
 * @throws RangeError for a negative or fractional count, as {@link buildForgetArgs} does.
 */
export function hasRetentionRules(retention: RetentionPolicy): boolean {
  return KEEP_COUNT_FLAGS.some(([key]) => isKeepCount(retention[key], key)) || isKeepWithin(retention.within);
}

/**
 * `restic forget` arguments for one job. Call only when {@link hasRetentionRules} is true.
 *
 * Snapshots are filtered by the job's tag, so other jobs' snapshots are never considered, and grouped
 * by host alone: restic's default `host,paths` would start a new group (whose old snapshots are kept
 * forever) whenever the job's sources change, and `host,tags` would do the same whenever its user tags
 * change. Checked on 0.14 with a job whose sources and tags changed: `host` gave one group, `host,tags`
 * two and `host,paths` two.
 */
export function buildForgetArgs(
  retention: RetentionPolicy,
  jobName: string,
  options: { readonly prune?: boolean; readonly dryRun?: boolean } = {},
): string[] {
  const args = ["forget", "--json", "--tag", jobTag(jobName), "--group-by", "host"];
  for (const [key, flag] of KEEP_COUNT_FLAGS) {
    const count = retention[key];
    if (isKeepCount(count, key)) args.push(flag, String(count));
  }
  if (isKeepWithin(retention.within)) args.push("--keep-within", retention.within);
  if (options.prune) args.push("--prune");
  if (options.dryRun) args.push("--dry-run");
  return args;
}

/** `restic init`; 0.14 ignores `--json` here, so the output is text either way. */
export function buildInitArgs(): string[] {
  return ["init"];
}

/** `restic snapshots`, optionally only one job's. */
export function buildSnapshotsArgs(jobName?: string): string[] {
  return jobName === undefined ? ["snapshots", "--json"] : ["snapshots", "--json", "--tag", jobTag(jobName)];
}

/** `restic unlock` removes only stale locks; `--remove-all` would also break a live process's lock. */
export function buildUnlockArgs(): string[] {
  return ["unlock"];
}
