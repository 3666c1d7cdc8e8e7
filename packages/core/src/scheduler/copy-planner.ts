import { randomUUID } from "node:crypto";
import type { BackupRunResult } from "../backup/run-backup.js";
import { startRunRecording } from "../backup/run-recorder.js";
import type { BackupJob, CopyTarget } from "../config/types.js";
import { asSimplebackupError } from "../errors.js";
import type { CopyDoneEvent, CopyFailedEvent, CopyLaggingEvent } from "../events.js";
import { formatHumanDuration } from "../format/duration.js";
import { plural } from "../format/units.js";
import { maskRepository } from "../restic/environment.js";
import type { CopyState, JobStateStore } from "../state/job-state.js";
import { CopyTimeline } from "./copy-timeline.js";
import type { RunQueue, StartedWork } from "./run-queue.js";

export interface CopyContext {
  readonly runId: string;
  /** Aborted when the scheduler stops: restic gets SIGINT and removes its locks. */
  readonly signal: AbortSignal;
  readonly log: (line: string) => void;
  readonly now: () => Date;
}

/** What a complete copy did. */
export interface CopyOutcome {
  readonly copied: number;
  readonly snapshotId: string | undefined;
  readonly initialized: boolean;
  readonly retention: { readonly kept: number; readonly removed: number } | undefined;
}

/** One copy of a job's snapshots to one target. The default runs restic; tests may replace it. */
export type RunCopy = (job: BackupJob, target: CopyTarget, context: CopyContext) => Promise<CopyOutcome>;

/** Whether a target answers now (cheap: a TCP connect, a stat), so a copy owed to it can start. */
export type ProbeTarget = (target: CopyTarget) => Promise<boolean>;

/** One target's copy as `status` shows it. */
export interface CopyStatus {
  readonly target: string;
  readonly repository: string;
  readonly lastCopiedAt: Date | undefined;
  readonly snapshotId: string | undefined;
  /** Snapshots of the job the target lacks, and since when; 0 and undefined when it has them all. */
  readonly behindSnapshots: number;
  readonly behindSince: Date | undefined;
  readonly running: boolean;
  readonly nextAttemptAt: Date | undefined;
  readonly lastFailure: CopyState["lastFailure"];
}

export interface CopyPlannerOptions {
  readonly stateDir: string;
  readonly keepLogs: () => number;
  readonly store: JobStateStore | undefined;
  readonly queue: RunQueue;
  readonly now: () => number;
  readonly emit: (event: CopyDoneEvent | CopyFailedEvent | CopyLaggingEvent) => void;
  readonly runCopy: RunCopy;
  readonly probe: ProbeTarget;
  /** Something changed when the planner is next due: the scheduler re-arms its timer. */
  readonly changed: () => void;
}

interface TargetEntry {
  readonly timeline: CopyTimeline;
  queued: boolean;
  running: AbortController | undefined;
  probing: boolean;
}

/**
 * The copies of every job to its `copy_to` targets (3-2-1): after a backup that made a snapshot, each
 * target gets every snapshot of the job it lacks; a failed copy is tried again (and sooner when a probe
 * finds the target back), never giving up; a copy lagging past the target's `alert_after` raises
 * `copy-lagging` once. A copy is repository work on both ends: the run queue holds both repositories.
 * A copy's failure is its own outcome and never the backup's.
 */
export class CopyPlanner {
  private readonly entries = new Map<string, TargetEntry>();
  private stopped = false;

  constructor(private readonly options: CopyPlannerOptions) {}

  /** The targets of the current config: new ones start (owed copies resume), removed ones go. */
  sync(jobs: readonly BackupJob[]): void {
    const seen = new Set<string>();
    for (const job of jobs) {
      for (const target of job.copyTo) {
        const key = keyOf(job.name, target.name);
        seen.add(key);
        const entry = this.entries.get(key);
        if (entry) {
          entry.timeline.job = job;
          entry.timeline.target = target;
          continue;
        }
        const jobState = this.options.store?.get(job.name);
        const state = jobState?.copies?.[target.name];
        const added: TargetEntry = {
          timeline: new CopyTimeline(job, target, state),
          queued: false,
          running: undefined,
          probing: false,
        };
        this.entries.set(key, added);
        // A snapshot the target may lack though no copy was owed: made by `simplebackup backup` while
        // no daemon ran, or before the target was added to the job.
        const made = jobState?.lastSuccess?.snapshotId
          ? Date.parse(jobState.lastSuccess.finishedAt)
          : undefined;
        if (
          !added.timeline.behind &&
          made !== undefined &&
          !(Date.parse(state?.lastCopiedAt ?? "") >= made)
        ) {
          added.timeline.snapshotMade(made);
          this.saveLag(added);
        }
        // A copy owed when the daemon stopped (or a target added to a job with snapshots) goes now.
        if (added.timeline.behind) this.enqueue(added);
      }
    }
    for (const key of this.entries.keys()) if (!seen.has(key)) this.entries.delete(key);
  }

