import { randomUUID } from "node:crypto";
import { stat } from "node:fs/promises";
import { dirname } from "node:path";
import type { BackupJob } from "../config/types.js";
import { ResticError, SimplebackupError } from "../errors.js";
import type { BackupEvent, BackupStats, RunContext, RunPhase, UnreadablePath } from "../events.js";
import { buildBackupArgs, buildForgetArgs, buildInitArgs, hasRetentionRules } from "../restic/args.js";
import { classifyFailure, findSkippedSources, stderrTail } from "../restic/classify.js";
import { buildResticEnvironment, maskRepository } from "../restic/environment.js";
import { parseForgetOutput, parseResticLine } from "../restic/output.js";
import type { ResticProcessResult } from "../restic/process.js";
import type { Restic } from "../restic/restic.js";
import type { ResticMessage, ResticSummaryMessage } from "../restic/types.js";

export type BackupRunStatus = "success" | "partial" | "failed" | "interrupted";

export interface RetentionOutcome {
  readonly status: "done" | "failed" | "skipped";
  readonly kept?: number;
  readonly removed?: number;
  readonly error?: SimplebackupError;
}

export interface BackupRunResult {
  readonly job: string;
  readonly runId: string;
  readonly status: BackupRunStatus;
  readonly snapshotId: string | undefined;
  readonly stats: BackupStats | undefined;
  /** Set when status is failed or interrupted. */
  readonly error: SimplebackupError | undefined;
  readonly repositoryInitialized: boolean;
  readonly retention: RetentionOutcome;
  readonly unreadable: readonly UnreadablePath[];
  readonly missingSources: readonly string[];
  readonly startedAt: Date;
  readonly durationMs: number;
}

export interface RunBackupOptions {
  readonly restic: Restic;
  readonly emit?: (event: BackupEvent) => void;
  /** Aborting interrupts restic with SIGINT, so it removes its lock. */
  readonly signal?: AbortSignal;
  readonly runId?: string;
  readonly now?: () => Date;
  /** The environment restic inherits and `password_env` reads from. */
  readonly env?: NodeJS.ProcessEnv;
  /** Status lines per second from restic (0.14 prints 60 a second otherwise). */
  readonly progressFps?: number;
}

/**
 * One run of one job: back up every source in a single restic invocation, create the repository only
 * when restic says it does not exist, then apply the job's retention to the job's own snapshots.
 */
