import {
  type BackupRunResult,
  BackupScheduler,
  type Clock,
  type HistoryPage,
  type JobStatus,
  type MaintenanceTask,
  type ReadHistoryOptions,
  type ReadHistoryPageOptions,
  type RunAttempt,
  type RunHistoryRecord,
  type RunMaintenance,
  readHistory,
  readHistoryPage,
  SCHEDULER_EVENT_TYPES,
  type SchedulerEvent,
  type SchedulerEventType,
  systemClock,
  type UnlockResult,
  type VisitHistoryOptions,
  visitJobHistory,
} from "@simplebackup/core";
import {
  createNotifierDeliveryLog,
  createNotifierHub,
  type NotifierHub,
  type NotifierHubEntryDescription,
  type NotifierInput,
  type NotifierLogger,
} from "@simplebackup/notifier";
import { ConfigNotifiers } from "./config-notifiers.js";
import { DeliveryFile } from "./delivery-file.js";
import { createUnlocker, type UnlockNowOptions } from "./unlock-now.js";

export interface DaemonOptions {
  /** The config file: read at start, watched, and re-read before every run. */
  readonly configPath: string;
  /** Where run history, logs and the daemon lock live. @default state_dir, $SIMPLEBACKUP_STATE_DIR, or the platform's state folder */
  readonly stateDir?: string;
  /** Run every job once at start. */
  readonly backupOnStart?: boolean;
  /** Apply config edits without a restart. @default true */
  readonly watchConfig?: boolean;
  /** The app's own notifiers, besides the config's; they hear about every job. */
  readonly notifiers?: readonly NotifierInput[];
  /** Where notifier trouble is told (a failed delivery never fails a backup). @default stderr */
  readonly logger?: NotifierLogger;
  /**
   * Told, once each, what the daemon cannot check and lets pass rather than stop backing up (a power
   * source it cannot read for `when.on_ac_power`). @default stderr
   */
  readonly warn?: (message: string) => void;
  /** How a notifier plugin module is imported by URL. @default import() */
  readonly importModule?: (url: string) => Promise<unknown>;
  /** @default restic_binary from the config, $RESTIC_BINARY, or restic on PATH */
  readonly resticBinary?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** @default the system clock */
  readonly clock?: Clock;
  /** Replaces restic's backup (tests, or an app with its own engine). */
  readonly runAttempt?: RunAttempt;
  /** Replaces restic's check and drill. */
  readonly runMaintenance?: RunMaintenance;
}

export interface DaemonStatus {
  readonly running: boolean;
  readonly pid: number;
  readonly startedAt: Date | undefined;
  readonly configFile: string;
  readonly stateDir: string | undefined;
  readonly jobs: readonly JobStatus[];
  /**
   * The notifiers in use (the config's, then the app's), secrets masked, each with its last
   * delivery and last error (kept in the state folder across restarts) and its counts since start.
   */
  readonly notifiers: readonly NotifierHubEntryDescription[];
}

export interface StopOptions {
  /** How long running backups get to stop cleanly (restic removes its lock). @default 8000 */
  readonly timeoutMs?: number;
  /** How long notifiers get to deliver what is queued. @default 1500 */
  readonly notifyTimeoutMs?: number;
}

/** The daemon as one object: what `simplebackup run` runs and what an app embeds. */
export interface Daemon {
  /** Reads and checks the config (notifiers included), takes the daemon lock, and starts scheduling. */
  start(): Promise<void>;
  /** Interrupts running backups cleanly, delivers queued notifications, and releases the lock. */
  stop(options?: StopOptions): Promise<void>;
  /** Backs a job up now, behind any run of its repository; undefined if it never ran (stopped, removed). */
  runNow(job: string): Promise<BackupRunResult | undefined>;
  /** Drops a job's queued run or interrupts its running one; false when it had none. */
  cancel(job: string): boolean;
  /** Queues a check or drill of the job now, behind its repository's work; false when one is queued or running. */
  maintainNow(job: string, task: MaintenanceTask): boolean;
  /**
   * Removes the stale locks of the job's repository now (`restic unlock`, never `--remove-all`), not
   * waiting for its running work: a live process's lock stays and the result names its holder.
   * @throws SimplebackupError JOB_NOT_FOUND; REPOSITORY_BUSY while an unlock of that repository runs;
   * restic's failures (WRONG_PASSWORD, REPO_NOT_FOUND, BACKEND_UNAVAILABLE, …)
   */
  unlock(job: string, options?: UnlockNowOptions): Promise<UnlockResult>;
  status(): DaemonStatus;
  /** Finished runs from the state folder's history, oldest first (a job, a limit, a time range). */
  history(options?: ReadHistoryOptions): Promise<RunHistoryRecord[]>;
  /** Each of a job's finished runs in a range, oldest first, keeping none: a year summed up without a year in memory. */
  visitHistory(
    options: VisitHistoryOptions,
    visit: (record: RunHistoryRecord) => void,
  ): Promise<{ skipped: number }>;
  /** One page of a job's runs, newest first, with the cursor of the next, older page. */
  historyPage(options: ReadHistoryPageOptions): Promise<HistoryPage>;
  /** Every event as it happens; returns the function that unsubscribes. */
  subscribe(listener: (event: SchedulerEvent) => void): () => void;
  /** The scheduler underneath, for its typed `on("success", …)` and the rest of its API. */
  readonly scheduler: BackupScheduler;
  /** The environment restic and `password_env` read from (the option given, else the process's). */
  readonly env: NodeJS.ProcessEnv;
}

