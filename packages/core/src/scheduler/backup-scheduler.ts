import { randomUUID } from "node:crypto";
import { homedir } from "node:os";
import { EventEmitter } from "eventemitter3";
import { type BackupRunResult, runBackup } from "../backup/run-backup.js";
import { createConditionIO } from "../conditions/condition-io.js";
import { type ConditionIO, checkRunConditions } from "../conditions/run-conditions.js";
import type { BackupJob, ResolvedConfig } from "../config/types.js";
import { ConfigError, SimplebackupError } from "../errors.js";
import type { SchedulerEvent, SchedulerEvents } from "../events.js";
import { createResticProvider, type ResticProvider } from "../restic/restic-provider.js";
import type { DaemonLock } from "../state/daemon-lock.js";
import { openDaemonState } from "../state/daemon-state.js";
import type { JobStateStore } from "../state/job-state.js";
import { resolveStateDir } from "../state/state-dir.js";
import { type RunAttempt, type RunReason, runScheduledAttempt, type ScheduledRun } from "./attempt-runner.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { ConditionGate } from "./condition-gate.js";
import { ConfigWatcher, diffJobs } from "./config-watcher.js";
import { copyWithRestic, probeTargetWith } from "./copy-defaults.js";
import { CopyPlanner } from "./copy-planner.js";
import {
  configInvalidEvent,
  configReloadedEvent,
  recoveredEvent,
  retryPlanEvent,
  skippedEvent,
  staleEvent,
} from "./job-events.js";
import { type JobStatus, jobStatus } from "./job-status.js";
import { JobTimeline, lastSuccessTime, type MaintenanceTask, willRetry } from "./job-timeline.js";
import { maintainWithRestic } from "./maintenance.js";
import { MaintenancePlanner } from "./maintenance-planner.js";
import { type Deferred, deferred, withTimeout } from "./promises.js";
import { RunQueue, type StartedWork } from "./run-queue.js";
import type { BackupSchedulerOptions } from "./scheduler-options.js";

interface PendingRun extends ScheduledRun {
  readonly done: Deferred<BackupRunResult | undefined>;
}

/** One scheduled job: where it stands in time, and its run queued or running now. */
interface JobEntry {
  readonly timeline: JobTimeline;
  queued: PendingRun | undefined;
  running: (PendingRun & { readonly controller: AbortController }) | undefined;
}

/** Node's timers follow a clock that stops while the machine sleeps; waking often enough notices a jump. */
const MAX_TIMER_MS = 60_000;

/**
 * Runs backup jobs on their cron schedules. Failures are retried, slots missed while the machine slept
 * or the daemon was down run once, two jobs on one repository never run at once, and config edits
 * apply without a restart.
 *
 * The facade over the scheduler's parts: each job's JobTimeline decides what is due, the RunQueue runs
 * it one per repository, runScheduledAttempt and runScheduledMaintenance run and record one backup,
 * check or drill, the ConfigWatcher notices edits. This class holds the state, the timer and the events.
 */
export class BackupScheduler extends EventEmitter<SchedulerEvents> {
  private readonly clock: Clock;
  private readonly env: NodeJS.ProcessEnv;
  private readonly entries = new Map<string, JobEntry>();
  private readonly restic: ResticProvider;
  private readonly configFile: ConfigWatcher | undefined;
  private readonly gate: ConditionGate;
  private machine: ConditionIO | undefined;
  private currentConfig: ResolvedConfig | undefined;
  private resolvedStateDir: string | undefined;
  private store: JobStateStore | undefined;
  private lock: DaemonLock | undefined;
  private queue: RunQueue | undefined;
  private copies: CopyPlanner | undefined;
  private maintenance: MaintenancePlanner | undefined;
  private timer: TimerHandle | undefined;
  private started = false;
  private stopping = false;

