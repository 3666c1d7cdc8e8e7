import { homedir } from "node:os";
import type { ResolvedConfig } from "../config/types.js";
import { readDaemonLock } from "../state/daemon-lock.js";
import { readHistory } from "../state/history.js";
import { type RunRecordSummary, readStateFile } from "../state/job-state.js";
import { newer, summarizeHistory } from "../state/run-recorder.js";
import { resolveStateDir } from "../state/state-dir.js";
import { nextRunAfter, stableJitterMs } from "./next-run.js";

export interface JobStatusReport {
  readonly job: string;
  readonly schedule: string;
  readonly timezone: string | undefined;
  /** From the running daemon when there is one, else computed from the schedule. */
  readonly nextRunAt: Date | undefined;
  readonly running: boolean;
  readonly lastAttempt: RunRecordSummary | undefined;
  /** The last complete success: a partial run, or one whose retention failed, is not one. */
  readonly lastSuccess: RunRecordSummary | undefined;
  /** The last partial run (a snapshot saved without some of the job's data). */
  readonly lastPartial: RunRecordSummary | undefined;
}

export interface StatusReport {
  readonly stateDir: string;
  readonly daemon:
    | { readonly pid: number; readonly startedAt: string; readonly configFile?: string }
    | undefined;
  readonly jobs: readonly JobStatusReport[];
}

/**
 * What `simplebackup status` shows, read from the state folder: safe to call from another process
 * while the daemon runs, since the daemon replaces its state file atomically.
 */
export async function readStatus(
  config: ResolvedConfig,
  options: { stateDir?: string; env?: NodeJS.ProcessEnv; now?: number } = {},
): Promise<StatusReport> {
  const env = options.env ?? process.env;
  const stateDir =
    options.stateDir ??
    resolveStateDir({ configured: config.stateDir, env, platform: process.platform, homedir: homedir() });
  const [state, lock, history] = await Promise.all([
    readStateFile(stateDir),
    readDaemonLock(stateDir),
    readHistory(stateDir).catch(() => ({ records: [] })),
  ]);
  // Backups run by hand are in the history only; the newest of either source wins.
  const fromHistory = summarizeHistory(history.records);
  const daemon = lock?.alive ? lock : undefined;
  const now = options.now ?? Date.now();
  const jobs = config.jobs.map((job): JobStatusReport => {
    const saved = state?.jobs[job.name];
    const fromDaemon = daemon && saved?.nextRun ? new Date(saved.nextRun) : undefined;
    const running = daemon !== undefined && saved?.running !== undefined;
    return {
      job: job.name,
      schedule: job.schedule,
      timezone: job.timezone,
      nextRunAt:
        fromDaemon ??
        new Date(
          nextRunAfter(job.schedule, now, { timezone: job.timezone }) +
            stableJitterMs(job.name, job.jitterMs),
        ),
      running,
      lastAttempt: newest(saved?.lastAttempt, fromHistory.get(job.name)?.lastAttempt),
      lastSuccess: newest(completeSuccess(saved?.lastSuccess), fromHistory.get(job.name)?.lastSuccess),
      lastPartial: newest(saved?.lastPartial, fromHistory.get(job.name)?.lastPartial),
    };
  });
  return {
    stateDir,
    daemon: daemon && {
      pid: daemon.pid,
      startedAt: daemon.startedAt,
      ...(daemon.configFile ? { configFile: daemon.configFile } : {}),
    },
    jobs,
  };
}

/** A state.json written before partial runs had their own line held them as lastSuccess. */
function completeSuccess(run: RunRecordSummary | undefined): RunRecordSummary | undefined {
  return run?.status === "success" ? run : undefined;
}

function newest(
  a: RunRecordSummary | undefined,
  b: RunRecordSummary | undefined,
): RunRecordSummary | undefined {
  if (!a) return b;
  return b && newer(b, a) ? b : a;
}