const stderrLogger: NotifierLogger = {
  warn: (message) => console.error(`notifier: ${message}`),
  error: (message) => console.error(`notifier: ${message}`),
};

/**
 * The whole daemon in one call: the scheduler on the config file, the config's notifiers and metrics
 * file (checked with the config, rebuilt when it changes), the app's own notifiers, and a control
 * surface. Nothing runs until `start()`.
 */
export function createDaemon(options: DaemonOptions): Daemon {
  const logger = options.logger ?? stderrLogger;
  let configNotifiers: ConfigNotifiers | undefined;
  const scheduler = new BackupScheduler({
    configPath: options.configPath,
    ...(options.stateDir === undefined ? {} : { stateDir: options.stateDir }),
    ...(options.backupOnStart === undefined ? {} : { backupOnStart: options.backupOnStart }),
    ...(options.watchConfig === undefined ? {} : { watchConfig: options.watchConfig }),
    ...(options.resticBinary === undefined ? {} : { resticBinary: options.resticBinary }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.runAttempt ? { runAttempt: options.runAttempt } : {}),
    ...(options.runMaintenance ? { runMaintenance: options.runMaintenance } : {}),
    onWarning: options.warn ?? ((message) => console.error(`warning: ${message}`)),
    // Notifier options are part of the config: checked before it is used, at start and at each reload.
    acceptConfig: (config) => (configNotifiers as ConfigNotifiers).accept(config),
  });
  const deliveryClock = options.clock ?? systemClock;
  const deliveries = createNotifierDeliveryLog({ now: () => deliveryClock.now() });
  const deliveryFile = new DeliveryFile(deliveries, { clock: deliveryClock, logger });
  configNotifiers = new ConfigNotifiers(scheduler, {
    logger,
    importModule: options.importModule,
    closeTimeoutMs: 10_000,
    deliveries,
  });
  let appNotifiers: NotifierHub | undefined;
  let detachApp: (() => void) | undefined;
  let startedAt: Date | undefined;
  let running = false;
  const env = options.env ?? process.env;
  const unlock = createUnlocker({
    scheduler,
    env,
    resticBinary: options.resticBinary,
    now: () => (options.clock ?? systemClock).now(),
  });

  return {
    scheduler,
    env,
    async start() {
      if (running) return;
      if (options.notifiers?.length) {
        appNotifiers = createNotifierHub({ notifiers: options.notifiers, logger, deliveries });
        detachApp = appNotifiers.attach(scheduler);
      }
      try {
        await scheduler.start();
      } catch (error) {
        // Nothing ran: the notifiers built for the config go, without a word to anyone.
        await configNotifiers.close({ timeoutMs: 0 });
        detachApp?.();
        await appNotifiers?.close({ timeoutMs: 0 });
        throw error;
      }
      // The state folder is known once the scheduler started; a delivery made before is kept (restore
      // takes only what is newer than the log knows).
      if (scheduler.stateDir !== undefined) await deliveryFile.open(scheduler.stateDir);
      running = true;
      startedAt = new Date((options.clock ?? { now: Date.now }).now());
    },
    async stop(stopOptions = {}) {
      if (!running) return;
      await scheduler.stop({ timeoutMs: stopOptions.timeoutMs ?? 8_000 });
      running = false;
      const notifyTimeoutMs = stopOptions.notifyTimeoutMs ?? 1_500;
      detachApp?.();
      await Promise.all([
        configNotifiers.close({ timeoutMs: notifyTimeoutMs }),
        appNotifiers?.close({ timeoutMs: notifyTimeoutMs }),
      ]);
      await deliveryFile.close();
    },
    runNow: (job) => scheduler.runNow(job),
    cancel: (job) => scheduler.cancel(job),
    maintainNow: (job, task) => scheduler.maintainNow(job, task),
    unlock,
    status: () => ({
      running,
      pid: process.pid,
      startedAt,
      configFile: options.configPath,
      stateDir: scheduler.stateDir,
      jobs: scheduler.status(),
      notifiers: [...configNotifiers.describe(), ...(appNotifiers?.describe() ?? [])],
    }),
    async history(historyOptions = {}) {
      const stateDir = scheduler.stateDir;
      if (stateDir === undefined) return [];
      return (await readHistory(stateDir, historyOptions)).records;
    },
    async visitHistory(visitOptions, visit) {
      const stateDir = scheduler.stateDir;
      if (stateDir === undefined) return { skipped: 0 };
      return visitJobHistory(stateDir, visitOptions, visit);
    },
    async historyPage(pageOptions) {
      const stateDir = scheduler.stateDir;
      if (stateDir === undefined) return { records: [], skipped: 0 };
      return readHistoryPage(stateDir, pageOptions);
    },
    subscribe(listener) {
      const types: readonly SchedulerEventType[] = SCHEDULER_EVENT_TYPES;
      for (const type of types) scheduler.on(type, listener);
      return () => {
        for (const type of types) scheduler.off(type, listener);
      };
    },
  };
}
