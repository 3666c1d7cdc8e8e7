import { randomUUID } from "node:crypto";
import { type FSWatcher, watch } from "node:fs";
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname } from "node:path";
import { EventEmitter } from "eventemitter3";
import { runCheck } from "../actions/check.js";
import { runDrill } from "../actions/drill.js";
import { crashedRun } from "../backup/crashed-run.js";
import { type BackupRunResult, type RunBackupOptions, runBackup } from "../backup/run-backup.js";
import { startRunRecording } from "../backup/run-recorder.js";
import { loadConfigFile } from "../config/load.js";
import type { BackupJob, ResolvedConfig } from "../config/types.js";
import { nextRunAfter, previousRunAtOrBefore, stableJitterMs } from "../cron/next-run.js";
import { ConfigError, SimplebackupError } from "../errors.js";
import type { BackupEvent, BackupFailureEvent, SchedulerEvent, SchedulerEvents } from "../events.js";
import { formatLocalTime } from "../local-time.js";
import { nextCheckSubset } from "../restic/action-args.js";
import { createResticProvider, type ResticProvider } from "../restic/restic-provider.js";
import { acquireDaemonLock, type DaemonLock } from "../state/daemon-lock.js";
import { readHistory } from "../state/history.js";
import { JobStateStore, type RunRecordSummary } from "../state/job-state.js";
import { foldRun, summarizeHistory } from "../state/run-summary.js";
import { resolveStateDir } from "../state/state-dir.js";
import { type Clock, systemClock, type TimerHandle } from "./clock.js";
import { RepositoryTurns } from "./repository-turns.js";
import { isRetryable, retryDelayMs } from "./retry-policy.js";

/** Scheduled work on a job's repository besides backups. */
export type MaintenanceTask = "check" | "drill";

export interface MaintenanceContext extends AttemptContext {
  /** For checks: the group of data packs to read this time (`n/t`), rotating over the runs. */
  readonly readDataSubset: string | undefined;
}

/** `ok: false` is a failure (errors found, files mismatched); a thrown SimplebackupError is one too. */
export interface MaintenanceOutcome {
  readonly ok: boolean;
  readonly message: string;
}

/** One check or drill. The default runs restic; tests may replace it. */
export type RunMaintenance = (
  task: MaintenanceTask,
  job: BackupJob,
  context: MaintenanceContext,
) => Promise<MaintenanceOutcome>;

/** One attempt of one job. The default runs restic; tests and embedders may replace it. */
export type RunAttempt = (job: BackupJob, context: AttemptContext) => Promise<BackupRunResult>;

export interface AttemptContext {
  readonly runId: string;
  /** Aborted when the scheduler stops: restic gets SIGINT and removes its lock. */
  readonly signal: AbortSignal;
  readonly emit: (event: BackupEvent) => void;
  readonly log: (line: string) => void;
  readonly now: () => Date;
  /** A retry of a run whose backup made this snapshot and whose retention failed: forget only. */
  readonly retentionOf?: RunBackupOptions["retentionOf"];
}

export interface BackupSchedulerOptions {
  /** A resolved config (from `resolveConfig`), when not reading a file. */
  readonly config?: ResolvedConfig;
  /** A config file: read at start, watched, and re-checked before every run. */
  readonly configPath?: string;
  /** Where run history, logs and the daemon lock live. @default state_dir, $SIMPLEBACKUP_STATE_DIR, or the platform's state folder */
  readonly stateDir?: string;
  /** @default the system clock */
  readonly clock?: Clock;
  /** @default restic_binary from the config, $RESTIC_BINARY, or restic on PATH */
  readonly resticBinary?: string;
  /** Jobs on different repositories that may run at once. @default max_concurrent from the config, else 1 */
  readonly maxConcurrent?: number;
  /** Run every job once at start. */
  readonly backupOnStart?: boolean;
  /** Watch the config file for changes. @default true with configPath */
  readonly watchConfig?: boolean;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly runAttempt?: RunAttempt;
  readonly runMaintenance?: RunMaintenance;
}

export interface JobStatus {
  readonly job: string;
  readonly schedule: string;
  readonly timezone: string | undefined;
  readonly nextRunAt: Date | undefined;
  readonly running: boolean;
  readonly runningRunId: string | undefined;
  readonly queued: boolean;
  readonly retry: { readonly attempt: number; readonly at: Date } | undefined;
  readonly lastAttempt: RunRecordSummary | undefined;
  readonly lastSuccess: RunRecordSummary | undefined;
}

