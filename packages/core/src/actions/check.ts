import type { BackupJob } from "../config/types.js";
import { buildCheckArgs, normalizeReadDataSubset, parseCheckOutput } from "../restic/commands/check.js";
import { versionAtLeast } from "../restic/commands/version.js";
import { createJobRestic } from "../restic/job-restic.js";
import { type ActionOptions, startTimer } from "./action-options.js";

export interface RunCheckOptions extends ActionOptions {
  /**
   * Also read this share of the data packs: `n/t` (group n of t; see `nextCheckSubset` to rotate it so
   * that t checks read everything), `x%`, or a size such as `500M`.
   */
  readonly readDataSubset?: string | undefined;
  /** Read every data pack: the whole repository is downloaded. Ignored when readDataSubset is set. */
  readonly readData?: boolean;
}

/** What one check found. A result with `ok: false` is a failure of the job's repository. */
export interface CheckResult {
  readonly ok: boolean;
  readonly job: string;
  /** What restic reported as errors, one line each. Empty when ok. */
  readonly errors: readonly string[];
  /** Findings restic calls non-critical (an unreferenced pack) and its advice. */
  readonly notes: readonly string[];
  /** The subset that was read, normalised (`1/4`, `5%`); undefined when no data was read or all was. */
  readonly readDataSubset: string | undefined;
  /**
   * What was read besides the structure: restic's own line up to 0.17 (`read group #1 of 3 data packs
   * (out of total 5 packs in 2 groups)`, `read 5.0% of data packs`, `read all data`); 0.18's JSON leaves
   * it out, so there it is said from what was asked (`read group #1 of the data packs in 2 groups`).
   * Undefined when only the structure was checked.
   */
  readonly read: string | undefined;
  readonly durationMs: number;
}

/**
 * Runs `restic check` on the job's repository (checks the whole repository, not only the job's
 * snapshots: restic has no narrower check). Errors restic finds make a result with `ok: false`;
 * a check that could not run at all throws.
 * @throws RangeError for a readDataSubset restic would reject, before restic runs.
 * @throws ResticError when the check could not run (wrong password, repository locked by a live
 * process, interrupted, …).
 */
export async function runCheck(job: BackupJob, options: RunCheckOptions): Promise<CheckResult> {
  const elapsed = startTimer(options);
  const readDataSubset =
    options.readDataSubset === undefined ? undefined : normalizeReadDataSubset(options.readDataSubset);
  const readData = options.readData ?? false;
  const restic = createJobRestic(job, options);
  // 0.18 reports structured results with --json (a summary with num_errors, each error on its own);
  // 0.14 to 0.17 print text, which is parsed as such.
  const json = versionAtLeast(await options.restic.version(), "0.18.0");
  const args = buildCheckArgs({ readDataSubset, readData, json });
  const result = await restic.run(args);
  const report = result.interrupted ? undefined : parseCheckOutput(result, { json });
  if (!report) throw restic.error(result, args);
  const read = report.read ?? (json ? describeRead(readDataSubset, readData) : undefined);
  return { ...report, read, job: job.name, readDataSubset, durationMs: elapsed() };
}

/**
 * What a check read, said from what it was asked, in restic's words where they fit (it prints
 * `read %.1f%% of data packs` and `read all data`). Only for 0.18's JSON, which leaves its line out;
 * the number of packs in the group is not known then.
 */
function describeRead(subset: string | undefined, readData: boolean): string | undefined {
  if (subset === undefined) return readData ? "read all data" : undefined;
  const group = /^(\d+)\/(\d+)$/.exec(subset);
  if (group) return `read group #${group[1]} of the data packs in ${group[2]} groups`;
  if (subset.endsWith("%")) return `read ${Number(subset.slice(0, -1)).toFixed(1)}% of data packs`;
  return `read up to ${subset} of data packs`;
}