  /** A backup ended: one that made a snapshot owes it to every target. */
  afterBackup(job: BackupJob, result: BackupRunResult): void {
    if (result.status !== "success" || this.stopped) return;
    const now = this.options.now();
    for (const target of job.copyTo) {
      const entry = this.entries.get(keyOf(job.name, target.name));
      if (!entry) continue;
      if (result.snapshotId !== undefined && !result.unchanged) {
        entry.timeline.snapshotMade(now);
        this.saveLag(entry);
      }
      if (entry.timeline.behind) this.enqueue(entry);
    }
  }

  /** Handles what is due now: lag alerts, retries, probes of targets that were down. */
  wake(now: number): void {
    if (this.stopped) return;
    for (const entry of this.entries.values()) {
      const { timeline } = entry;
      if (timeline.takeLagAlert(now)) this.raiseLagAlert(entry, now);
      if (timeline.takeDueRetry(now)) this.enqueue(entry);
      else if (timeline.takeDueProbe(now) && !entry.probing && !entry.queued && !entry.running)
        this.probe(entry);
    }
  }

  get wakeAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const { timeline } of this.entries.values()) next = Math.min(next, timeline.wakeAt);
    return next;
  }

  /** Interrupts running copies (restic removes its locks); owed copies resume at the next start. */
  stop(): void {
    this.stopped = true;
    for (const entry of this.entries.values()) entry.running?.abort();
  }

  status(job: string): CopyStatus[] {
    const state = this.options.store?.get(job)?.copies;
    return [...this.entries.values()]
      .filter((entry) => entry.timeline.job.name === job)
      .map(({ timeline, running }) => {
        const saved = state?.[timeline.target.name];
        return {
          target: timeline.target.name,
          repository: maskRepository(timeline.target.repository),
          lastCopiedAt: saved?.lastCopiedAt ? new Date(saved.lastCopiedAt) : undefined,
          snapshotId: saved?.snapshotId,
          behindSnapshots: timeline.behindSnapshots,
          behindSince: timeline.behindSince === undefined ? undefined : new Date(timeline.behindSince),
          running: running !== undefined,
          nextAttemptAt: timeline.retryAt === undefined ? undefined : new Date(timeline.retryAt),
          lastFailure: saved?.lastFailure,
        };
      });
  }

  private enqueue(entry: TargetEntry): void {
    if (entry.queued || entry.running || this.stopped) return;
    entry.queued = true;
    this.options.queue.push({
      task: "copy",
      job: () => entry.timeline.job,
      also: () => [entry.timeline.target.repository],
      start: () => this.start(entry),
    });
    this.options.queue.pump();
  }

  private start(entry: TargetEntry): StartedWork {
    entry.queued = false;
    const controller = new AbortController();
    entry.running = controller;
    const runId = randomUUID();
    return {
      runId,
      signal: controller.signal,
      run: () => this.copy(entry, runId, controller.signal),
      settle: () => {}, // its outcome is told by its own events
      release: () => {
        entry.running = undefined;
        this.options.changed();
      },
      onLockError: (error, durationMs) => this.copyFailed(entry, runId, error, durationMs),
    };
  }

  private async copy(entry: TargetEntry, runId: string, signal: AbortSignal): Promise<void> {
    const { job, target } = entry.timeline;
    const now = () => new Date(this.options.now());
    const startedAt = this.options.now();
    const recorder = await startRunRecording(
      this.options.stateDir,
      job.name,
      runId,
      now(),
      this.options.keepLogs(),
    );
    recorder.log(`copy ${runId} of ${job.name} to ${target.name} (${maskRepository(target.repository)})`);
    try {
      const outcome = await this.options.runCopy(job, target, {
        runId,
        signal,
        log: (line) => recorder.log(line),
        now,
      });
      recorder.log(`copy to ${target.name} done: ${outcome.copied} snapshot(s) copied`);
      this.copyDone(entry, runId, outcome, this.options.now() - startedAt);
    } catch (error) {
      const failure = asSimplebackupError(error);
      recorder.log(`copy to ${target.name} failed: [${failure.code}] ${failure.message}`);
      // Stopped: not a failure of the target; the copy is still owed and resumes at the next start.
      if (failure.code !== "INTERRUPTED")
        this.copyFailed(entry, runId, failure, this.options.now() - startedAt);
    } finally {
      await recorder.close();
    }
  }

  private copyDone(entry: TargetEntry, runId: string, outcome: CopyOutcome, durationMs: number): void {
    const { job, target } = entry.timeline;
    entry.timeline.copied();
    const at = new Date(this.options.now());
    this.save(entry, (current) => {
      const { lastFailure: _, lagAlertedAt: __, behindSince: ___, ...rest } = current ?? {};
      return {
        ...rest,
        lastCopiedAt: at.toISOString(),
        behindSnapshots: 0,
        ...(outcome.snapshotId ? { snapshotId: outcome.snapshotId } : {}),
      };
    });
    this.options.emit({
      type: "copy-done",
      job: job.name,
      runId,
      at,
      target: target.name,
      repository: maskRepository(target.repository),
      copied: outcome.copied,
      snapshotId: outcome.snapshotId,
      initialized: outcome.initialized,
      retention: outcome.retention,
      durationMs,
    });
  }

  private copyFailed(entry: TargetEntry, runId: string, error: unknown, durationMs: number): void {
    const { job, target } = entry.timeline;
    const failure = asSimplebackupError(error);
    const now = this.options.now();
    const nextAttemptAt = this.stopped ? undefined : entry.timeline.failed(now);
    const at = new Date(now);
    this.save(entry, (current) => ({
      ...current,
      lastFailure: { at: at.toISOString(), code: failure.code, message: failure.message },
    }));
    this.options.emit({
      type: "copy-failed",
      job: job.name,
      runId,
      at,
      target: target.name,
      repository: maskRepository(target.repository),
      code: failure.code,
      message: failure.message,
      durationMs,
      nextAttemptAt: nextAttemptAt === undefined ? undefined : new Date(nextAttemptAt),
    });
    this.options.changed();
  }

  private probe(entry: TargetEntry): void {
    entry.probing = true;
    void this.options
      .probe(entry.timeline.target)
      .catch(() => false)
      .then((answers) => {
        entry.probing = false;
        if (!answers || this.stopped) return;
        entry.timeline.retryNow();
        this.enqueue(entry);
        this.options.changed();
      });
  }

  private raiseLagAlert(entry: TargetEntry, now: number): void {
    const { job, target, behindSince } = entry.timeline;
    const since = behindSince ?? now;
    this.saveLag(entry);
    this.options.emit({
      type: "copy-lagging",
      job: job.name,
      runId: "",
      at: new Date(now),
      target: target.name,
      behindSnapshots: entry.timeline.behindSnapshots,
      behindSince: new Date(since),
      alertAfterMs: target.alertAfterMs ?? 0,
      message: `the copy to ${target.name} lacks ${plural(entry.timeline.behindSnapshots, "snapshot")} of the job, the oldest from ${formatHumanDuration(now - since)} ago`,
    });
  }

  private saveLag(entry: TargetEntry): void {
    const lag = entry.timeline.snapshotOfLag();
    this.save(entry, (current) => {
      const { behindSince: _, lagAlertedAt: __, ...rest } = current ?? {};
      return { ...rest, ...lag };
    });
  }

  private save(entry: TargetEntry, change: (current: CopyState | undefined) => CopyState): void {
    const { job, target } = entry.timeline;
    void this.options.store?.patch(job.name, new Date(this.options.now()), (current) => ({
      copies: { ...current?.copies, [target.name]: change(current?.copies?.[target.name]) },
    }));
  }
}

function keyOf(job: string, target: string): string {
  return `${job}\u0000${target}`;
}
