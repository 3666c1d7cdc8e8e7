import { hostname } from "node:os";
import { isStaleLock } from "../backup/stale-lock.js";
import type { BackupJob } from "../config/types.js";
import { ResticError, SimplebackupError } from "../errors.js";
import { buildUnlockArgs } from "../restic/args.js";
import { classifyFailure, parseLockHolder, stderrTail } from "../restic/classify.js";
import { buildResticEnvironment } from "../restic/environment.js";
import { parseResticLine } from "../restic/output.js";
import type { ResticProcessResult } from "../restic/process.js";
import type { Restic } from "../restic/restic.js";
import { isAlive } from "../state/process-alive.js";

/** What every action takes besides the job. */
export interface ActionOptions {
  readonly restic: Restic;
  /** The environment restic inherits and `password_env` reads from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting interrupts restic with SIGINT, so it removes its lock. */
  readonly signal?: AbortSignal;
  /** Receives the restic command lines (which hold no secrets), restic's stderr, and notices. */
  readonly log?: (line: string) => void;
  /** A lock older than this is removed. @default the job's staleLockAfterMs */
  readonly staleLockAfterMs?: number;
}

/** Codes the actions add to `SimplebackupErrorCode`. */
export type ActionErrorCode = "TARGET_NOT_EMPTY" | "TARGET_IN_PLACE" | "SNAPSHOT_NOT_FOUND";

export function actionError(code: ActionErrorCode, message: string): SimplebackupError {
  return new SimplebackupError(code, message);
}

export interface JobRestic {
  /**
   * Runs one restic command for the job. When it fails on a lock whose holder is gone, removes that
   * lock with `restic unlock` (never `--remove-all`) and runs the command once more, as backups do.
   */
  run(
    args: readonly string[],
    extra?: { onStdoutLine?: (line: string) => void; onStderrLine?: (line: string) => void },
  ): Promise<ResticProcessResult>;
  /** The typed error for a failed run, named by what restic printed. */
  error(result: ResticProcessResult, args: readonly string[]): ResticError;
  /** Runs, and throws the typed error unless restic exited 0. */
  runOk(
    args: readonly string[],
    extra?: { onStdoutLine?: (line: string) => void; onStderrLine?: (line: string) => void },
  ): Promise<ResticProcessResult>;
}

/**
 * restic bound to one job: its repository and password in the environment (never on argv), the
 * caller's abort signal, its log, and the stale-lock rule of {@link isStaleLock}.
 * @throws SimplebackupError PASSWORD_UNAVAILABLE when `password_env` names an unset variable.
 */
export function createJobRestic(job: BackupJob, options: ActionOptions, progressFps = 1): JobRestic {
  const env = buildResticEnvironment(job, options.env ?? process.env, progressFps);
  const log = (line: string) => options.log?.(line);

  const once = (args: readonly string[], extra: Parameters<JobRestic["run"]>[1] = {}) => {
    log(`$ restic ${args.join(" ")}`);
    return options.restic.run(args, {
      env,
      signal: options.signal,
      onStdoutLine: extra.onStdoutLine,
      onStderrLine: (line) => {
        log(`restic: ${line}`);
        extra.onStderrLine?.(line);
      },
    });
  };

  const error: JobRestic["error"] = (result, args) => {
    const exitCode = result.interrupted && result.exitCode === undefined ? 130 : result.exitCode;
    const { code, message } = result.interrupted
      ? {
          code: "INTERRUPTED" as const,
          message: "interrupted: restic was asked to stop and removed its lock",
        }
      : classifyFailure({
          exitCode,
          stderr: result.stderr,
          // 0.18 states its fatal error as JSON (`exit_error`) among the text.
          messages: result.stderr.split("\n").flatMap((line) => parseResticLine(line) ?? []),
        });
    return new ResticError(code, message, { command: args, exitCode, stderrTail: stderrTail(result.stderr) });
  };

  const run: JobRestic["run"] = async (args, extra) => {
    const result = await once(args, extra);
    if (result.exitCode === 0 || result.interrupted) return result;
    const holder = parseLockHolder(result.stderr);
    if (!holder || !isStaleLock(holder, options.staleLockAfterMs ?? job.staleLockAfterMs)) return result;

    const unlockArgs = buildUnlockArgs();
    log(`$ restic ${unlockArgs.join(" ")}`);
    const unlock = await options.restic.run(unlockArgs, { env, signal: options.signal });
    if (unlock.exitCode !== 0) return result;
    const gone = holder.host === hostname() && !isAlive(holder.pid);
    log(
      `removed a stale lock of PID ${holder.pid} on ${holder.host} (${gone ? "the process is gone" : "older than the limit"})`,
    );
    return once(args, extra);
  };

  return {
    run,
    error,
    async runOk(args, extra) {
      const result = await run(args, extra);
      if (result.exitCode !== 0 || result.interrupted) throw error(result, args);
      return result;
    },
  };
}

/**
 * Reads the output of a restic run that succeeded. Output of an unexpected shape (a restic version
 * that changed it) becomes a typed failure naming the command, not an unexplained crash.
 */
export function readOutput<T>(args: readonly string[], read: () => T): T {
  try {
    return read();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ResticError("RESTIC_FAILED", message, {
      command: args,
      exitCode: 0,
      stderrTail: "",
      cause: error,
    });
  }
}
