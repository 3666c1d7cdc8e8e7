import { randomUUID } from "node:crypto";
import type { BackupJob } from "../config/types.js";
import { type BackupRunResult, type RunBackupOptions, runBackup } from "./run-backup.js";
import { startRunRecording } from "./run-recorder.js";

export interface RunRecordedBackupOptions extends Omit<RunBackupOptions, "log"> {
  /** The state folder that keeps run logs and the history. */
  readonly stateDir: string;
  /** @default 30 */
  readonly keepLogs?: number;
}

/**
 * `runBackup` that leaves the same traces a daemon's run does: a log file and a history line, so
 * `status` and the daemon's catch-up see backups started by hand.
 */
export async function runRecordedBackup(
  job: BackupJob,
  options: RunRecordedBackupOptions,
): Promise<BackupRunResult & { readonly logPath: string | undefined }> {
  const now = options.now ?? (() => new Date());
  const runId = options.runId ?? randomUUID();
  const recorder = await startRunRecording(options.stateDir, job.name, runId, now(), options.keepLogs ?? 30);
  recorder.log(`run ${runId} of ${job.name}: started by hand`);
  const result = await runBackup(job, { ...options, runId, log: (line) => recorder.log(line) });
  await recorder.finish(result, now());
  return { ...result, logPath: recorder.logPath };
}