export async function runBackup(job: BackupJob, options: RunBackupOptions): Promise<BackupRunResult> {
  const now = options.now ?? (() => new Date());
  const emit = options.emit ?? (() => {});
  const runId = options.runId ?? randomUUID();
  const startedAt = now();
  const context = (): RunContext => ({ job: job.name, runId, at: now() });
  const elapsed = () => now().getTime() - startedAt.getTime();
  const processEnv = options.env ?? process.env;
  const restic = options.restic;
  // Asked while the backup runs, so knowing the version costs no time.
  void restic.version();

  const repository = maskRepository(job.repository);
  emit({ type: "start", ...context(), sources: job.sources, repository });

  const finish = (
    status: BackupRunStatus,
    fields: Partial<Omit<BackupRunResult, "job" | "runId" | "status" | "startedAt" | "durationMs">>,
  ): BackupRunResult => ({
    job: job.name,
    runId,
    status,
    snapshotId: undefined,
    stats: undefined,
    error: undefined,
    repositoryInitialized: false,
    retention: { status: "skipped" },
    unreadable: [],
    missingSources: [],
    ...fields,
    startedAt,
    durationMs: elapsed(),
  });

  const fail = (phase: RunPhase, error: SimplebackupError, extra: { snapshotId?: string } = {}) => {
    emit({
      type: "failure",
      ...context(),
      phase,
      code: error.code,
      message: error.message,
      exitCode: error instanceof ResticError ? error.exitCode : undefined,
      durationMs: elapsed(),
      snapshotId: extra.snapshotId,
    });
  };

  let env: Record<string, string | undefined>;
  try {
    env = buildResticEnvironment(job, processEnv, options.progressFps ?? 2);
  } catch (error) {
    const failure = asSimplebackupError(error);
    fail("backup", failure);
    return finish("failed", { error: failure });
  }

  const backupOnce = () =>
    restic.run(buildBackupArgs(job), {
      env,
      signal: options.signal,
      onStdoutLine: (line) => {
        const message = parseResticLine(line);
        if (message?.message_type === "status") emit(toProgressEvent(message, context()));
      },
    });

  let repositoryInitialized = false;
  let result = await backupOnce();
  let outcome = readBackupOutcome(result, buildBackupArgs(job));

  if (outcome.kind === "failed" && outcome.error.code === "REPO_NOT_FOUND" && !result.interrupted) {
    const refusal = await refuseInitReason(job.repository);
    if (refusal) {
      const error = new ResticError("REPO_NOT_FOUND", refusal, {
        command: ["init"],
        exitCode: undefined,
        stderrTail: outcome.error.stderrTail,
      });
      fail("init", error);
      return finish("failed", { error });
    }
    const init = await restic.run(buildInitArgs(), { env, signal: options.signal });
    if (init.exitCode !== 0) {
      const error = toResticError(init, buildInitArgs());
      fail("init", error);
      return finish(init.interrupted ? "interrupted" : "failed", { error });
    }
    repositoryInitialized = true;
    emit({ type: "repository-initialized", ...context(), repository });
    result = await backupOnce();
    outcome = readBackupOutcome(result, buildBackupArgs(job));
  }

  if (outcome.kind === "failed") {
    fail("backup", outcome.error);
    const status = outcome.error.code === "INTERRUPTED" ? "interrupted" : "failed";
    return finish(status, { error: outcome.error, repositoryInitialized });
  }

  const { summary, unreadable, missingSources } = outcome;
  const stats = toStats(summary);
  const snapshotId = summary.snapshot_id;
  const durationMs = elapsed();
  if (unreadable.length > 0 || missingSources.length > 0) {
    emit({ type: "partial", ...context(), snapshotId, stats, durationMs, unreadable, missingSources });
  } else {
    emit({ type: "success", ...context(), snapshotId, stats, durationMs });
  }
  const status = unreadable.length > 0 || missingSources.length > 0 ? "partial" : "success";

  let retention: RetentionOutcome = { status: "skipped" };
  if (job.retention && hasRetentionRules(job.retention)) {
    const args = buildForgetArgs(job.retention, job.name, { prune: true });
    const forget = await restic.run(args, { env, signal: options.signal });
    const groups = forget.exitCode === 0 ? tryParseForget(forget.stdout) : undefined;
    if (groups) {
      const kept = groups.reduce((sum, group) => sum + group.keep.length, 0);
      const removedIds = groups.flatMap((group) => group.remove.map((s) => s.short_id ?? s.id ?? s.time));
      retention = { status: "done", kept, removed: removedIds.length };
      emit({ type: "retention-done", ...context(), kept, removed: removedIds.length, removedIds });
    } else {
      const error = toResticError(forget, args);
      fail("retention", error, { snapshotId });
      retention = { status: "failed", error };
    }
  }

  return finish(status, {
    snapshotId,
    stats,
    repositoryInitialized,
    retention,
    unreadable,
    missingSources,
  });
}

type BackupOutcome =
  | { kind: "failed"; error: ResticError }
  | {
      kind: "saved";
      summary: ResticSummaryMessage;
      unreadable: UnreadablePath[];
      missingSources: string[];
    };

