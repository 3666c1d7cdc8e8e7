import { appendRunRecord, type RunHistoryRecord } from "../state/history.js";
import type { RunRecordSummary } from "../state/job-state.js";
import { createRunLog, pruneRunLogs } from "../state/run-log.js";
import type { BackupRunResult } from "./run-backup.js";

/** The files one run leaves in the state folder: its log, and a line in the history. */
export interface RunRecorder {
  /** The run's log file; undefined when it could not be created. */
  readonly logPath: string | undefined;
  log(line: string): void;
  /** Closes the log, prunes old logs and appends the run to the history. */
  finish(result: BackupRunResult, finishedAt: Date): Promise<RunRecordSummary>;
  /** Closes the log and prunes old logs, for work that is not a backup (a check, a drill). */
  close(): Promise<void>;
}

/**
 * Starts recording a run. Trouble with the state folder (a full disk, permissions) never fails the
 * backup itself: the log is then skipped and the history line lost, and the backup still runs.
 */
export async function startRunRecording(
  stateDir: string,
  job: string,
  runId: string,
  startedAt: Date,
  keepLogs: number,
): Promise<RunRecorder> {
  const runLog = await createRunLog(stateDir, job, runId, startedAt).catch(() => undefined);
  const closeLog = async () => {
    await runLog?.close().catch(() => {});
    await pruneRunLogs(stateDir, job, keepLogs).catch(() => {});
  };
  return {
    logPath: runLog?.path,
    log: (line) => runLog?.line(line),
    close: closeLog,
    async finish(result, finishedAt) {
      const summary = summarizeRun(result, finishedAt);
      const record: RunHistoryRecord = {
        job,
        ...summary,
        durationMs: result.durationMs,
        ...(result.stats ? { stats: { ...result.stats } } : {}),
        ...(result.databases?.length ? { databases: result.databases.map((made) => ({ ...made })) } : {}),
      };
      // Separate files, each fsynced: written side by side, the run's end waits for the slower one.
      await Promise.all([closeLog(), appendRunRecord(stateDir, record).catch(() => {})]);
      return summary;
    },
  };
}

function summarizeRun(result: BackupRunResult, finishedAt: Date): RunRecordSummary {
  const { retention } = result;
  return {
    runId: result.runId,
    startedAt: result.startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    status: result.status,
    ...(result.phase ? { phase: result.phase } : {}),
    ...(result.snapshotId ? { snapshotId: result.snapshotId } : {}),
    ...(result.unchanged ? { unchanged: true } : {}),
    ...(result.error ? { errorCode: result.error.code, errorMessage: result.error.message } : {}),
    ...(result.failedDatabases?.length
      ? { failedDatabases: result.failedDatabases.map((failed) => ({ ...failed })) }
      : {}),
    retention: {
      status: retention.status,
      ...(retention.reason ? { reason: retention.reason } : {}),
      ...(retention.kept !== undefined ? { kept: retention.kept } : {}),
      ...(retention.removed !== undefined ? { removed: retention.removed } : {}),
    },
  };
}
