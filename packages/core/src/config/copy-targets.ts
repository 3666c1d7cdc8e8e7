import path from "node:path";
import { parseDuration } from "./duration.js";
import { isPlainObject, type RawProblem } from "./problems.js";
import { passwordCountProblem, toPasswordSource, toRetention } from "./repository-keys.js";
import { localRepositoryPath, resolveRepository } from "./repository-path.js";
import type { ConfigFile } from "./schema.js";
import type { CopyTarget, RetentionPolicy } from "./types.js";

type CopyTargetInput = NonNullable<ConfigFile["backupjobs"][number]["copy_to"]>[number];

/**
 * A job's `copy_to` as resolved: destinations and password files relative to the config file's
 * folder, like the job's own. A target without `retention` takes the job's; `retention: {}` keeps
 * every snapshot on the target (undefined), as `{}` does on a job. A target without `alert_after`
 * takes the job's: copy failures are retried quietly, so a lag alert is how a dead target gets told.
 */
export function toCopyTargets(
  targets: readonly CopyTargetInput[] | undefined,
  job: { readonly retention: RetentionPolicy | undefined; readonly alertAfterMs: number | undefined },
  resolve: (p: string) => string,
): CopyTarget[] {
  return (targets ?? []).map((target) => ({
    name: target.name,
    repository: resolveRepository(target.destination, resolve),
    password: toPasswordSource(target, resolve),
    env: target.env ?? {},
    retention: target.retention === undefined ? job.retention : toRetention(target.retention),
    alertAfterMs: target.alert_after === undefined ? job.alertAfterMs : parseDuration(target.alert_after),
  }));
}

/**
 * Rules across a job's copy targets, checked on the raw input (with the schema's problems, not after
 * them): one password each, unique names, never the job's own repository nor one target twice, and
 * env that restic copy's single process can honour for both repositories.
 */
export function copyTargetProblems(
  job: Record<string, unknown>,
  jobIndex: number,
  resolve: (p: string) => string,
): RawProblem[] {
  if (!Array.isArray(job.copy_to)) return [];
  const problems: RawProblem[] = [];
  const jobPlace = ["backupjobs", jobIndex];
  const jobLocation = typeof job.destination === "string" ? location(job.destination, resolve) : undefined;
  const firstByName = new Map<string, number>();
  const firstByLocation = new Map<string, number>();
  for (const [index, target] of job.copy_to.entries()) {
    if (!isPlainObject(target)) continue;
    const place = [...jobPlace, "copy_to", index];
    const password = passwordCountProblem(target, place);
    if (password) problems.push(password);

    if (typeof target.name === "string" && target.name !== "") {
      const first = firstByName.get(target.name);
      if (first === undefined) firstByName.set(target.name, index);
      else
        problems.push({
          path: [...place, "name"],
          message: `${JSON.stringify(target.name)} is already used by copy_to[${first}]; target names must be unique in the job`,
        });
    }

    if (typeof target.destination === "string" && target.destination !== "") {
      const where = location(target.destination, resolve);
      const first = firstByLocation.get(where);
      if (where === jobLocation) {
        problems.push({
          path: [...place, "destination"],
          message:
            "this is the job's own repository (its destination); a copy needs a second repository: another drive or a server",
        });
      } else if (first !== undefined) {
        problems.push({
          path: [...place, "destination"],
          message: `copy_to[${first}] already copies to this repository; remove one of the two targets`,
        });
      } else firstByLocation.set(where, index);
    }

    problems.push(...envConflicts(job.env, target.env, [...place, "env"], jobIndex));
  }
  return problems;
}

/**
 * restic copy reads both repositories in one process, which has one value per variable: a target
 * that needs other credentials under the job's variable names cannot be copied to.
 */
function envConflicts(
  jobEnv: unknown,
  targetEnv: unknown,
  place: readonly PropertyKey[],
  jobIndex: number,
): RawProblem[] {
  if (!isPlainObject(jobEnv) || !isPlainObject(targetEnv)) return [];
  return Object.entries(targetEnv)
    .filter(([name, value]) => typeof value === "string" && typeof jobEnv[name] === "string")
    .filter(([name, value]) => jobEnv[name] !== value)
    .map(([name]) => ({
      path: [...place, name],
      message:
        `differs from the job's env.${name} (backupjobs[${jobIndex}].env.${name}); restic copy reads the ` +
        "job's repository and this target in one process, which sees one value per variable: use the same " +
        "credentials for both, or put the target on another backend (a REST server, sftp)",
    }));
}

/**
 * Where a repository lives, so two spellings of one place compare equal: local paths absolute and
 * normalized without `local:` or a trailing separator (and in one case on Windows), URLs without a
 * trailing slash.
 */
function location(destination: string, resolve: (p: string) => string): string {
  const repository = resolveRepository(destination, resolve);
  const local = localRepositoryPath(repository);
  if (local === undefined) return repository.replace(/\/+$/, "");
  const normalized = path.normalize(local).replace(/(?<=.)[\\/]+$/, "");
  return process.platform === "win32" ? normalized.toLowerCase() : normalized;
}