  constructor(private readonly options: BackupSchedulerOptions) {
    super();
    if (!options.config && !options.configPath) {
      throw new SimplebackupError("CONFIG_NOT_FOUND", "BackupScheduler needs a config or a configPath");
    }
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    this.configFile = options.configPath ? new ConfigWatcher(options.configPath, this.clock) : undefined;
    this.gate = new ConditionGate({
      check: options.checkConditions ?? ((job) => checkRunConditions(job, this.conditionIO())),
      now: () => this.clock.now(),
      emit: (event) => this.emitEvent(event),
      looked: () => {
        this.queue?.pump();
        this.armTimer();
      },
      owedChanged: ({ job, owed }) => {
        void this.store?.update(job.name, (current) => {
          const { owed: _, ...rest } = current ?? { knownSince: this.nowDate().toISOString() };
          return owed
            ? { ...rest, owed: { since: new Date(owed.since).toISOString(), reason: owed.reason } }
            : rest;
        });
      },
    });
    // The config's restic_binary is read at each lookup: a reload before restic is found counts.
    this.restic = createResticProvider({
      configured: () => this.options.resticBinary ?? this.currentConfig?.resticBinary,
      env: this.env,
    });
  }

  /** Loads the config and state, takes the daemon lock, and arms the schedule. */
  async start(): Promise<void> {
    if (this.started) return;
    const config = this.options.config ?? (await (this.configFile as ConfigWatcher).read());
    await this.options.acceptConfig?.(config);
    const stateDir =
      this.options.stateDir ??
      resolveStateDir({
        configured: config.stateDir,
        env: this.env,
        platform: process.platform,
        homedir: homedir(),
      });
    this.resolvedStateDir = stateDir;
    ({ lock: this.lock, store: this.store } = await openDaemonState(stateDir, config, this.nowDate()));
    this.queue = new RunQueue({
      stateDir,
      clock: this.clock,
      limit: () => this.options.maxConcurrent ?? this.currentConfig?.maxConcurrent ?? 1,
      emit: (event) => this.emitEvent(event),
      ended: () => this.armTimer(),
    });
    this.started = true;
    this.stopping = false;
    this.currentConfig = config;
    this.maintenance = new MaintenancePlanner(this.queue, () => ({
      stateDir,
      keepLogs: this.currentConfig?.keepLogs ?? 30,
      store: this.store,
      now: () => this.nowDate(),
      emit: (event) => this.emitEvent(event),
      runMaintenance: this.options.runMaintenance ?? maintainWithRestic(this.restic, this.env),
    }));
    this.copies = new CopyPlanner({
      stateDir,
      keepLogs: () => this.currentConfig?.keepLogs ?? 30,
      store: this.store,
      queue: this.queue,
      now: () => this.clock.now(),
      emit: (event) => this.emitEvent(event),
      runCopy: this.options.runCopy ?? copyWithRestic(this.restic, this.env, stateDir),
      probe: this.options.probeTarget ?? probeTargetWith(this.conditionIO()),
      changed: () => this.armTimer(),
    });
    for (const job of config.jobs) this.addEntry(job, "start");
    this.copies.sync(config.jobs);
    for (const entry of this.entries.values()) {
      if (this.options.backupOnStart || entry.timeline.job.backupOnStart)
        this.admit(entry, "backup-on-start");
    }
    if (this.configFile && !this.options.config && this.options.watchConfig !== false) {
      this.configFile.watch(() => void this.reloadIfChanged());
    }
    this.wake();
  }

  /**
   * Stops scheduling, interrupts running backups (restic gets SIGINT and removes its lock), waits for
   * them up to `timeoutMs`, and records them as interrupted.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.configFile?.close();
    const queue = this.queue as RunQueue;
    queue.close();
    queue.remove(() => true);
    for (const entry of this.entries.values()) {
      entry.queued?.done.resolve(undefined);
      entry.queued = undefined;
      entry.running?.controller.abort();
    }
    this.maintenance?.stop();
    this.copies?.stop();
    await withTimeout(queue.settled(), options.timeoutMs ?? 30_000, this.clock);
    await this.store?.setDaemon(undefined);
    await this.store?.flush();
    await this.lock?.release();
    this.started = false;
  }

  /** Runs a job now (queued behind its repository); resolves with the result, or undefined if it never ran. */
  runNow(jobName: string): Promise<BackupRunResult | undefined> {
    const entry = this.entries.get(jobName);
    if (!entry) {
      return Promise.reject(new SimplebackupError("JOB_NOT_FOUND", `no job named "${jobName}"`));
    }
    const pending = entry.running ?? entry.queued ?? this.enqueue(entry, "manual");
    this.queue?.pump();
    return pending.done.promise;
  }

