import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { databaseLabel } from "../config/databases.js";
import type { BackupJob } from "../config/types.js";
import { ResticError, SimplebackupError } from "../errors.js";
import type { BackupEvent, BackupStats, DatabaseOutcomes, RunContext, RunPhase } from "../events.js";
import { buildBackupArgs } from "../restic/commands/backup.js";
import { maskRepository } from "../restic/environment.js";
import { createJobRestic, type JobRestic } from "../restic/job-restic.js";
import { parseResticLine } from "../restic/messages.js";
import { checkResticRequirements } from "../restic/version-requirements.js";
import { readBackupOutcome, toProgress, toStats } from "./backup-outcome.js";
import { runDatabaseStage } from "./database-stage.js";
import { type HookName, runFacts, runHook, SKIP_EXIT_CODE } from "./hooks.js";
import { initRepositoryAfterNotFound } from "./init-repository.js";
import {
  RETENTION_SKIPPED_PARTIAL,
  type RetentionOutcome,
  retentionSkip,
  runRetention,
} from "./retention-stage.js";
import type { BackupRunResult, BackupRunStatus, RunBackupOptions } from "./run-backup-types.js";
import {
  databaseOutcomes,
  describeBackup,
  type FilesPart,
  joinParts,
  type MadeBackup,
  retentionFailure,
} from "./run-parts.js";
import { guardEmptySources } from "./source-guard.js";

export type { RetentionOutcome } from "./retention-stage.js";
export type { BackupRunResult, BackupRunStatus, RunBackupOptions } from "./run-backup-types.js";

/**
 * One run of one job: back up every source in a single restic invocation, create the repository only
 * when restic says it does not exist, then apply the job's retention to the job's own snapshots.
 */
export async function runBackup(job: BackupJob, options: RunBackupOptions): Promise<BackupRunResult> {
  const run = new BackupRun(job, options);
  return run.execute();
}

class BackupRun {
  private readonly now: () => Date;
  private readonly runId: string;
  private readonly startedAt: Date;
  private readonly repository: string;
  private repositoryInitialized = false;
  /** What became of the job's databases, once their stage has run: on every outcome after it. */
  private databases: DatabaseOutcomes = {};

  constructor(
    private readonly job: BackupJob,
    private readonly options: RunBackupOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.runId = options.runId ?? randomUUID();
    this.startedAt = this.now();
    this.repository = maskRepository(job.repository);
  }

  async execute(): Promise<BackupRunResult> {
    const { retentionOf } = this.options;
    if (retentionOf) return this.afterHooks(await this.retainOnly(retentionOf));
    // Before the hooks and restic: a key this restic cannot honour fails the run the same clear way
    // `validate` refuses it, never as restic's `unknown flag`.
    const unsupported = await checkResticRequirements(this.job, this.options.restic);
    if (unsupported) return this.afterHooks(this.failed("backup", unsupported));
    const hooks = this.job.hooks;
    if (hooks?.before) {
      const before = await this.hook("before", hooks.before, undefined);
      if (before.exitCode === SKIP_EXIT_CODE) {
        this.emit({
          type: "skipped",
          ...this.context(),
          reason: "before-hook",
          message: `the before hook exited ${SKIP_EXIT_CODE}: nothing to back up now`,
        });
        return this.result("skipped", {});
      }
      if (before.exitCode !== 0) {
        const why = before.timedOut
          ? `timed out after ${hooks.timeoutMs} ms`
          : `exited ${before.exitCode ?? "abnormally"}`;
        const failed = this.failed(
          "hook",
          new SimplebackupError("HOOK_FAILED", `the before hook ${why}: ${hooks.before}`),
        );
        return this.afterHooks(failed);
      }
    }
    return this.afterHooks(await this.backupAndRetain());
  }

  /** on_success or on_failure, then after. Their failures are logged; the backup's result stands. */
  private async afterHooks(result: BackupRunResult): Promise<BackupRunResult> {
    const hooks = this.job.hooks;
    if (!hooks || result.status === "interrupted") return result;
    const made = result.status === "success" || result.status === "partial";
    const outcome = made ? hooks.onSuccess : hooks.onFailure;
    if (outcome) await this.hook(made ? "on_success" : "on_failure", outcome, result);
    if (hooks.after) await this.hook("after", hooks.after, result);
    return result;
  }

  private hook(name: HookName, command: string, result: BackupRunResult | undefined) {
    return runHook(name, command, {
      facts: runFacts(this.job.name, this.runId, this.repository, name, result),
      timeoutMs: this.job.hooks?.timeoutMs ?? 300_000,
      log: (line) => this.log(line),
      env: this.options.env,
    });
  }

