import { isPlainObject, type RawProblem } from "./problems.js";
import { localRepositoryPath, resolveRepository } from "./repository-path.js";
import type { ConfigFile } from "./schema.js";
import type { RunConditions } from "./types.js";

/** A job's `when` as validated; the top level's is the same without `command: null`. */
type WhenInput = ConfigFile["backupjobs"][number]["when"];

/**
 * A job's conditions: the job's `when` over the top-level `when`, key by key (a key the job sets, false
 * and [] included, replaces the top level's; `command: null` drops it). `reachable` holds only for a
 * remote repository: a top-level `reachable: true` does not apply to a job on a local folder. Paths are
 * resolved against the config file's folder. Undefined when nothing is left to wait for, so the
 * scheduler lets the job's runs through without a look.
 */
export function toRunConditions(
  top: WhenInput,
  job: WhenInput,
  repository: string,
  resolve: (p: string) => string,
): RunConditions | undefined {
  const paths = job?.path_exists ?? top?.path_exists ?? [];
  const command = job?.command === undefined ? top?.command : job.command;
  const conditions: RunConditions = {
    onAcPower: job?.on_ac_power ?? top?.on_ac_power ?? false,
    pathExists: [...new Set((typeof paths === "string" ? [paths] : paths).map(resolve))],
    reachable: (job?.reachable ?? top?.reachable ?? false) && isRemote(repository),
    command: command ?? undefined,
  };
  const waits =
    conditions.onAcPower ||
    conditions.pathExists.length > 0 ||
    conditions.reachable ||
    conditions.command !== undefined;
  return waits ? conditions : undefined;
}

function isRemote(repository: string): boolean {
  return localRepositoryPath(repository) === undefined;
}

/**
 * `reachable: true` on a job whose repository is a local folder: there is no server to connect to, and
 * the user most likely meant to wait for the drive the folder is on. Checked on the raw input.
 */
export function whenProblems(
  job: Record<string, unknown>,
  jobIndex: number,
  resolve: (p: string) => string,
): RawProblem[] {
  const when = job.when;
  if (!isPlainObject(when) || when.reachable !== true) return [];
  if (typeof job.destination !== "string" || job.destination === "") return [];
  if (isRemote(resolveRepository(job.destination, resolve))) return [];
  return [
    {
      path: ["backupjobs", jobIndex, "when", "reachable"],
      message:
        "the job's destination is a local folder, which has no server to reach; to wait for a drive, " +
        'use "path_exists" with a folder on the drive (e.g. "/media/usb/restic"; not its mount point, which exists while the drive is away), or remove reachable',
    },
  ];
}