type RunReason = "schedule" | "catch-up" | "backup-on-start" | "manual" | "retry";

interface PendingRun {
  readonly runId: string;
  readonly attempt: number;
  readonly reason: RunReason;
  readonly done: Deferred<BackupRunResult | undefined>;
  readonly retentionOf: RunBackupOptions["retentionOf"];
}

interface JobEntry {
  job: BackupJob;
  /** The next cron slot not yet handled; the run starts at this plus the job's jitter. */
  nextSlotAt: number;
  nextRunId: string;
  retryAt: number | undefined;
  /** The attempt that failed last in the current cycle of retries. */
  failedAttempt: number;
  /** Set while the retry pending is of a retention that failed after its backup made a snapshot. */
  retentionOf: RunBackupOptions["retentionOf"];
  queued: PendingRun | undefined;
  running: (PendingRun & { controller: AbortController }) | undefined;
  /** When to raise the staleness alert (alert_after past the last success); undefined when off or raised. */
  staleAt: number | undefined;
  /** When the standing staleness alert was raised. */
  staleSince: number | undefined;
  /** The next scheduled check and drill; undefined when the job has none. */
  nextMaintenanceAt: Record<MaintenanceTask, number | undefined>;
  /** Checks and drills queued or running, so a slow one is not started twice. */
  maintenanceBusy: Set<MaintenanceTask>;
}

type Task = "backup" | MaintenanceTask;

interface QueueItem {
  readonly entry: JobEntry;
  readonly task: Task;
}

const RUN_KEYS = ["lastAttempt", "lastSuccess", "lastPartial"] as const;

/** Node's timers follow a clock that stops while the machine sleeps; waking often enough notices a jump. */
const MAX_TIMER_MS = 60_000;
/** A slot this late counts as missed (the machine slept, or the daemon was down). */
const LATE_AFTER_MS = 60_000;
const CONFIG_DEBOUNCE_MS = 250;

/**
 * Runs backup jobs on their cron schedules. Failures are retried, slots missed while the machine slept
 * or the daemon was down run once, two jobs on one repository never run at once, and config edits
 * apply without a restart.
 */
export class BackupScheduler extends EventEmitter<SchedulerEvents> {
  private readonly clock: Clock;
  private readonly env: NodeJS.ProcessEnv;
  private readonly entries = new Map<string, JobEntry>();
  private readonly queue: QueueItem[] = [];
  private readonly maintenanceControllers = new Set<AbortController>();
  private readonly busyRepositories = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private config: ResolvedConfig | undefined;
  private configStamp: string | undefined;
  private stateDir: string | undefined;
  private store: JobStateStore | undefined;
  private lock: DaemonLock | undefined;
  private turns: RepositoryTurns | undefined;
  private timer: TimerHandle | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: TimerHandle | undefined;
  private readonly restic: ResticProvider;
  private started = false;
  private stopping = false;

  constructor(private readonly options: BackupSchedulerOptions) {
    super();
    if (!options.config && !options.configPath) {
      throw new SimplebackupError("CONFIG_NOT_FOUND", "BackupScheduler needs a config or a configPath");
    }
    this.clock = options.clock ?? systemClock;
    this.env = options.env ?? process.env;
    // The config's restic_binary is read at each lookup: a reload before restic is found counts.
    this.restic = createResticProvider({
      configured: () => this.options.resticBinary ?? this.config?.resticBinary,
      env: this.env,
    });
  }

  /** Loads the config and state, takes the daemon lock, and arms the schedule. */
  async start(): Promise<void> {
    if (this.started) return;
    const config = this.options.config ?? (await this.readConfigFile());
    this.stateDir =
      this.options.stateDir ??
      resolveStateDir({
        configured: config.stateDir,
        env: this.env,
        platform: process.platform,
        homedir: homedir(),
      });
    this.lock = await acquireDaemonLock(this.stateDir, { configFile: config.file });
    this.turns = new RepositoryTurns({
      stateDir: this.stateDir,
      clock: this.clock,
      slotFree: () => this.slotFree(),
      slotReleased: () => this.pump(),
      emit: (event) => this.emitEvent(event),
    });
    try {
      const { store } = await JobStateStore.open(this.stateDir);
      this.store = store;
      await this.foldInOneShotRuns(config);
      await store.setDaemon({
        pid: process.pid,
        startedAt: this.nowDate().toISOString(),
        ...(config.file ? { configFile: config.file } : {}),
      });
    } catch (error) {
      await this.lock.release();
      throw error;
    }
    this.started = true;
    this.stopping = false;
    this.config = config;
    for (const job of config.jobs) this.addEntry(job, "start");
    if (this.options.backupOnStart || config.jobs.some((job) => job.backupOnStart)) {
      for (const entry of this.entries.values()) {
        if (this.options.backupOnStart || entry.job.backupOnStart) this.enqueue(entry, "backup-on-start");
      }
    }
    this.watchConfigFile();
    this.wake();
  }

