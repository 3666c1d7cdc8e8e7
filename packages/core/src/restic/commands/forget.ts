// `restic forget`: its arguments (the job's retention as keep flags) and the report it prints with
// `--json` (which snapshots each group keeps and removes, and why).
import * as z from "zod";
import type { RetentionPolicy } from "../../config/types.js";
import { jobTag } from "../job-tag.js";
import { parseJsonWith } from "../output-lines.js";

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
 * The group key: one series per tag set. A job's database dumps carry `simplebackup-db:<type>:<name>`
 * (databases/database-series.ts), so each database and the files are kept apart: with `host` alone a
 * daily rule keeps each day's NEWEST snapshot of the job, which on a day whose run dumped databases
 * after its files is a dump, and that day's file snapshot would be removed.
 *
 * Always, not only for jobs that list databases now: a job that had databases keeps their snapshots in
 * the repository, and grouping them with the files again would do exactly that. The cost falls on a
 * job whose user tags (`tags` in the config) changed: its snapshots under the old tags form a group of
 * their own, which no new snapshot joins, so the policy keeps its newest ones for good (at most what
 * the rules count) instead of ageing them out. Never fewer: a finer grouping keeps every snapshot the
 * coarser one keeps (a snapshot that is the newest of its hour, day, … among all the job's snapshots
 * is so within its group, its bucket ranks no further back there, and `within` counts from the group's
 * newest, which is no newer). Checked with real restic in builders.integration.test.ts. restic sorts
 * the tags of the key, so the order of `--tag` flags makes no new group.
 *
 * `paths` stays out of the key: restic's default `host,paths` would start a new group whenever the
 * job's sources change (and a partial run records only the sources it found).
 */
const GROUP_BY = "host,tags";

/**
 * `restic forget` arguments for one job. Call only when {@link hasRetentionRules} is true.
 *
 * Snapshots are filtered by the job's tag, so other jobs' snapshots are never considered, and grouped
 * by {@link GROUP_BY}: the files and each database are separate series.
 */
export function buildForgetArgs(
  retention: RetentionPolicy,
  jobName: string,
  options: { readonly prune?: boolean; readonly dryRun?: boolean } = {},
): string[] {
  const args = ["forget", "--json", "--tag", jobTag(jobName), "--group-by", GROUP_BY];
  for (const [key, flag] of KEEP_COUNT_FLAGS) {
    const count = retention[key];
    if (isKeepCount(count, key)) args.push(flag, String(count));
  }
  if (isKeepWithin(retention.within)) args.push("--keep-within", retention.within);
  if (options.prune) args.push("--prune");
  if (options.dryRun) args.push("--dry-run");
  return args;
}

/** A snapshot as `forget --json` lists it. */
export interface SnapshotRef {
  readonly id?: string;
  readonly short_id?: string;
  readonly time: string;
  readonly paths: readonly string[];
  readonly tags?: readonly string[];
}

/** One group `forget` applied the policy to. */
export interface ForgetGroup {
  readonly tags: readonly string[] | null;
  readonly host: string;
  /** Empty when the group key leaves out `paths`, as ours does. */
  readonly paths: readonly string[];
  readonly keep: readonly SnapshotRef[];
  readonly remove: readonly SnapshotRef[];
  /** Why each kept snapshot was kept, e.g. `["last snapshot", "daily snapshot"]`. */
  readonly reasons: readonly { readonly id?: string; readonly matches: readonly string[] }[];
}

const snapshotRefSchema = z.object({
  id: z.string().optional(),
  short_id: z.string().optional(),
  time: z.string(),
  tree: z.string().optional(),
  paths: z.array(z.string()).nullish(),
  tags: z.array(z.string()).nullish(),
});

// restic prints `null` for every empty list here (remove, and keep when the policy keeps nothing).
const forgetGroupSchema = z.object({
  tags: z.array(z.string()).nullish(),
  host: z.string().nullish(),
  paths: z.array(z.string()).nullish(),
  keep: z.array(snapshotRefSchema).nullish(),
  remove: z.array(snapshotRefSchema).nullish(),
  reasons: z
    .array(
      z.object({
        snapshot: snapshotRefSchema.optional(),
        matches: z.array(z.string()).nullish(),
      }),
    )
    .nullish(),
});

/**
 * Parses `forget --json` stdout. With `--prune` the JSON array is the first line and prune's plain-text
 * report follows, so only the first line is read. Empty output (no policy given) means no groups.
 * @throws Error when the first line is not a forget report.
 */
export function parseForgetOutput(stdout: string): ForgetGroup[] {
  const firstLine = stdout.trimStart().split("\n", 1)[0] ?? "";
  if (firstLine.trim() === "") return [];
  const groups = parseJsonWith(z.array(forgetGroupSchema), firstLine, "forget --json");

  return groups.map((group) => {
    const keep = (group.keep ?? []).map(toSnapshotRef);
    const keptRaw = group.keep ?? [];
    return {
      tags: group.tags ?? null,
      host: group.host ?? "",
      paths: group.paths ?? [],
      keep,
      remove: (group.remove ?? []).map(toSnapshotRef),
      reasons: (group.reasons ?? []).map((reason) => {
        // 0.18 repeats the kept snapshot with its id; 0.14 without, so find it among the kept ones.
        const id =
          reason.snapshot?.id ??
          keptRaw.find((s) => s.time === reason.snapshot?.time && s.tree === reason.snapshot?.tree)?.id;
        return { ...(id === undefined ? {} : { id }), matches: reason.matches ?? [] };
      }),
    };
  });
}

function toSnapshotRef(snapshot: z.infer<typeof snapshotRefSchema>): SnapshotRef {
  return {
    ...(snapshot.id === undefined ? {} : { id: snapshot.id }),
    ...(snapshot.short_id === undefined ? {} : { short_id: snapshot.short_id }),
    time: snapshot.time,
    paths: snapshot.paths ?? [],
    ...(snapshot.tags ? { tags: snapshot.tags } : {}),
  };
}
