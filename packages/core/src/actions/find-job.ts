import type { BackupJob } from "../config/types.js";
import { SimplebackupError } from "../errors.js";

/**
 * The job with this name.
 * @throws SimplebackupError JOB_NOT_FOUND, naming the jobs the config has.
 */
export function findJob(jobs: readonly BackupJob[], name: string): BackupJob {
  const job = jobs.find((candidate) => candidate.name === name);
  if (job) return job;
  const known = jobs.map((candidate) => `"${candidate.name}"`).join(", ") || "no jobs";
  throw new SimplebackupError("JOB_NOT_FOUND", `no job named "${name}"; the config has: ${known}`);
}
