import { commandEnvironment, runShellCommand } from "../system/shell-command.js";
import type { BackupRunResult } from "./run-backup.js";

export type HookName = "before" | "after" | "on_success" | "on_failure";

/** A `before` hook that exits with this skips the run quietly: the drive is not plugged in, say. */
export const SKIP_EXIT_CODE = 75;

export interface HookResult {
  readonly exitCode: number | undefined;
  readonly timedOut: boolean;
}

export interface RunHookOptions {
  /** SIMPLEBACKUP_* facts about the run. */
  readonly facts: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly log: (line: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * Runs one hook through the shell. Its output goes to the run log. It gets the run's facts in its
 * environment but never a repository password or backend secret: those are taken out of what it
 * inherits.
 */
export async function runHook(name: HookName, command: string, options: RunHookOptions): Promise<HookResult> {
  options.log(`hook ${name}: ${command}`);
  const result = await runShellCommand(command, {
    env: commandEnvironment(options.env ?? process.env, options.facts),
    timeoutMs: options.timeoutMs,
    onLine: (line) => options.log(`hook ${name}: ${line}`),
  });
  if (result.error !== undefined) options.log(`hook ${name}: could not run: ${result.error}`);
  if (result.timedOut) options.log(`hook ${name}: stopped after ${options.timeoutMs} ms`);
  else options.log(`hook ${name}: exit ${result.exitCode}`);
  return { exitCode: result.exitCode, timedOut: result.timedOut };
}

/** What a hook learns about the run, as SIMPLEBACKUP_* variables. */
export function runFacts(
  job: string,
  runId: string,
  repository: string,
  hook: HookName,
  result: BackupRunResult | undefined,
): Record<string, string> {
  const facts: Record<string, string> = {
    SIMPLEBACKUP_JOB: job,
    SIMPLEBACKUP_RUN_ID: runId,
    SIMPLEBACKUP_HOOK: hook,
    SIMPLEBACKUP_REPOSITORY: repository,
  };
  if (!result) return facts;
  facts.SIMPLEBACKUP_STATUS = result.status;
  facts.SIMPLEBACKUP_DURATION_MS = String(result.durationMs);
  if (result.snapshotId) facts.SIMPLEBACKUP_SNAPSHOT_ID = result.snapshotId;
  // No snapshot id then, yet the run succeeded: the last snapshot holds what a new one would.
  if (result.unchanged) facts.SIMPLEBACKUP_UNCHANGED = "1";
  if (result.error) {
    facts.SIMPLEBACKUP_ERROR_CODE = result.error.code;
    facts.SIMPLEBACKUP_ERROR_MESSAGE = result.error.message;
  }
  if (result.stats) {
    facts.SIMPLEBACKUP_FILES_NEW = String(result.stats.filesNew);
    facts.SIMPLEBACKUP_FILES_CHANGED = String(result.stats.filesChanged);
    facts.SIMPLEBACKUP_FILES_UNMODIFIED = String(result.stats.filesUnmodified);
    facts.SIMPLEBACKUP_DATA_ADDED = String(result.stats.dataAdded);
    facts.SIMPLEBACKUP_TOTAL_FILES = String(result.stats.totalFilesProcessed);
    facts.SIMPLEBACKUP_TOTAL_BYTES = String(result.stats.totalBytesProcessed);
  }
  return facts;
}
