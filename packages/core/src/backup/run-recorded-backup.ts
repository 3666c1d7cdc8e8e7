import { randomUUID } from "node:crypto";
import type { BackupJob } from "../config/types.js";
import type { RunRecordSummary } from "../state/job-state.js";
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
  const runId = options.runId ?? randomUUID();
  const { result, logPath } = await recordAttempt(
    job,
    {
      stateDir: options.stateDir,
      keepLogs: options.keepLogs ?? 30,
      runId,
      now: options.now ?? (() => new Date()),
      headline: "started by hand",
    },
    (log) => runBackup(job, { ...options, runId, log }),
  );
  return { ...result, logPath };
}

export interface RecordAttemptOptions {
  readonly stateDir: string;
  readonly keepLogs: number;
  readonly runId: string;
  readonly now: () => Date;
  /** Why the run started, written at the top of its log: `started by hand`, `attempt 2 (retry)`. */
  readonly headline: string;
}

/**
 * One attempt of a backup with its traces: the run's log file receives everything `attempt` logs, and
 * its outcome is appended to the history. Shared by the one-shot `backup` command and the daemon, so a
 * run reads the same in `status` and the logs however it was started.
 */
export async function recordAttempt(
  job: BackupJob,
  options: RecordAttemptOptions,
  attempt: (log: (line: string) => void) => Promise<BackupRunResult>,
): Promise<{
  readonly result: BackupRunResult;
  readonly summary: RunRecordSummary;
  readonly logPath: string | undefined;
}> {
  const { stateDir, runId, now } = options;
  const recorder = await startRunRecording(stateDir, job.name, runId, now(), options.keepLogs);
  recorder.log(`run ${runId} of ${job.name}: ${options.headline}`);
  const result = await attempt((line) => recorder.log(line));
  const summary = await recorder.finish(result, now());
  return { result, summary, logPath: recorder.logPath };
}
