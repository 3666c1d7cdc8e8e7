import type { BackupJob } from "../config/types.js";
import { ResticError } from "../errors.js";
import { buildInitArgs } from "../restic/commands/init.js";
import { refuseInitReason } from "../restic/init-guard.js";
import type { JobRestic } from "../restic/job-restic.js";

/**
 * After restic said the repository does not exist: creates it, unless that would put it somewhere the
 * user surely did not mean (an unmounted drive's mount point; see init-guard.ts).
 * @returns why it was not created; undefined once it exists
 */
export async function initRepositoryAfterNotFound(
  job: Pick<BackupJob, "repository">,
  restic: JobRestic,
  notFound: ResticError,
): Promise<ResticError | undefined> {
  const args = buildInitArgs();
  const refusal = await refuseInitReason(job.repository);
  if (refusal) {
    return new ResticError("REPO_NOT_FOUND", refusal, {
      command: args,
      exitCode: notFound.exitCode,
      stderrTail: notFound.stderrTail,
    });
  }
  const init = await restic.run(args);
  return init.exitCode === 0 ? undefined : restic.error(init, args);
}
