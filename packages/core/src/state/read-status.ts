import { homedir } from "node:os";
import type { ResolvedConfig } from "../config/types.js";
import { nextRunAfter, stableJitterMs } from "../cron/next-run.js";
import { readDaemonLock } from "./daemon-lock.js";
import { readRunSummaries } from "./history-summary.js";
import { type RunRecordSummary, readStateFile } from "./job-state.js";
import { type JobRunSummary, newer } from "./run-summary.js";
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
  /** A run the daemon owes because the job's `when` did not hold: since when (ISO) and why. */
  readonly owed: { readonly since: string; readonly reason: string } | undefined;
  /** Each `copy_to` target: its last copy, how far behind it is, its last failure. */
  readonly copies: readonly CopyStatusReport[];
}

/** One `copy_to` target as the state folder records it. */
export interface CopyStatusReport {
  readonly target: string;
  /** ISO times, as in state.json. */
  readonly lastCopiedAt: string | undefined;
  readonly snapshotId: string | undefined;
  /** Snapshots of the job the target lacks, and since when; 0 and undefined when it has them all. */
  readonly behindSnapshots: number;
  readonly behindSince: string | undefined;
  readonly lastFailure: { readonly at: string; readonly code: string; readonly message: string } | undefined;
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
      targets: job.copyTo.map((target) => target.name),
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
    folder.report(name, {
      schedule: undefined,
      timezone: undefined,
      nextRunAt: undefined,
      targets: undefined,
    }),
  );
  return { stateDir, daemon: folder.daemon, jobs };
}

type Schedule = Pick<JobStatusReport, "schedule" | "timezone" | "nextRunAt"> & {
  /** The job's targets in the config; undefined when it no longer loads (those in state.json then). */
  readonly targets: readonly string[] | undefined;
};

async function readStateFolder(stateDir: string) {
  const [state, lock, fromHistory] = await Promise.all([
    readStateFile(stateDir),
    readDaemonLock(stateDir),
    // Backups run by hand are in the history only; the newest of either source wins.
    readRunSummaries(stateDir).catch(() => new Map<string, JobRunSummary>()),
  ]);
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
      const { targets, ...when } = schedule;
      const copies = saved?.copies ?? {};
      return {
        job: name,
        ...when,
        nextRunAt: (daemon && saved?.nextRun ? new Date(saved.nextRun) : undefined) ?? schedule.nextRunAt,
        running: daemon !== undefined && saved?.running !== undefined,
        lastAttempt: newest(saved?.lastAttempt, seen?.lastAttempt),
        lastSuccess: newest(completeSuccess(saved?.lastSuccess), seen?.lastSuccess),
        lastPartial: newest(saved?.lastPartial, seen?.lastPartial),
        owed: daemon && saved?.owed ? { ...saved.owed } : undefined,
        copies: (targets ?? Object.keys(copies)).map((target) => {
          const copy = Object.hasOwn(copies, target) ? copies[target] : undefined;
          return {
            target,
            lastCopiedAt: copy?.lastCopiedAt,
            snapshotId: copy?.snapshotId,
            behindSnapshots: copy?.behindSnapshots ?? 0,
            behindSince: copy?.behindSince,
            lastFailure: copy?.lastFailure,
          };
        }),
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
