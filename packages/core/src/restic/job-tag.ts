/** What every job tag starts with; a user tag may not, so no tag claims another job's snapshots. */
export const JOB_TAG_PREFIX = "simplebackup:";

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
