import { jobTag } from "./job-tag.js";

/**
 * `restic restore` arguments for one snapshot, named by its id (resolved among the job's own snapshots
 * first: with an explicit id restic ignores `--tag`, checked on 0.14). restic recreates each file's
 * absolute path under the target, so a file never lands on its original unless the target is `/`.
 * `--json` gives status and summary lines on 0.16+ and is ignored by 0.14, which prints text only.
 * `--verify` re-reads the restored files and checks them against the repository (0.14+).
 */
export function buildRestoreArgs(
  snapshotId: string,
  target: string,
  options: { readonly include?: readonly string[]; readonly verify?: boolean } = {},
): string[] {
  if (!/^[0-9a-f]{8,64}$/.test(snapshotId)) {
    throw new RangeError(`A snapshot id is 8 to 64 hex characters, got ${JSON.stringify(snapshotId)}`);
  }
  return [
    "restore",
    "--json",
    "--target",
    target,
    ...(options.include ?? []).flatMap((pattern) => ["--include", pattern]),
    ...(options.verify ? ["--verify"] : []),
    snapshotId,
  ];
}

/**
 * A restic include/exclude pattern that matches exactly this path. Patterns are Go `filepath.Match`
 * globs, so `*`, `?`, `[` and `\` in a file name are escaped (checked on 0.14 with `we*ird [1].txt`
 * and `back\slash.txt`).
 */
export function escapeRestorePattern(path: string): string {
  return path.replace(/[*?[\\]/g, "\\$&");
}

/** `restic ls --json` of the job's latest snapshot: a snapshot line, then one line per node. */
export function buildLsLatestArgs(jobName: string): string[] {
  return ["ls", "--json", "latest", "--tag", jobTag(jobName)];
}

/**
 * `restic check`. `json` asks for 0.18's structured report (a `summary` line on stdout, `error` lines on
 * stderr); 0.14 to 0.17 print text only and get no `--json`.
 * @throws RangeError for a subset restic would reject (see {@link normalizeReadDataSubset}).
 */
export function buildCheckArgs(
  options: {
    readonly readData?: boolean;
    readonly readDataSubset?: string | undefined;
    readonly json?: boolean;
  } = {},
): string[] {
  const args = options.json ? ["check", "--json"] : ["check"];
  if (options.readDataSubset !== undefined) {
    args.push("--read-data-subset", normalizeReadDataSubset(options.readDataSubset));
  } else if (options.readData) {
    args.push("--read-data");
  }
  return args;
}

/** The ids of the repository's lock files, read without taking a lock of our own. */
export function buildListLocksArgs(): string[] {
  return ["list", "locks", "--no-lock"];
}

/** One lock file as JSON (holder PID, host, time, exclusive), read without taking a lock. */
export function buildCatLockArgs(lockId: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(lockId)) throw new RangeError(`Not a lock id: ${JSON.stringify(lockId)}`);
  return ["cat", "lock", lockId, "--no-lock"];
}

const SIZE_SUBSET = /^(\d+(?:\.\d+)?)([kKmMgGtT])?$/;

/**
 * Checks a `--read-data-subset` value before restic sees it and returns it normalised: `n/t` (read
 * group n of t, 1 ≤ n ≤ t), `x%` or `x.y%` (a random share above 0 and at most 100), or a size such as
 * `500M` (a random subset of that many bytes).
 * @throws RangeError for anything else; restic 0.14 would fail only after opening the repository.
 */
export function normalizeReadDataSubset(subset: string): string {
  const text = subset.trim();
  const group = /^(\d+)\/(\d+)$/.exec(text);
  if (group) {
    const n = Number(group[1]);
    const t = Number(group[2]);
    if (n >= 1 && t >= 1 && n <= t && Number.isSafeInteger(t)) return `${n}/${t}`;
    throw new RangeError(`--read-data-subset ${subset}: n/t needs 1 ≤ n ≤ t`);
  }
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (percent) {
    const value = Number(percent[1]);
    if (value > 0 && value <= 100) return `${percent[1]}%`;
    throw new RangeError(`--read-data-subset ${subset}: a percentage must be above 0% and at most 100%`);
  }
  const size = SIZE_SUBSET.exec(text);
  if (size && Number(size[1]) > 0) return text;
  throw new RangeError(
    `--read-data-subset ${JSON.stringify(subset)}: expected n/t (e.g. 1/5), a percentage (e.g. 5%) or a size (e.g. 500M)`,
  );
}

/**
 * The subset for the next scheduled check, so that `groups` consecutive checks read the whole
 * repository once: `1/t`, `2/t`, … `t/t`, then `1/t` again. A previous value that is not `n/groups`
 * (none yet, a percentage, another group count) starts over at `1/groups`.
 * @example nextCheckSubset("3/4", 4) === "4/4"; nextCheckSubset("4/4", 4) === "1/4"
 * @throws RangeError when groups is not a whole number of 1 or more.
 */
export function nextCheckSubset(previous: string | undefined, groups: number): string {
  if (!Number.isSafeInteger(groups) || groups < 1) {
    throw new RangeError(`The number of check groups must be a whole number of 1 or more, got ${groups}`);
  }
  const match = previous === undefined ? null : /^\s*(\d+)\/(\d+)\s*$/.exec(previous);
  const n = Number(match?.[1]);
  if (!match || Number(match[2]) !== groups || n < 1 || n > groups) return `1/${groups}`;
  return `${(n % groups) + 1}/${groups}`;
}
