import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import { localRepositoryPath } from "../config/repository-path.js";

/**
 * Why restic must not create a repository at `repository`, or undefined when it may. restic would
 * create every missing folder of a local repository path. When the parent is missing the likely cause
 * is an unmounted drive, and creating the repository on the disk underneath would hide the backups
 * from the user once the drive is back. A job's repository and its copy targets follow this one rule.
 */
export async function refuseInitReason(repository: string): Promise<string | undefined> {
  const local = localRepositoryPath(repository);
  if (!local) return undefined;
  const parent = dirname(local);
  try {
    if ((await stat(parent)).isDirectory()) return undefined;
  } catch {}
  return `the repository ${local} does not exist and its parent folder ${parent} is missing; not creating a repository there (is the drive mounted?). Create ${parent} to allow it.`;
}