  /** Queues a check or drill of a job now; false when one is queued or running already. */
  maintainNow(jobName: string, task: MaintenanceTask): boolean {
    const entry = this.entries.get(jobName);
    if (!entry) throw new SimplebackupError("JOB_NOT_FOUND", `no job named "${jobName}"`);
    const queued = this.maintenance?.queueNow(entry.timeline, task) ?? false;
    this.queue?.pump();
    return queued;
  }

  /** Re-reads the config file (or takes a new config object). An invalid one keeps the current config. */
  async reload(config?: ResolvedConfig): Promise<boolean> {
    const file = this.configFile;
    if (!config && !file) {
      throw new SimplebackupError("CONFIG_NOT_FOUND", "reload() needs a config: this scheduler has no file");
    }
    let next: ResolvedConfig;
    try {
      next = config ?? (await (file as ConfigWatcher).read());
      await this.options.acceptConfig?.(next);
    } catch (error) {
      return this.rejectConfig(error);
    }
    this.applyConfig(next);
    return true;
  }

  /**
   * Stops a job's run: a queued one is dropped, a running one interrupted (restic gets SIGINT, removes
   * its lock, and the run is recorded as interrupted). False when the job had nothing queued or running.
   * Its next slot and a pending retry stay scheduled.
   */
  cancel(jobName: string): boolean {
    const entry = this.entries.get(jobName);
    if (!entry) throw new SimplebackupError("JOB_NOT_FOUND", `no job named "${jobName}"`);
    if (entry.running) {
      entry.running.controller.abort();
      return true;
    }
    if (!entry.queued) return false;
    this.queue?.remove((work) => work.task === "backup" && work.job().name === jobName);
    entry.queued.done.resolve(undefined);
    entry.queued = undefined;
    return true;
  }

  /** The config in use: the last valid one read. Undefined before start. */
  get config(): ResolvedConfig | undefined {
    return this.currentConfig;
  }

  /** Where run history, logs and the daemon lock live; known once started. */
  get stateDir(): string | undefined {
    return this.resolvedStateDir;
  }

  /** Resolves once no run is in flight and the state is on disk. */
  async whenIdle(): Promise<void> {
    await this.gate.settled();
    await this.queue?.settled();
    await this.store?.flush();
  }

  status(): JobStatus[] {
    return [...this.entries.values()].map(({ timeline, running, queued }) => {
      const state = this.store?.get(timeline.job.name);
      // A run already recorded has ended, though the queue lets go of it a moment later: its outcome
      // event comes in between, and a listener asking then must not be told it still runs.
      const runningId = running && state?.lastAttempt?.runId !== running.runId ? running.runId : undefined;
      return jobStatus(timeline, runningId, queued !== undefined, state, {
        copies: this.copies?.status(timeline.job.name) ?? [],
      });
    });
  }

  // --- the schedule -------------------------------------------------------------------------------

  private addEntry(job: BackupJob, opening: "start" | "reload"): void {
    const now = this.clock.now();
    const state = this.store?.get(job.name);
    const timeline = new JobTimeline(job, state, now, opening);
    const entry: JobEntry = { timeline, queued: undefined, running: undefined };
    this.entries.set(job.name, entry);
    if (!state) void this.store?.update(job.name, () => ({ knownSince: new Date(now).toISOString() }));
    this.announce(entry, timeline.nextSlotAt <= now ? "catch-up" : "schedule");
  }

  private announce(entry: JobEntry, reason: "schedule" | "catch-up"): void {
    const { timeline } = entry;
    const nextRunAt = new Date(timeline.dueAt);
    void this.store?.patch(timeline.job.name, this.nowDate(), { nextRun: nextRunAt.toISOString() });
    this.emitEvent({
      type: "scheduled",
      job: timeline.job.name,
      runId: timeline.nextRunId,
      at: this.nowDate(),
      nextRunAt,
      reason,
    });
  }

