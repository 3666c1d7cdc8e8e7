import type { BackupJob } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import { type ResticVersion, versionAtLeast } from "./commands/version.js";
import type { Restic } from "./restic.js";

/**
 * Config keys that pass restic a flag older versions do not know. An older restic would stop at
 * `unknown flag: --skip-if-unchanged` (exit 1, measured on 0.14) with no hint that the config asked for
 * it; `validate` and every run refuse first, naming the key and the fix.
 */
export interface ResticRequirement {
  /** The config key, as the user writes it. */
  readonly key: "skip_if_unchanged";
  /** The first restic version that has it. */
  readonly since: string;
  /** What it needs from restic, for the message. */
  readonly feature: string;
}

const SKIP_IF_UNCHANGED: ResticRequirement = {
  key: "skip_if_unchanged",
  since: "0.17.0",
  feature: "backup --skip-if-unchanged",
};

/** What this job needs of the restic it runs. */
export function resticRequirements(job: Pick<BackupJob, "skipIfUnchanged">): ResticRequirement[] {
  return job.skipIfUnchanged ? [SKIP_IF_UNCHANGED] : [];
}

/** The requirements `version` does not meet; an unreadable version meets none. */
export function unmetRequirements(
  requirements: readonly ResticRequirement[],
  version: ResticVersion | undefined,
): ResticRequirement[] {
  return requirements.filter((requirement) => !versionAtLeast(version, requirement.since));
}

/** `needs restic 0.17.0 or later (backup --skip-if-unchanged); /usr/bin/restic is restic 0.14.0`: after the key. */
export function describeUnmet(
  requirement: ResticRequirement,
  binary: string,
  version: ResticVersion | undefined,
): string {
  const found = version ? `is restic ${version.version}` : "did not tell its version (restic version)";
  return `needs restic ${requirement.since} or later (${requirement.feature}); ${binary} ${found}`;
}

export function fixForUnmet(requirement: ResticRequirement): string {
  return `upgrade restic to ${requirement.since} or later, or remove ${requirement.key} from the config`;
}

/**
 * Before a run's first restic command: the job's restic must have every feature its config asks for.
 * Asks `restic version` only when the job needs something (one short process, no repository).
 * @returns RESTIC_VERSION_UNSUPPORTED naming the key, the version found and the fix; undefined when met.
 */
export async function checkResticRequirements(
  job: Pick<BackupJob, "name" | "skipIfUnchanged">,
  restic: Restic,
): Promise<SimplebackupError | undefined> {
  const requirements = resticRequirements(job);
  if (requirements.length === 0) return undefined;
  const version = await restic.version();
  const [unmet] = unmetRequirements(requirements, version);
  if (!unmet) return undefined;
  return new SimplebackupError(
    "RESTIC_VERSION_UNSUPPORTED",
    `${unmet.key} ${describeUnmet(unmet, restic.binary, version)}: ${fixForUnmet(unmet)} (the job's own ${unmet.key}, or the top-level default for every job)`,
  );
}
