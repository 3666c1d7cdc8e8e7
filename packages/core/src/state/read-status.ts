import { homedir } from "node:os";
import type { ResolvedConfig } from "../config/types.js";
import { nextRunAfter, stableJitterMs } from "../cron/next-run.js";
import { readDaemonLock } from "./daemon-lock.js";
import { readHistory } from "./history.js";
import { type RunRecordSummary, readStateFile } from "./job-state.js";
import { newer, summarizeHistory } from "./run-summary.js";
import { resolveStateDir } from "./state-dir.js";

export interface JobStatusReport {
  readonly job: string;
  /** Undefined in the last good view of a config that no longer loads. */
  readonly schedule: string | undefined;
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
/** Where {@link readStatus} looks and when "now" is. */
export interface ReadStatusOptions {
  /** @default the config's `state_dir`, else the platform's state folder */
  readonly stateDir?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** The clock the next runs are counted from. @default () => new Date() */
  readonly now?: () => Date;
}

export async function readStatus(
  config: ResolvedConfig,
  options: ReadStatusOptions = {},
): Promise<StatusReport> {
  const env = options.env ?? process.env;
  const stateDir =
    options.stateDir ??
    resolveStateDir({ configured: config.stateDir, env, platform: process.platform, homedir: homedir() });
  const folder = await readStateFolder(stateDir);
  const now = (options.now ?? (() => new Date()))().getTime();
  const jobs = config.jobs.map((job) =>
    folder.report(job.name, {
      schedule: job.schedule,
      timezone: job.timezone,
      nextRunAt: new Date(
        nextRunAfter(job.schedule, now, { timezone: job.timezone }) + stableJitterMs(job.name, job.jitterMs),
      ),
    }),
  );
  return { stateDir, daemon: folder.daemon, jobs };
}

/**
 * `status` when the config file on disk cannot be loaded: the jobs as the daemon last wrote them
 * (state.json, from the last good config it still runs) and the history. Schedules are unknown.
 */
export async function readLastGoodStatus(stateDir: string): Promise<StatusReport> {
  const folder = await readStateFolder(stateDir);
  const jobs = folder.jobNames.map((name) =>
    folder.report(name, { schedule: undefined, timezone: undefined, nextRunAt: undefined }),
  );
  return { stateDir, daemon: folder.daemon, jobs };
}

type Schedule = Pick<JobStatusReport, "schedule" | "timezone" | "nextRunAt">;

async function readStateFolder(stateDir: string) {
  const [state, lock, history] = await Promise.all([
    readStateFile(stateDir),
    readDaemonLock(stateDir),
    readHistory(stateDir).catch(() => ({ records: [] })),
  ]);
  // Backups run by hand are in the history only; the newest of either source wins.
  const fromHistory = summarizeHistory(history.records);
  const daemon = lock?.alive ? lock : undefined;
  return {
    daemon: daemon && {
      pid: daemon.pid,
      startedAt: daemon.startedAt,
      ...(daemon.configFile ? { configFile: daemon.configFile } : {}),
    },
    jobNames: [...new Set([...Object.keys(state?.jobs ?? {}), ...fromHistory.keys()])],
    report(name: string, schedule: Schedule): JobStatusReport {
      const saved = state?.jobs && Object.hasOwn(state.jobs, name) ? state.jobs[name] : undefined;
      const seen = fromHistory.get(name);
      return {
        job: name,
        ...schedule,
        nextRunAt: (daemon && saved?.nextRun ? new Date(saved.nextRun) : undefined) ?? schedule.nextRunAt,
        running: daemon !== undefined && saved?.running !== undefined,
        lastAttempt: newest(saved?.lastAttempt, seen?.lastAttempt),
        lastSuccess: newest(completeSuccess(saved?.lastSuccess), seen?.lastSuccess),
        lastPartial: newest(saved?.lastPartial, seen?.lastPartial),
      };
    },
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
