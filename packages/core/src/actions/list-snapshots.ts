import type { BackupJob } from "../config/types.js";
import { ResticError } from "../errors.js";
import { backendUnreachableFailure } from "../restic/backend-watchdog.js";
import { classifyFailure, stderrTail } from "../restic/classify.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { buildResticEnvironment } from "../restic/environment.js";
import type { Restic } from "../restic/restic.js";

export interface ListSnapshotsOptions {
  readonly restic: Restic;
  readonly env?: NodeJS.ProcessEnv;
}

/** The job's own snapshots (by its tag), newest first. */
export async function listSnapshots(job: BackupJob, options: ListSnapshotsOptions): Promise<SnapshotInfo[]> {
  const args = buildSnapshotsArgs(job.name);
  const env = buildResticEnvironment(job, options.env ?? process.env, 1);
  const result = await options.restic.run(args, { env });
  if (result.exitCode !== 0 || result.backendUnreachable) {
    // restic 0.17+ would retry a server that is down for 15 minutes; the watchdog stopped it.
    const { code, message } = result.backendUnreachable
      ? backendUnreachableFailure(result.backendUnreachable)
      : classifyFailure({ exitCode: result.exitCode, stderr: result.stderr });
    throw new ResticError(code, message, {
      command: args,
      exitCode: result.exitCode,
      stderrTail: stderrTail(result.stderr),
    });
  }
  return parseSnapshots(result.stdout).sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
}