  private async backupAndRetain(): Promise<BackupRunResult> {
    const { job } = this;
    const databases = job.databases.map(databaseLabel);
    this.emit({
      type: "start",
      ...this.context(),
      sources: job.sources,
      ...(databases.length > 0 ? { databases } : {}),
      repository: this.repository,
    });
    this.log(
      `backup of ${[...job.sources, ...databases.map((d) => `database ${d}`)].join(", ")} to ${this.repository}`,
    );

    let restic: JobRestic;
    try {
      restic = this.createRestic();
    } catch (error) {
      return this.failed("backup", asSimplebackupError(error));
    }

    let files: FilesPart | undefined;
    if (job.sources.length > 0) {
      const filesOutcome = await this.backupFiles(restic);
      if (!("backup" in filesOutcome)) return filesOutcome;
      files = filesOutcome;
    }
    const stage = job.databases.length > 0 ? await this.backupDatabases(restic) : undefined;
    this.databases = databaseOutcomes(stage);
    if (stage?.stop)
      return this.failed(stage.stop.phase, stage.stop.error, files?.backup.snapshotId, files?.stats);

    const joined = joinParts(files, stage);
    if (joined.kind === "failed") return this.failed("backup", joined.error);
    const { backup, stats } = joined;
    const made = describeBackup(backup);
    if (!joined.partial) {
      this.log(
        `backup complete: ${made}, ${stats.totalFilesProcessed} files, ${stats.dataAdded} bytes added`,
      );
      return this.retain(restic, backup, stats);
    }
    // A partial snapshot lacks what older ones hold (the files of a missing source, a database's dump):
    // forget after it could remove the only copy. Retention waits for the next complete backup.
    const unreadable = files?.unreadable ?? [];
    const missingSources = files?.missingSources ?? [];
    const failedDatabases = this.databases.failedDatabases ?? [];
    const retention = retentionSkip(job, true) as RetentionOutcome;
    const retentionSkipped = retention.reason === "partial" ? RETENTION_SKIPPED_PARTIAL : undefined;
    this.log(
      `partial: ${made}; missing ${missingSources.length}, unreadable ${unreadable.length}${failedDatabases.length > 0 ? `, databases failed ${failedDatabases.length}` : ""}${retentionSkipped ? `; ${retentionSkipped}` : ""}`,
    );
    const fields = madeFields(backup, stats);
    this.emit({
      type: "partial",
      ...this.context(),
      ...fields,
      durationMs: this.elapsed(),
      unreadable,
      missingSources,
      retentionSkipped,
      ...this.databases,
    });
    return this.result("partial", { ...fields, retention, unreadable, missingSources });
  }

  /** The files' snapshot, creating the repository when restic says there is none; else the failed run. */
  private async backupFiles(restic: JobRestic): Promise<FilesPart | BackupRunResult> {
    const { job } = this;
    // Before restic backup: an emptied mount point must not become the newest snapshot.
    const emptySource = await guardEmptySources(job, restic, this.options.host ?? hostname());
    if (emptySource) return this.failed("backup", emptySource);

    const backupArgs = buildBackupArgs(job);
    let result = await this.backup(restic, backupArgs);
    let outcome = readBackupOutcome(result);
    if (outcome.kind === "failed" && !result.interrupted) {
      const error = restic.error(result, backupArgs, outcome.messages);
      if (error.code !== "REPO_NOT_FOUND") return this.failed("backup", error);
      const initError = await this.initRepository(restic, error);
      if (initError) return this.failed("init", initError);
      result = await this.backup(restic, backupArgs);
      outcome = readBackupOutcome(result);
    }
    if (outcome.kind === "failed") {
      return this.failed("backup", restic.error(result, backupArgs, outcome.messages));
    }
    const { summary, unreadable, missingSources } = outcome;
    const snapshotId = summary.snapshot_id;
    // restic 0.17+ with --skip-if-unchanged: the summary of a tree equal to the parent's has no id.
    const backup: MadeBackup = {
      snapshotId,
      ...(job.skipIfUnchanged && snapshotId === undefined ? { unchanged: true } : {}),
    };
    return { backup, stats: toStats(summary), unreadable, missingSources };
  }

  /** Each database dumped into its own snapshot; see database-stage.ts. */
  private backupDatabases(restic: JobRestic) {
    const { options } = this;
    return runDatabaseStage(this.job, {
      restic,
      resticBinary: options.restic,
      env: options.env ?? process.env,
      signal: options.signal,
      log: (line) => this.log(line),
      onStdoutLine: (line) => this.progress(line),
      initRepository: (notFound) => this.initRepository(restic, notFound),
    });
  }

  /** A retry of a run whose backup made its snapshot and whose retention failed: forget only. */
  private async retainOnly(made: NonNullable<RunBackupOptions["retentionOf"]>): Promise<BackupRunResult> {
    this.log(`retention only: the backup (${describeBackup(made)}) was made by an earlier attempt`);
    let restic: JobRestic;
    try {
      restic = this.createRestic();
    } catch (error) {
      return this.failed("retention", asSimplebackupError(error), made.snapshotId, made.stats);
    }
    return this.retain(restic, made, made.stats);
  }