  /** Handles everything due now, then sleeps until the next thing is due. */
  private wake(): void {
    this.timer = undefined;
    if (this.stopping) return;
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      const { timeline } = entry;
      if (timeline.takeStaleAlert(now)) this.raiseStaleAlert(entry, now);
      const busy = () =>
        entry.running !== undefined || entry.queued !== undefined || this.gate.isLooking(timeline.job.name);
      if (timeline.takeDueRetry(now) && !busy()) this.admit(entry, "retry");
      if (timeline.takeDueConditionCheck(now) && !busy()) this.admit(entry, "owed");
      const slot = timeline.takeDueSlot(now, busy());
      if (!slot) continue;
      if (slot.verdict.action === "run") this.admit(entry, slot.verdict.reason, slot.runId);
      else this.emitEvent(skippedEvent(timeline.job, { ...slot, verdict: slot.verdict }, now));
      this.announce(entry, "schedule");
    }
    this.copies?.wake(now);
    // Checks and drills queue behind a backup due at the same time: they then see its snapshot.
    for (const entry of this.entries.values()) this.maintenance?.queueDue(entry.timeline, now);
    this.queue?.pump();
    this.armTimer();
  }

  private armTimer(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.stopping || this.entries.size === 0) return;
    const next = Math.min(
      this.copies?.wakeAt ?? Number.POSITIVE_INFINITY,
      ...[...this.entries.values()].map((entry) => entry.timeline.wakeAt),
    );
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimer(() => this.wake(), delay);
  }

  /** Raised once per stale spell, and remembered across restarts, so it is never repeated. */
  private raiseStaleAlert(entry: JobEntry, now: number): void {
    const { job } = entry.timeline;
    void this.store?.patch(job.name, new Date(now), { staleAlertedAt: new Date(now).toISOString() });
    this.emitEvent(staleEvent(job, lastSuccessTime(this.store?.get(job.name)), now));
  }

  // --- runs ---------------------------------------------------------------------------------------

  /** Queues a due run once the job's conditions hold (see ConditionGate); a manual run does not wait. */
  private admit(entry: JobEntry, reason: RunReason, runId: string = randomUUID()): void {
    this.gate.admit(entry.timeline, runId, reason === "owed", () => {
      if (this.stopping || this.entries.get(entry.timeline.job.name) !== entry) return;
      if (!entry.running && !entry.queued) this.enqueue(entry, reason, runId);
    });
  }

  private enqueue(entry: JobEntry, reason: RunReason, runId: string = randomUUID()): PendingRun {
    const { timeline } = entry;
    const pending: PendingRun = {
      runId,
      attempt: reason === "retry" ? timeline.failedAttempt + 1 : 1,
      reason,
      done: deferred(),
      retentionOf: reason === "retry" ? timeline.retentionOf : undefined,
    };
    entry.queued = pending;
    this.queue?.push({ task: "backup", job: () => timeline.job, start: () => this.startRun(entry) });
    return pending;
  }

  private startRun(entry: JobEntry): StartedWork {
    const pending = entry.queued as PendingRun;
    entry.queued = undefined;
    const controller = new AbortController();
    entry.running = { ...pending, controller };
    return {
      runId: pending.runId,
      signal: controller.signal,
      run: () => this.execute(entry, pending, controller.signal),
      settle: (outcome) =>
        outcome.status === "fulfilled"
          ? pending.done.resolve(outcome.value as BackupRunResult | undefined)
          : pending.done.reject(outcome.reason),
      release: () => {
        entry.running = undefined;
      },
    };
  }

  private async execute(
    entry: JobEntry,
    pending: PendingRun,
    signal: AbortSignal,
  ): Promise<BackupRunResult | undefined> {
    await this.reloadIfChanged();
    // The config is re-read before every run: a job removed meanwhile does not run, a changed one runs
    // as it now reads.
    const { timeline } = entry;
    if (this.entries.get(timeline.job.name) !== entry) return undefined;
    const { job } = timeline;
    const result = await runScheduledAttempt(job, pending, signal, {
      stateDir: this.resolvedStateDir as string,
      keepLogs: this.currentConfig?.keepLogs ?? 30,
      store: this.store,
      now: () => this.nowDate(),
      emit: (event) => this.emitEvent(event),
      runAttempt: this.options.runAttempt ?? ((j, context) => this.backupWithRestic(j, context)),
      // A retention that failed is retried too, alone: the retry runs forget, never a second backup.
      willRetry: (event) => !this.stopping && willRetry(job, event.attempt ?? pending.attempt, event.code),
    });
    this.copies?.afterBackup(job, result);
    if (result.status === "success") {
      const now = this.clock.now();
      const staleSince = timeline.succeeded(now);
      if (staleSince !== undefined) {
        this.emitEvent(recoveredEvent(job, result.runId, result.snapshotId, staleSince, now));
      }
    }
    this.planRetry(entry, pending, result);
    return result;
  }

  private backupWithRestic: RunAttempt = async (job, context) =>
    runBackup(job, { restic: await this.restic.get(), env: this.env, ...context });

  private planRetry(entry: JobEntry, pending: PendingRun, result: BackupRunResult): void {
    if (result.status !== "failed" || !result.error || this.stopping) return;
    if (this.entries.get(result.job) !== entry) return; // removed or replaced by a reload
    const now = this.clock.now();
    const plan = entry.timeline.planRetry(now, pending.attempt, result, pending.retentionOf);
    const error = result.error;
    const event = retryPlanEvent(entry.timeline.job, { ...result, error }, pending.attempt, plan, now);
    if (event) this.emitEvent(event);
  }

  // --- config changes -----------------------------------------------------------------------------

  private async reloadIfChanged(): Promise<void> {
    if (!this.configFile || this.options.config) return;
    if (await this.configFile.changed()) await this.reload();
  }

  private applyConfig(config: ResolvedConfig): void {
    const now = this.clock.now();
    const current = new Map([...this.entries].map(([name, entry]) => [name, entry.timeline.job]));
    const diff = diffJobs(current, config.jobs);
    for (const name of diff.removed) this.dropEntry(this.entries.get(name) as JobEntry);
    const added = new Set(diff.added);
    const changed = new Set(diff.changed);
    for (const job of config.jobs) {
      if (added.has(job)) {
        if (this.started) this.addEntry(job, "reload");
      } else if (changed.has(job)) {
        const entry = this.entries.get(job.name) as JobEntry;
        const { rescheduled } = entry.timeline.update(job, now, lastSuccessTime(this.store?.get(job.name)));
        if (rescheduled) this.announce(entry, "schedule");
      }
    }
    this.currentConfig = config;
    this.copies?.sync(config.jobs);
    this.emitEvent(configReloadedEvent(config, diff, now));
    this.queue?.pump();
    this.armTimer();
  }

  private dropEntry(entry: JobEntry): void {
    const { name } = entry.timeline.job;
    this.entries.delete(name);
    this.queue?.remove((work) => work.job().name === name);
    entry.queued?.done.resolve(undefined);
    entry.queued = undefined;
    entry.timeline.retryAt = undefined;
  }

  // --- helpers ------------------------------------------------------------------------------------

  /** A config that cannot be used: told as config-invalid, and the current one stays. */
  private rejectConfig(error: unknown): false {
    if (!(error instanceof ConfigError)) throw error;
    this.emitEvent(configInvalidEvent(error, this.clock.now()));
    return false;
  }

  private emitEvent(event: SchedulerEvent): void {
    // A listener that throws must not break scheduling or a running backup.
    try {
      (this.emit as (type: string, event: SchedulerEvent) => boolean)(event.type, event);
    } catch {}
  }

  /** The machine as the run conditions and copy probes see it; made on first use and kept (it caches). */
  private conditionIO(): ConditionIO {
    this.machine ??= createConditionIO({
      env: this.env,
      warn: (message) => this.options.onWarning?.(message),
    });
    return this.machine;
  }

  private nowDate(): Date {
    return new Date(this.clock.now());
  }
}
