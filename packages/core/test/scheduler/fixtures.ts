import type { BackupRunResult, BackupRunStatus } from "../../src/backup/run-backup.js";
import type { BackupJob, ResolvedConfig } from "../../src/config/types.js";
import { SimplebackupError, type SimplebackupErrorCode } from "../../src/errors.js";
import type { BackupStats } from "../../src/events.js";
import type { AttemptContext, RunAttempt } from "../../src/scheduler/attempt-runner.js";
import type { ManualClock } from "../../src/scheduler/clock.js";
import { makeJob as makeSharedJob } from "../helpers/job.js";

/** A job named `name`; the scheduler tests pass the name first. */
export function makeJob(name: string, overrides: Partial<BackupJob> = {}): BackupJob {
  return makeSharedJob({ name, ...overrides });
}

export function makeConfig(jobs: BackupJob[], overrides: Partial<ResolvedConfig> = {}): ResolvedConfig {
  return {
    file: undefined,
    resticBinary: undefined,
    stateDir: undefined,
    maxConcurrent: 1,
    keepLogs: 5,
    baseDir: "/",
    notifications: [],
    metricsFile: undefined,
    skipIfUnchanged: false,
    jobs,
    ...overrides,
  };
}

export interface AttemptCall {
  readonly job: string;
  readonly runId: string;
  readonly startedAt: number;
  finishedAt?: number;
  readonly context: AttemptContext;
}

/** `phase: "retention"`: the backup made snapshot abcd1234, then forget failed with `code`. */
type Outcome = BackupRunStatus | { code: SimplebackupErrorCode; phase?: "retention" } | "hold";

/**
 * A stand-in for restic: records each attempt and answers with the outcome queued for its job
 * (success when none is queued). "hold" keeps the run going until `release` or an abort.
 */
export function createFakeAttempts() {
  const calls: AttemptCall[] = [];
  const outcomes = new Map<string, Outcome[]>();
  const held = new Map<string, () => void>();

  const runAttempt: RunAttempt = async (job, context) => {
    const startedAt = context.now();
    const call: AttemptCall = {
      job: job.name,
      runId: context.runId,
      startedAt: startedAt.getTime(),
      context,
    };
    calls.push(call);
    context.emit({
      type: "start",
      job: job.name,
      runId: context.runId,
      at: startedAt,
      sources: job.sources,
      repository: job.repository,
    });
    let outcome = outcomes.get(job.name)?.shift() ?? "success";
    if (outcome === "hold") {
      const aborted = await new Promise<boolean>((resolve) => {
        if (context.signal.aborted) return resolve(true);
        held.set(job.name, () => resolve(false));
        context.signal.addEventListener("abort", () => resolve(true), { once: true });
      });
      held.delete(job.name);
      outcome = aborted ? { code: "INTERRUPTED" } : "success";
    }
    call.finishedAt = context.now().getTime();
    return result(job, context.runId, startedAt, context.now(), outcome);
  };

  return {
    calls,
    runAttempt,
    /** Queues outcomes for the next attempts of a job. */
    will(job: string, ...next: Outcome[]) {
      outcomes.set(job, [...(outcomes.get(job) ?? []), ...next]);
    },
    release(job: string) {
      const release = held.get(job);
      if (!release) throw new Error(`no held run of ${job}`);
      release();
    },
    isHeld: (job: string) => held.has(job),
    runsOf: (job: string) => calls.filter((call) => call.job === job),
  };
}

export const FAKE_STATS: BackupStats = {
  filesNew: 1,
  filesChanged: 0,
  filesUnmodified: 0,
  dirsNew: 1,
  dirsChanged: 0,
  dirsUnmodified: 0,
  dataAdded: 10,
  totalFilesProcessed: 1,
  totalBytesProcessed: 10,
  resticSeconds: 0.1,
};

function result(
  job: BackupJob,
  runId: string,
  startedAt: Date,
  finishedAt: Date,
  outcome: Exclude<Outcome, "hold">,
): BackupRunResult {
  const error =
    typeof outcome === "object"
      ? new SimplebackupError(outcome.code, `fake failure ${outcome.code}`)
      : undefined;
  const status: BackupRunStatus =
    typeof outcome === "object" ? (outcome.code === "INTERRUPTED" ? "interrupted" : "failed") : outcome;
  const retention = typeof outcome === "object" && outcome.phase === "retention";
  return {
    job: job.name,
    runId,
    status,
    snapshotId: error && !retention ? undefined : "abcd1234",
    stats: retention ? FAKE_STATS : undefined,
    error,
    ...(retention ? { phase: "retention" as const } : {}),
    repositoryInitialized: false,
    retention: { status: "skipped" },
    unreadable: [],
    missingSources: [],
    startedAt,
    durationMs: finishedAt.getTime() - startedAt.getTime(),
  };
}

/**
 * Moves a manual clock forward timer by timer, letting every run that starts finish (its state is
 * written to real files) before time moves on.
 */
export async function advanceScheduler(
  clock: ManualClock,
  scheduler: { whenIdle(): Promise<void> },
  ms: number,
): Promise<void> {
  const target = clock.now() + ms;
  for (let next = clock.nextTimerAt(); next !== undefined && next <= target; next = clock.nextTimerAt()) {
    await clock.advance(next - clock.now());
    await scheduler.whenIdle();
  }
  await clock.advance(target - clock.now());
  await scheduler.whenIdle();
}