  /**
   * After a complete backup: forget, then the run's one outcome event. `success` waits for forget, so
   * a run whose retention failed is never reported as a success first.
   */
  private async retain(restic: JobRestic, backup: MadeBackup, stats: BackupStats): Promise<BackupRunResult> {
    const { snapshotId } = backup;
    const retention = retentionSkip(this.job, false) ?? (await runRetention(this.job, restic));
    if (retention.status === "failed") {
      const failure = retentionFailure(retention.error as SimplebackupError, backup);
      return this.failed("retention", failure, snapshotId, stats, retention);
    }
    if (retention.status === "done") {
      const { kept = 0, removedIds = [] } = retention;
      this.emit({ type: "retention-done", ...this.context(), kept, removed: removedIds.length, removedIds });
      this.log(`retention: kept ${kept}, removed ${removedIds.length}`);
    }
    this.log(`success: ${describeBackup(backup)}`);
    const fields = madeFields(backup, stats);
    this.emit({
      type: "success",
      ...this.context(),
      ...fields,
      durationMs: this.elapsed(),
      ...this.databases,
    });
    return this.result("success", { ...fields, retention });
  }

  /**
   * restic with the job's environment; a stale lock it removes (see {@link JobRestic.run}) becomes a
   * `stale-lock-removed` event.
   * @throws SimplebackupError PASSWORD_UNAVAILABLE when `password_env` names an unset variable.
   */
  private createRestic(): JobRestic {
    const { restic, env, signal, staleLockAfterMs, progressFps = 2 } = this.options;
    return createJobRestic(
      this.job,
      { restic, env, signal, staleLockAfterMs, log: (line) => this.log(line) },
      {
        progressFps,
        onStaleLockRemoved: (removal) =>
          this.emit({ type: "stale-lock-removed", ...this.context(), ...removal }),
      },
    );
  }

  private backup(restic: JobRestic, args: readonly string[]) {
    return restic.run(args, { onStdoutLine: (line) => this.progress(line) });
  }

  private progress(line: string): void {
    const message = parseResticLine(line);
    if (message?.message_type === "status") {
      this.emit({ type: "progress", ...this.context(), ...toProgress(message) });
    }
  }

  /** Creates the repository, unless that would put it somewhere the user surely did not mean. */
  private async initRepository(restic: JobRestic, notFound: ResticError): Promise<ResticError | undefined> {
    const initError = await initRepositoryAfterNotFound(this.job, restic, notFound);
    if (initError) return initError;
    this.repositoryInitialized = true;
    this.emit({ type: "repository-initialized", ...this.context(), repository: this.repository });
    return undefined;
  }

  private failed(
    phase: RunPhase,
    error: SimplebackupError,
    snapshotId?: string,
    stats?: BackupStats,
    retention: RetentionOutcome = { status: "skipped", reason: "not-reached" },
  ): BackupRunResult {
    this.emitFailure(phase, error, snapshotId, stats);
    const status = error.code === "INTERRUPTED" ? "interrupted" : "failed";
    return this.result(status, { error, phase, snapshotId, stats, retention });
  }

  private emitFailure(
    phase: RunPhase,
    error: SimplebackupError,
    snapshotId: string | undefined,
    stats?: BackupStats,
  ): void {
    this.log(`failed during ${phase} [${error.code}]: ${error.message}`);
    this.emit({
      type: "failure",
      ...this.context(),
      phase,
      code: error.code,
      message: error.message,
      exitCode: error instanceof ResticError ? error.exitCode : undefined,
      durationMs: this.elapsed(),
      snapshotId,
      ...(stats ? { stats } : {}),
      ...this.databases,
    });
  }

  private result(
    status: BackupRunStatus,
    fields: Partial<
      Pick<
        BackupRunResult,
        | "snapshotId"
        | "unchanged"
        | "stats"
        | "error"
        | "phase"
        | "retention"
        | "unreadable"
        | "missingSources"
      >
    >,
  ): BackupRunResult {
    return {
      job: this.job.name,
      runId: this.runId,
      status,
      snapshotId: undefined,
      stats: undefined,
      error: undefined,
      phase: undefined,
      retention: { status: "skipped", reason: "not-reached" },
      unreadable: [],
      missingSources: [],
      ...fields,
      ...this.databases,
      repositoryInitialized: this.repositoryInitialized,
      startedAt: this.startedAt,
      durationMs: this.elapsed(),
    };
  }

  private context(): RunContext {
    return { job: this.job.name, runId: this.runId, at: this.now() };
  }

  private elapsed(): number {
    return this.now().getTime() - this.startedAt.getTime();
  }

  private emit(event: BackupEvent): void {
    this.options.emit?.(event);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

/** What the success and partial events and results say of the backup, `unchanged` only when set. */
function madeFields({ snapshotId, unchanged }: MadeBackup, stats: BackupStats) {
  return { snapshotId, ...(unchanged ? { unchanged } : {}), stats };
}

function asSimplebackupError(error: unknown): SimplebackupError {
  if (error instanceof SimplebackupError) return error;
  return new SimplebackupError("RESTIC_FAILED", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