function readBackupOutcome(result: ResticProcessResult, command: readonly string[]): BackupOutcome {
  const stdoutMessages = parseLines(result.stdout);
  const stderrMessages = parseLines(result.stderr);
  const summary = stdoutMessages.find((m): m is ResticSummaryMessage => m.message_type === "summary");
  // Exit 3: some source data could not be read, yet the snapshot was saved.
  const saved = summary !== undefined && (result.exitCode === 0 || result.exitCode === 3);
  if (!saved) {
    return { kind: "failed", error: toResticError(result, command, [...stdoutMessages, ...stderrMessages]) };
  }
  const missingSources = findSkippedSources(result.stderr);
  const unreadable = new Map<string, string>();
  for (const message of stderrMessages) {
    if (message.message_type !== "error" || !message.item) continue;
    if (missingSources.includes(message.item)) continue;
    // 0.14 reports an unreadable folder twice, once while scanning and once while archiving.
    if (!unreadable.has(message.item)) unreadable.set(message.item, message.message);
  }
  return {
    kind: "saved",
    summary,
    missingSources,
    unreadable: [...unreadable].map(([path, message]) => ({ path, message })),
  };
}

/** forget already did its work when it exits 0; output we cannot read must not turn that into a crash. */
function tryParseForget(stdout: string): ReturnType<typeof parseForgetOutput> | undefined {
  try {
    return parseForgetOutput(stdout);
  } catch {
    return [];
  }
}

function parseLines(text: string): ResticMessage[] {
  const messages: ResticMessage[] = [];
  for (const line of text.split("\n")) {
    const message = parseResticLine(line);
    if (message) messages.push(message);
  }
  return messages;
}

function toResticError(
  result: ResticProcessResult,
  command: readonly string[],
  messages?: readonly ResticMessage[],
): ResticError {
  const exitCode = result.interrupted && result.exitCode === undefined ? 130 : result.exitCode;
  const { code, message } = result.interrupted
    ? { code: "INTERRUPTED" as const, message: "interrupted: restic was asked to stop and cleaned up" }
    : classifyFailure({ exitCode, stderr: result.stderr, messages: messages ?? parseLines(result.stderr) });
  return new ResticError(code, message, { command, exitCode, stderrTail: stderrTail(result.stderr) });
}

/**
 * restic would create every missing folder of a local repository path. When the parent is missing the
 * likely cause is an unmounted drive, and creating the repository on the disk underneath would hide
 * the backups from the user once the drive is back.
 */
async function refuseInitReason(repository: string): Promise<string | undefined> {
  const local = localRepositoryPath(repository);
  if (!local) return undefined;
  const parent = dirname(local);
  try {
    if ((await stat(parent)).isDirectory()) return undefined;
  } catch {}
  return `the repository ${local} does not exist and its parent folder ${parent} is missing; not creating a repository there (is the drive mounted?). Create ${parent} to allow it.`;
}

function localRepositoryPath(repository: string): string | undefined {
  if (repository.startsWith("local:")) return repository.slice("local:".length);
  if (/^[a-z][a-z0-9]+:/i.test(repository)) return undefined;
  return repository;
}

function toProgressEvent(
  message: Extract<ResticMessage, { message_type: "status" }>,
  context: RunContext,
): BackupEvent {
  return {
    type: "progress",
    ...context,
    percentDone: message.percent_done,
    filesDone: message.files_done ?? 0,
    totalFiles: message.total_files ?? 0,
    bytesDone: message.bytes_done ?? 0,
    totalBytes: message.total_bytes ?? 0,
    secondsElapsed: message.seconds_elapsed ?? 0,
    secondsRemaining: message.seconds_remaining,
    errorCount: message.error_count ?? 0,
    currentFiles: message.current_files ?? [],
  };
}

function toStats(summary: ResticSummaryMessage): BackupStats {
  return {
    filesNew: summary.files_new,
    filesChanged: summary.files_changed,
    filesUnmodified: summary.files_unmodified,
    dirsNew: summary.dirs_new,
    dirsChanged: summary.dirs_changed,
    dirsUnmodified: summary.dirs_unmodified,
    dataAdded: summary.data_added,
    totalFilesProcessed: summary.total_files_processed,
    totalBytesProcessed: summary.total_bytes_processed,
    resticSeconds: summary.total_duration,
  };
}

function asSimplebackupError(error: unknown): SimplebackupError {
  if (error instanceof SimplebackupError) return error;
  return new SimplebackupError("RESTIC_FAILED", error instanceof Error ? error.message : String(error), {
    cause: error,
  });
}