  /**
   * Stops scheduling, interrupts running backups (restic gets SIGINT and removes its lock), waits for
   * them up to `timeoutMs`, and records them as interrupted.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    this.clearTimers();
    this.watcher?.close();
    this.watcher = undefined;
    for (const { entry } of this.queue.splice(0)) {
      entry.queued?.done.resolve(undefined);
      entry.queued = undefined;
      entry.maintenanceBusy.clear();
    }
    for (const entry of this.entries.values()) entry.running?.controller.abort();
    for (const controller of this.maintenanceControllers) controller.abort();
    await withTimeout(Promise.allSettled([...this.inFlight]), options.timeoutMs ?? 30_000, this.clock);
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
    this.pump();
    return pending.done.promise;
  }

  /** Re-reads the config file (or takes a new config object). An invalid one keeps the current config. */
  async reload(config?: ResolvedConfig): Promise<boolean> {
    let next = config;
    if (!next) {
      try {
        next = await this.readConfigFile();
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        this.emitEvent({
          type: "config-invalid",
          ...this.globalContext(),
          file: error.file,
          problems: error.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)),
        });
        return false;
      }
    }
    this.applyConfig(next);
    return true;
  }

  /** Resolves once no run is in flight and the state is on disk. */
  async whenIdle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.store?.flush();
  }

  status(): JobStatus[] {
    return [...this.entries.values()].map((entry) => {
      const state = this.store?.get(entry.job.name);
      return {
        job: entry.job.name,
        schedule: entry.job.schedule,
        timezone: entry.job.timezone,
        nextRunAt: new Date(this.dueAt(entry)),
        running: entry.running !== undefined,
        runningRunId: entry.running?.runId,
        queued: entry.queued !== undefined,
        retry:
          entry.retryAt === undefined
            ? undefined
            : { attempt: entry.failedAttempt + 1, at: new Date(entry.retryAt) },
        lastAttempt: state?.lastAttempt,
        lastSuccess: state?.lastSuccess,
      };
    });
  }

  /**
   * `simplebackup backup` run while no daemon was up writes only the history; a success there counts
   * for catch-up too, so a manual backup is not repeated at the next start.
   */
  private async foldInOneShotRuns(config: ResolvedConfig): Promise<void> {
    const store = this.store as JobStateStore;
    const { records } = await readHistory(this.stateDir as string).catch(() => ({ records: [] }));
    const runs = summarizeHistory(records);
    for (const job of config.jobs) {
      const state = store.get(job.name);
      const seen = runs.get(job.name);
      if (!state || !seen) continue;
      const runsSeen = [seen.lastAttempt, seen.lastSuccess, seen.lastPartial].filter((r) => r !== undefined);
      const next = runsSeen.reduce((job, run) => foldRun(job, run), state);
      if (RUN_KEYS.every((key) => next[key] === state[key])) continue;
      await store.update(job.name, (current) =>
        runsSeen.reduce((j, run) => foldRun(j, run), current ?? state),
      );
    }
  }

  // --- scheduling -------------------------------------------------------------------------------

  private addEntry(job: BackupJob, when: "start" | "reload"): void {
    const now = this.clock.now();
    const state = this.store?.get(job.name);
    let slot = nextRunAfter(job.schedule, now, { timezone: job.timezone });
    if (when === "start" && state && job.catchUp) {
      // A slot that passed while the daemon was down, after the job was known and after its last
      // success, runs once now; any number of missed slots make one run.
      const missed = previousRunAtOrBefore(job.schedule, now, { timezone: job.timezone });
      const knownSince = Date.parse(state.knownSince);
      const lastSuccess = state.lastSuccess
        ? Date.parse(state.lastSuccess.startedAt)
        : Number.NEGATIVE_INFINITY;
      if (missed !== undefined && missed > knownSince && missed > lastSuccess) slot = missed;
    }
    const entry: JobEntry = {
      job,
      nextSlotAt: slot,
      nextRunId: randomUUID(),
      retryAt: undefined,
      failedAttempt: 0,
      retentionOf: undefined,
      queued: undefined,
      running: undefined,
      staleAt: undefined,
      staleSince: state?.staleAlertedAt ? Date.parse(state.staleAlertedAt) : undefined,
      nextMaintenanceAt: { check: undefined, drill: undefined },
      maintenanceBusy: new Set(),
    };
    planMaintenance(entry, now);
    this.planStaleAlert(entry, lastSuccessTime(state) ?? (state ? Date.parse(state.knownSince) : now));
    this.entries.set(job.name, entry);
    if (!state) void this.store?.update(job.name, () => ({ knownSince: new Date(now).toISOString() }));
    this.announce(entry, slot <= now ? "catch-up" : "schedule");
  }

  private announce(entry: JobEntry, reason: "schedule" | "catch-up"): void {
    const nextRunAt = new Date(this.dueAt(entry));
    void this.store?.update(entry.job.name, (current) => ({
      knownSince: current?.knownSince ?? this.nowDate().toISOString(),
      ...current,
      nextRun: nextRunAt.toISOString(),
    }));
    this.emitEvent({
      type: "scheduled",
      job: entry.job.name,
      runId: entry.nextRunId,
      at: this.nowDate(),
      nextRunAt,
      reason,
    });
  }

  private dueAt(entry: JobEntry): number {
    return entry.nextSlotAt + stableJitterMs(entry.job.name, entry.job.jitterMs);
  }

  /** Handles everything due now, then sleeps until the next thing is due. */
  private wake(): void {
    this.timer = undefined;
    if (this.stopping) return;
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      if (entry.staleAt !== undefined && entry.staleAt <= now) this.raiseStaleAlert(entry);
      if (entry.retryAt !== undefined && entry.retryAt <= now) {
        entry.retryAt = undefined;
        if (!entry.running && !entry.queued) this.enqueue(entry, "retry");
      }
      const due = this.dueAt(entry);
      if (due > now) continue;
      const late = now - due > LATE_AFTER_MS;
      const runId = entry.nextRunId;
      entry.nextSlotAt = nextRunAfter(entry.job.schedule, now, { timezone: entry.job.timezone });
      entry.nextRunId = randomUUID();
      if (entry.running || entry.queued) {
        this.emitEvent({
          type: "skipped",
          job: entry.job.name,
          runId,
          at: this.nowDate(),
          reason: "already-running",
          message: "the previous run is still going; this slot is not started twice",
        });
      } else if (late && !entry.job.catchUp) {
        this.emitEvent({
          type: "skipped",
          job: entry.job.name,
          runId,
          at: this.nowDate(),
          reason: "missed-slot",
          message: `the slot at ${formatLocalTime(due)} passed while not running, and catch_up is off`,
        });
      } else {
        // A new slot starts a new cycle: a retry still pending for the old one is dropped.
        entry.retryAt = undefined;
        entry.failedAttempt = 0;
        entry.retentionOf = undefined; // the new slot's backup applies retention itself
        this.enqueue(entry, late ? "catch-up" : "schedule", runId);
      }
      this.announce(entry, "schedule");
    }
    // Checks and drills queue behind a backup due at the same time: they then see its snapshot.
    for (const entry of this.entries.values()) this.queueDueMaintenance(entry, now);
    this.pump();
    this.armTimer();
  }

  private queueDueMaintenance(entry: JobEntry, now: number): void {
    for (const task of ["check", "drill"] as const) {
      const at = entry.nextMaintenanceAt[task];
      if (at === undefined || at > now) continue;
      entry.nextMaintenanceAt[task] = nextMaintenanceSlot(entry.job, task, now);
      if (entry.maintenanceBusy.has(task)) continue; // the last one still runs: not started twice
      entry.maintenanceBusy.add(task);
      this.queue.push({ entry, task });
    }
  }

  private armTimer(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (this.stopping || this.entries.size === 0) return;
    let next = Number.POSITIVE_INFINITY;
    for (const entry of this.entries.values()) {
      next = Math.min(
        next,
        this.dueAt(entry),
        entry.retryAt ?? Number.POSITIVE_INFINITY,
        entry.staleAt ?? Number.POSITIVE_INFINITY,
        entry.nextMaintenanceAt.check ?? Number.POSITIVE_INFINITY,
        entry.nextMaintenanceAt.drill ?? Number.POSITIVE_INFINITY,
      );
    }
    const delay = Math.min(Math.max(0, next - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.setTimer(() => this.wake(), delay);
  }

  private enqueue(entry: JobEntry, reason: RunReason, runId: string = randomUUID()): PendingRun {
    const pending: PendingRun = {
      runId,
      attempt: reason === "retry" ? entry.failedAttempt + 1 : 1,
      reason,
      done: deferred(),
      retentionOf: reason === "retry" ? entry.retentionOf : undefined,
    };
    entry.queued = pending;
    this.queue.push({ entry, task: "backup" });
    return pending;
  }

  /** Starts queued runs, oldest first, while slots are free and their repository is not busy. */
  private pump(): void {
    if (this.stopping) return;
    for (let i = 0; i < this.queue.length && this.slotFree(); ) {
      const { entry, task } = this.queue[i] as QueueItem;
      if (this.busyRepositories.has(entry.job.repository)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      if (task === "backup") this.startRun(entry);
      else this.startMaintenance(entry, task);
    }
  }

  /** Under max_concurrent; a run waiting for another process's repository lock holds no slot. */
  private slotFree(): boolean {
    const limit = this.options.maxConcurrent ?? this.config?.maxConcurrent ?? 1;
    return this.busyRepositories.size - (this.turns?.waiting ?? 0) < limit;
  }

  private startRun(entry: JobEntry): void {
    const pending = entry.queued as PendingRun;
    entry.queued = undefined;
    const controller = new AbortController();
    entry.running = { ...pending, controller };
    const repository = entry.job.repository;
    this.busyRepositories.add(repository);
    const work = (this.turns as RepositoryTurns)
      .run(entry.job, "backup", pending.runId, controller.signal, () =>
        this.execute(entry, pending, controller.signal),
      )
      .then(
        (result) => pending.done.resolve(result),
        (error) => pending.done.reject(error),
      )
      .finally(() => {
        this.busyRepositories.delete(repository);
        entry.running = undefined;
        this.inFlight.delete(work);
        this.pump();
        this.armTimer();
      });
    this.inFlight.add(work);
  }

  // --- checks and drills ---------------------------------------------------------------------------

  private startMaintenance(entry: JobEntry, task: MaintenanceTask): void {
    const controller = new AbortController();
    const repository = entry.job.repository;
    this.busyRepositories.add(repository);
    this.maintenanceControllers.add(controller);
    const work = (this.turns as RepositoryTurns)
      .run(entry.job, task, "", controller.signal, () => this.maintain(entry, task, controller.signal))
      .catch(() => {})
      .finally(() => {
        this.busyRepositories.delete(repository);
        this.maintenanceControllers.delete(controller);
        entry.maintenanceBusy.delete(task);
        this.inFlight.delete(work);
        this.pump();
        this.armTimer();
      });
    this.inFlight.add(work);
  }

  /** A check or drill: its own run id and log file; a failure is a failure event like a backup's. */
  private async maintain(entry: JobEntry, task: MaintenanceTask, signal: AbortSignal): Promise<void> {
    const { job } = entry;
    const runId = randomUUID();
    const startedAt = this.nowDate();
    const state = this.store?.get(job.name);
    const readDataSubset =
      task === "check" && job.check
        ? nextCheckSubset(state?.lastCheckSubset, job.check.readDataGroups)
        : undefined;
    const recorder = await startRunRecording(
      this.stateDir as string,
      `${job.name}`,
      runId,
      startedAt,
      this.config?.keepLogs ?? 30,
    );
    recorder.log(
      `${task} ${runId} of ${job.name}${readDataSubset ? `, reading data group ${readDataSubset}` : ""}`,
    );
    const context = { job: job.name, runId };
    const run = this.options.runMaintenance ?? ((t, j, c) => this.maintainWithRestic(t, j, c));
    let outcome: MaintenanceOutcome | SimplebackupError;
    try {
      outcome = await run(task, job, {
        runId,
        signal,
        emit: (event) => this.emitEvent(event),
        log: (line) => recorder.log(line),
        now: () => this.nowDate(),
        readDataSubset,
      });
    } catch (error) {
      outcome =
        error instanceof SimplebackupError
          ? error
          : new SimplebackupError("RESTIC_FAILED", error instanceof Error ? error.message : String(error));
    }
    const durationMs = this.clock.now() - startedAt.getTime();
    recorder.log(
      outcome instanceof SimplebackupError ? `${task} failed: ${outcome.message}` : outcome.message,
    );
    await recorder.close();
    if (outcome instanceof SimplebackupError || !outcome.ok) {
      const code =
        outcome instanceof SimplebackupError
          ? outcome.code
          : task === "check"
            ? "CHECK_FAILED"
            : "DRILL_FAILED";
      if (code === "INTERRUPTED") return;
      this.emitEvent({
        type: "failure",
        ...context,
        at: this.nowDate(),
        phase: task,
        code,
        message: outcome.message,
        exitCode: undefined,
        durationMs,
        snapshotId: undefined,
      });
    } else {
      this.emitEvent({
        type: `${task}-done`,
        ...context,
        at: this.nowDate(),
        message: outcome.message,
        durationMs,
      });
    }
    if (readDataSubset) {
      await this.store?.update(job.name, (current) => ({
        knownSince: current?.knownSince ?? startedAt.toISOString(),
        ...current,
        lastCheckSubset: readDataSubset,
      }));
    }
  }

  private async maintainWithRestic(
    task: MaintenanceTask,
    job: BackupJob,
    context: MaintenanceContext,
  ): Promise<MaintenanceOutcome> {
    const restic = await this.restic.get();
    const options = { restic, env: this.env, signal: context.signal, log: context.log };
    if (task === "check") {
      const result = await runCheck(job, { ...options, readDataSubset: context.readDataSubset });
      const read = result.read ? `; ${result.read}` : "";
      return result.ok
        ? { ok: true, message: `repository checked: no errors${read}` }
        : { ok: false, message: `restic check found errors: ${result.errors.slice(0, 3).join("; ")}` };
    }
    const result = await runDrill(job, { ...options, files: job.drill?.files ?? 10 });
    const counts = `${result.matched} matched, ${result.mismatched} mismatched, ${result.skipped} skipped, ${result.unreadable} unreadable`;
    return result.ok
      ? { ok: true, message: `restore drill passed: ${counts}` }
      : { ok: false, message: `restore drill FAILED: ${counts}` };
  }

  // --- staleness alerts ---------------------------------------------------------------------------

  private planStaleAlert(entry: JobEntry, lastSuccess: number): void {
    const after = entry.job.alertAfterMs;
    entry.staleAt = after === undefined || entry.staleSince !== undefined ? undefined : lastSuccess + after;
  }

  /** Raised once per stale spell, and remembered across restarts, so it is never repeated. */
  private raiseStaleAlert(entry: JobEntry): void {
    const now = this.clock.now();
    const after = entry.job.alertAfterMs as number;
    const last = lastSuccessTime(this.store?.get(entry.job.name));
    entry.staleAt = undefined;
    entry.staleSince = now;
    void this.store?.update(entry.job.name, (current) => ({
      knownSince: current?.knownSince ?? new Date(now).toISOString(),
      ...current,
      staleAlertedAt: new Date(now).toISOString(),
    }));
    this.emitEvent({
      type: "stale",
      job: entry.job.name,
      runId: "",
      at: new Date(now),
      lastSuccessAt: last === undefined ? undefined : new Date(last),
      alertAfterMs: after,
      message:
        last === undefined
          ? `no successful backup since simplebackup started watching this job, ${formatAge(now - after, now)} ago`
          : `no successful backup for ${formatAge(last, now)}`,
    });
  }

  private recovered(entry: JobEntry, result: BackupRunResult): void {
    const staleSince = entry.staleSince;
    entry.staleSince = undefined;
    this.planStaleAlert(entry, this.clock.now());
    if (staleSince === undefined) return;
    this.emitEvent({
      type: "recovered",
      job: entry.job.name,
      runId: result.runId,
      at: this.nowDate(),
      staleSinceAt: new Date(staleSince),
      snapshotId: result.snapshotId,
    });
  }

  // --- one run ------------------------------------------------------------------------------------

  private async execute(
    entry: JobEntry,
    pending: PendingRun,
    signal: AbortSignal,
  ): Promise<BackupRunResult | undefined> {
    await this.reloadIfChanged();
    // The config is re-read before every run: a job removed meanwhile does not run, a changed one runs
    // as it now reads.
    if (this.entries.get(entry.job.name) !== entry) return undefined;
    const { job } = entry;
    const stateDir = this.stateDir as string;
    const startedAt = this.nowDate();
    await this.store?.update(job.name, (current) => ({
      knownSince: current?.knownSince ?? startedAt.toISOString(),
      ...current,
      running: { runId: pending.runId, startedAt: startedAt.toISOString(), pid: process.pid },
    }));
    const recorder = await startRunRecording(
      stateDir,
      job.name,
      pending.runId,
      startedAt,
      this.config?.keepLogs ?? 30,
    );
    recorder.log(`run ${pending.runId} of ${job.name}: attempt ${pending.attempt} (${pending.reason})`);

    let result: BackupRunResult;
    try {
      const attempt = this.options.runAttempt ?? ((j, context) => this.runWithRestic(j, context));
      result = await attempt(job, {
        runId: pending.runId,
        signal,
        emit: (event) =>
          this.emitEvent(event.type === "failure" ? this.withAttempt(event, job, pending.attempt) : event),
        log: (line) => recorder.log(line),
        now: () => this.nowDate(),
        ...(pending.retentionOf ? { retentionOf: pending.retentionOf } : {}),
      });
    } catch (error) {
      // The attempt itself threw (restic missing, or a bug): a failed run, reported loudly.
      const crashed = crashedRun(job, pending.runId, startedAt, this.nowDate(), error);
      this.emitEvent(crashed.event);
      result = crashed.result;
    }
    const summary = await recorder.finish(result, this.nowDate());
    // Only a complete success ends a stale spell: a partial run or one whose retention failed is not one.
    const succeeded = result.status === "success";
    await this.store?.update(job.name, (current) => {
      const { running: _, staleAlertedAt, ...rest } = current ?? { knownSince: summary.startedAt };
      return { ...foldRun(rest, summary, true), ...(!succeeded && staleAlertedAt ? { staleAlertedAt } : {}) };
    });
    if (succeeded) this.recovered(entry, result);
    this.planRetry(entry, job, pending, result);
    return result;
  }

  private async runWithRestic(job: BackupJob, context: AttemptContext): Promise<BackupRunResult> {
    const restic = await this.restic.get();
    return runBackup(job, { restic, env: this.env, ...context });
  }

  /** Tells a failure's listeners (notifiers) whether another attempt follows. */
  private withAttempt(event: BackupFailureEvent, job: BackupJob, attempt: number): BackupFailureEvent {
    // A retention that failed is retried too, alone: the retry runs forget, never a second backup.
    const willRetry =
      !this.stopping && isRetryable(event.code) && retryDelayMs(job.retry, attempt) !== undefined;
    return { ...event, attempt, maxAttempts: job.retry.attempts, willRetry };
  }

  private planRetry(entry: JobEntry, job: BackupJob, pending: PendingRun, result: BackupRunResult): void {
    if (result.status !== "failed" || !result.error || this.stopping) return;
    if (this.entries.get(job.name) !== entry) return; // removed or replaced by a reload
    const context = { job: job.name, runId: result.runId, at: this.nowDate() };
    const { code, message } = result.error;
    if (!isRetryable(code)) return;
    const delay = retryDelayMs(job.retry, pending.attempt);
    if (delay === undefined) {
      if (job.retry.attempts > 1) {
        this.emitEvent({ type: "retries-exhausted", ...context, attempts: pending.attempt, code, message });
      }
      return;
    }
    entry.failedAttempt = pending.attempt;
    entry.retryAt = this.clock.now() + delay;
    entry.retentionOf =
      result.phase === "retention" && result.stats
        ? {
            snapshotId: result.snapshotId,
            ...(result.unchanged ? { unchanged: result.unchanged } : {}),
            stats: result.stats,
          }
        : pending.retentionOf;
    this.emitEvent({
      type: "retry",
      ...context,
      attempt: pending.attempt,
      maxAttempts: job.retry.attempts,
      nextAttemptAt: new Date(entry.retryAt),
      code,
      message,
    });
  }

  // --- config -------------------------------------------------------------------------------------

  private async readConfigFile(): Promise<ResolvedConfig> {
    const path = this.options.configPath as string;
    // Stamped before loading: a broken file is reported once, not again before every run.
    this.configStamp = await fileStamp(path);
    return loadConfigFile(path);
  }

  private async reloadIfChanged(): Promise<void> {
    if (!this.options.configPath || this.options.config) return;
    const stamp = await fileStamp(this.options.configPath);
    if (stamp !== this.configStamp) await this.reload();
  }

  private applyConfig(config: ResolvedConfig): void {
    const before = this.entries;
    const next = new Map(config.jobs.map((job) => [job.name, job]));
    const added: string[] = [];
    const removed: string[] = [];
    const changed: string[] = [];
    for (const [name, entry] of before) {
      if (next.has(name)) continue;
      removed.push(name);
      this.dropEntry(entry);
    }
    for (const job of config.jobs) {
      const entry = before.get(job.name);
      if (!entry) {
        added.push(job.name);
        if (this.started) this.addEntry(job, "reload");
        continue;
      }
      if (JSON.stringify(entry.job) === JSON.stringify(job)) continue;
      changed.push(job.name);
      const rescheduled =
        entry.job.schedule !== job.schedule ||
        entry.job.timezone !== job.timezone ||
        entry.job.jitterMs !== job.jitterMs;
      const alertChanged = entry.job.alertAfterMs !== job.alertAfterMs;
      const maintenanceChanged =
        JSON.stringify([entry.job.check, entry.job.drill]) !== JSON.stringify([job.check, job.drill]);
      entry.job = job; // a running backup keeps the definition it started with
      if (maintenanceChanged) planMaintenance(entry, this.clock.now());
      if (alertChanged && entry.staleSince === undefined) {
        this.planStaleAlert(entry, lastSuccessTime(this.store?.get(job.name)) ?? this.clock.now());
      }
      if (rescheduled) {
        entry.nextSlotAt = nextRunAfter(job.schedule, this.clock.now(), { timezone: job.timezone });
        entry.nextRunId = randomUUID();
        this.announce(entry, "schedule");
      }
    }
    this.config = config;
    this.emitEvent({
      type: "config-reloaded",
      ...this.globalContext(),
      file: config.file,
      added,
      removed,
      changed,
    });
    this.pump();
    this.armTimer();
  }

  private dropEntry(entry: JobEntry): void {
    this.entries.delete(entry.job.name);
    for (let i = this.queue.length - 1; i >= 0; i--) {
      if (this.queue[i]?.entry === entry) this.queue.splice(i, 1);
    }
    entry.queued?.done.resolve(undefined);
    entry.queued = undefined;
    entry.retryAt = undefined;
  }

  private watchConfigFile(): void {
    const path = this.options.configPath;
    if (!path || this.options.config || this.options.watchConfig === false) return;
    const name = basename(path);
    try {
      // The folder, not the file: editors save by writing a new file and renaming it over the old one.
      this.watcher = watch(dirname(path), (_event, filename) => {
        if (filename !== null && filename.toString() !== name) return;
        if (this.debounce) this.clock.clearTimer(this.debounce);
        this.debounce = this.clock.setTimer(() => {
          this.debounce = undefined;
          void this.reloadIfChanged();
        }, CONFIG_DEBOUNCE_MS);
      });
      this.watcher.on("error", () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No watching on this file system: the check before every run still picks changes up.
    }
  }

  // --- helpers ------------------------------------------------------------------------------------

  private clearTimers(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    if (this.debounce) this.clock.clearTimer(this.debounce);
    this.timer = undefined;
    this.debounce = undefined;
  }

  private emitEvent(event: SchedulerEvent): void {
    // A listener that throws must not break scheduling or a running backup.
    try {
      (this.emit as (type: string, event: SchedulerEvent) => boolean)(event.type, event);
    } catch {}
  }

  private globalContext() {
    return { job: "*", runId: "", at: this.nowDate() };
  }

  private nowDate(): Date {
    return new Date(this.clock.now());
  }
}

function nextMaintenanceSlot(job: BackupJob, task: MaintenanceTask, after: number): number | undefined {
  const schedule = job[task]?.schedule;
  return schedule === undefined ? undefined : nextRunAfter(schedule, after, { timezone: job.timezone });
}

function planMaintenance(entry: JobEntry, now: number): void {
  for (const task of ["check", "drill"] as const) {
    entry.nextMaintenanceAt[task] = nextMaintenanceSlot(entry.job, task, now);
  }
}

function lastSuccessTime(state: { lastSuccess?: RunRecordSummary } | undefined): number | undefined {
  return state?.lastSuccess ? Date.parse(state.lastSuccess.finishedAt) : undefined;
}

function formatAge(since: number, now: number): string {
  const hours = (now - since) / 3_600_000;
  return hours >= 48 ? `${Math.floor(hours / 24)} days` : `${Math.max(1, Math.round(hours))} hours`;
}

async function fileStamp(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return `${info.mtimeMs}:${info.size}:${info.ino}`;
  } catch {
    return undefined;
  }
}

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting; an unobserved rejection must not crash the daemon.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

function withTimeout(work: Promise<unknown>, ms: number, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimer(resolve, ms);
    void work.then(() => {
      clock.clearTimer(timer);
      resolve();
    });
  });
}
