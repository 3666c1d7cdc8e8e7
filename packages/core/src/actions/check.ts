import type { BackupJob } from "../config/types.js";
import { buildCheckArgs, normalizeReadDataSubset } from "../restic/action-args.js";
import { parseCheckOutput } from "../restic/action-output.js";
import { createJobRestic } from "../restic/job-restic.js";
import type { ActionOptions } from "./action-options.js";

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
  /** What restic said it read, e.g. `read group #1 of 3 data packs (out of total 5 packs in 2 groups)`. */
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
  const started = Date.now();
  const readDataSubset =
    options.readDataSubset === undefined ? undefined : normalizeReadDataSubset(options.readDataSubset);
  const restic = createJobRestic(job, options);
  const args = buildCheckArgs({ readDataSubset, readData: options.readData ?? false });
  const result = await restic.run(args);
  const report = result.interrupted ? undefined : parseCheckOutput(result);
  if (!report) throw restic.error(result, args);
  return { ...report, job: job.name, readDataSubset, durationMs: Date.now() - started };
}
