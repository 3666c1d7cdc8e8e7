import { hostname } from "node:os";
import type { BackupJob } from "../config/types.js";
import { ResticError } from "../errors.js";
import type { RunContext, StaleLockRemovedEvent } from "../events.js";
import { formatHumanDuration } from "../format/duration.js";
import { isAlive } from "../system/process-alive.js";
import {
  type BackendRetry,
  backendUnreachableFailure,
  describeUnreachable,
  type ResticTimers,
  realTimers,
} from "./backend-watchdog.js";
import { classifyFailure, parseLockHolder, stderrTail } from "./classify.js";
import { buildListLocksArgs, buildUnlockArgs } from "./commands/unlock.js";
import { buildResticEnvironment } from "./environment.js";
import { parseResticLine, type ResticMessage } from "./messages.js";
import type { ResticProcessResult, StopEscalation } from "./process.js";
import type { Restic } from "./restic.js";
import { isStaleLock } from "./stale-lock.js";

/** What running restic for a job takes besides the job: the actions' and the backup's common options. */
export interface JobResticSetup {
  readonly restic: Restic;
  /** The environment restic inherits and `password_env` reads from. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Aborting interrupts restic with SIGINT, so it removes its lock. */
  readonly signal?: AbortSignal;
  /** Receives the restic command lines (which hold no secrets), restic's stderr, and notices. */
  readonly log?: (line: string) => void;
  /** A lock older than this is removed. @default the job's staleLockAfterMs */
  readonly staleLockAfterMs?: number;
  /** restic is stopped once it has retried a backend request this long. @default the job's value */
  readonly backendUnreachableAfterMs?: number;
  /** @default the real timers */
  readonly timers?: ResticTimers;
  /** How restic is stopped when it ignores SIGINT. @default SIGTERM after 3 s, SIGKILL 2 s later */
  readonly stopEscalation?: StopEscalation;
  /**
   * Every command runs with `--no-lock`: reads that must never make a backup, a forget or a check of
   * the same repository wait or fail on their lock (the dashboard's browsing). Never for a command
   * that writes.
   */
  readonly readOnly?: boolean;
}

/**
 * What became of a lock restic may have left when it was stopped (interrupted, or the repository could
 * not be reached): `restic unlock` removed it, failed, or was skipped because the repository cannot be
 * reached. Either way a lock left behind has no process any more: the next run removes it.
 */
export type LockCleanup = "unlocked" | "unlock-failed" | "unlock-skipped" | "no-lock-taken";

/** A restic run, and what became of its lock when it was stopped. */
export interface JobResticResult extends ResticProcessResult {
  readonly lockCleanup?: LockCleanup;
}

/** `restic unlock` after a stop gets this long; a signal must end a command within 10 s. */
const UNLOCK_AFTER_STOP_MS = 2_500;
const UNLOCK_STOP_ESCALATION: StopEscalation = { sigtermAfterMs: 250, sigkillAfterMs: 250 };

/** What one command takes besides its arguments: callbacks for its lines, and for a stdin backup its input. */
export interface ResticRunExtras {
  readonly onStdoutLine?: (line: string) => void;
  readonly onStderrLine?: (line: string) => void;
  /** Added to the job's environment for this command only (a dump tool's settings, for --stdin-from-command). */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Makes restic's stdin, called at each start of the command: a run once more after a stale lock was
   * removed needs its input from the beginning.
   */
  readonly stdin?: () => NodeJS.ReadableStream | number;
  /** Where restic's stdout goes as bytes (`dump`), instead of lines: `stdout` of runResticProcess. */
  readonly stdout?: NodeJS.WritableStream;
  /** Stops this command too (with SIGINT, as the job's signal does): a dump feeding it failed. */
  readonly signal?: AbortSignal;
}

/** A lock that {@link JobRestic.run} removed before running its command once more: the event's facts. */
export type StaleLockRemoval = Omit<StaleLockRemovedEvent, "type" | keyof RunContext>;

/** What {@link createJobRestic} takes besides the action options. */
export interface JobResticOptions {
  /** Status lines per second from restic. @default 1 */
  readonly progressFps?: number;
  /** Told of each stale lock removed. @default logs `removed a stale lock of PID …` */
  readonly onStaleLockRemoved?: (removal: StaleLockRemoval) => void;
  /**
   * The environment restic runs with, from the inherited one and the status rate: another repository
   * of the job (a copy target) than its own. @default the job's repository ({@link buildResticEnvironment})
   */
  readonly environment?: (
    processEnv: NodeJS.ProcessEnv,
    progressFps: number,
  ) => Record<string, string | undefined>;
}

export interface JobRestic {
  /**
   * Runs one restic command for the job. When it fails on a lock whose holder is gone, removes that
   * lock with `restic unlock` (never `--remove-all`) and runs the command once more, as backups do.
   */
  run(args: readonly string[], lines?: ResticRunExtras): Promise<JobResticResult>;
  /**
   * The typed error for a failed run, named by what restic printed: `messages` when given (JSON lines
   * the caller already parsed), else the JSON lines of its stderr.
   */
  error(result: JobResticResult, args: readonly string[], messages?: readonly ResticMessage[]): ResticError;
  /** Runs, and throws the typed error unless restic exited 0. */
  runOk(args: readonly string[], lines?: ResticRunExtras): Promise<JobResticResult>;
}

/**
 * restic bound to one job: its repository and password in the environment (never on argv), the
 * caller's abort signal, its log, and the stale-lock rule of {@link isStaleLock}.
 * @throws SimplebackupError PASSWORD_UNAVAILABLE when `password_env` names an unset variable.
 */
export function createJobRestic(
  job: BackupJob,
  options: JobResticSetup,
  { progressFps = 1, onStaleLockRemoved, environment }: JobResticOptions = {},
): JobRestic {
  const env = (environment ?? ((processEnv, fps) => buildResticEnvironment(job, processEnv, fps)))(
    options.env ?? process.env,
    progressFps,
  );
  const log = (line: string) => options.log?.(line);
  const staleLockRemoved =
    onStaleLockRemoved ??
    ((removal: StaleLockRemoval) =>
      log(
        `removed a stale lock of PID ${removal.holderPid} on ${removal.holderHost} (${removal.reason === "holder-gone" ? "the process is gone" : "older than the limit"})`,
      ));

  const processOptions = {
    env,
    backendUnreachableAfterMs: options.backendUnreachableAfterMs ?? job.backendUnreachableAfterMs,
    timers: options.timers,
    stopEscalation: options.stopEscalation,
    onNotice: log,
  };

  const once = async (commandArgs: readonly string[], extra: ResticRunExtras = {}) => {
    // Right after the subcommand: a global flag there is read before any `--` ending the flags.
    const args = options.readOnly
      ? [commandArgs[0] ?? "", "--no-lock", ...commandArgs.slice(1)]
      : commandArgs;
    log(`$ restic ${args.join(" ")}`);
    const result = await options.restic.run(args, {
      ...processOptions,
      ...(extra.env ? { env: { ...env, ...extra.env } } : {}),
      ...(extra.stdin ? { stdin: extra.stdin() } : {}),
      ...(extra.stdout ? { stdout: extra.stdout } : {}),
      signal: extra.signal ? anySignal(options.signal, extra.signal) : options.signal,
      onStdoutLine: extra.onStdoutLine,
      onStderrLine: (line) => {
        log(`restic: ${line}`);
        extra.onStderrLine?.(line);
      },
    });
    if (result.backendUnreachable) log(`stopped restic: ${describeUnreachable(result.backendUnreachable)}`);
    return result;
  };

  const error: JobRestic["error"] = (result, args, messages) => {
    const exitCode = result.interrupted && result.exitCode === undefined ? 130 : result.exitCode;
    const { code, message } = result.interrupted
      ? { code: "INTERRUPTED" as const, message: describeInterrupt(result.lockCleanup) }
      : result.backendUnreachable
        ? backendUnreachableFailure(result.backendUnreachable)
        : classifyFailure({
            exitCode,
            stderr: result.stderr,
            // 0.18 states its fatal error as JSON (`exit_error`) among the text.
            messages: messages ?? result.stderr.split("\n").flatMap((line) => parseResticLine(line) ?? []),
          });
    return new ResticError(code, message, { command: args, exitCode, stderrTail: stderrTail(result.stderr) });
  };

  const run: JobRestic["run"] = async (args, extra) => {
    const result = await once(args, extra);
    if (result.backendUnreachable || (result.interrupted && result.exitCode !== 0)) {
      // A read-only command ran with --no-lock: it left no lock, and `restic unlock` would write to a
      // repository that was only browsed (a download the browser cancelled), once per cancel.
      if (options.readOnly) return { ...result, lockCleanup: "no-lock-taken" };
      return { ...result, lockCleanup: await removeLockLeftByStop(result.backendFailing) };
    }
    if (result.exitCode === 0) return result;
    const holder = parseLockHolder(result.stderr);
    if (!holder || !isStaleLock(holder, options.staleLockAfterMs ?? job.staleLockAfterMs)) return result;
    // A lock this repository does not list is gone, or is in the other repository of a command that
    // opens two (restic copy's source: `unlock` here could not remove it): nothing is removed, nor
    // said to be, and the command runs once more.
    if (holder.storageId !== undefined && !(await lockRemains(holder.storageId))) {
      log(`the lock of PID ${holder.pid} on ${holder.host} is not in this repository; running again`);
      return once(args, extra);
    }

    const unlockArgs = buildUnlockArgs();
    log(`$ restic ${unlockArgs.join(" ")}`);
    const unlock = await options.restic.run(unlockArgs, { ...processOptions, signal: options.signal });
    if (unlock.exitCode !== 0) return result;
    // `restic unlock` keeps what restic judges live (another host's lock younger than 30 minutes,
    // whatever stale_lock_after says): then nothing was removed, and nothing may say it was.
    if (holder.storageId !== undefined && (await lockRemains(holder.storageId))) {
      log(`the lock of PID ${holder.pid} on ${holder.host} is live as restic judges it; it stays`);
      return result;
    }
    const gone = holder.host === hostname() && !isAlive(holder.pid);
    staleLockRemoved({
      holderPid: holder.pid,
      holderHost: holder.host,
      ageSeconds: holder.ageSeconds,
      reason: gone ? "holder-gone" : "older-than-limit",
    });
    return once(args, extra);
  };

  const lockRemains = async (storageId: string) => {
    const list = await options.restic.run(buildListLocksArgs(), {
      ...processOptions,
      signal: options.signal,
    });
    return list.exitCode === 0 && list.stdout.split("\n").some((id) => id.trim().startsWith(storageId));
  };

  // restic 0.14 marks its lock for removal on SIGINT only ~200 ms after creating it; a signal before
  // that leaves the lock behind (measured: 4 of 4 runs). Its holder is gone now, so plain `unlock`
  // (never --remove-all) removes it, and nothing of a live process. Not given the aborted signal, but a
  // deadline of its own. Skipped while the backend fails: it would only retry against it too.
  const removeLockLeftByStop = async (failing: BackendRetry | undefined): Promise<LockCleanup> => {
    if (failing) {
      log(
        `restic unlock skipped: the repository cannot be reached (${failing.cause}); a lock restic may have left has no process any more, and the next run removes it`,
      );
      return "unlock-skipped";
    }
    const unlockArgs = buildUnlockArgs();
    log(`$ restic ${unlockArgs.join(" ")} (restic was stopped; removes a lock it may have left)`);
    const timers = options.timers ?? realTimers;
    const deadline = new AbortController();
    const timer = timers.setTimer(() => deadline.abort(), UNLOCK_AFTER_STOP_MS);
    const unlock = await options.restic
      .run(unlockArgs, { ...processOptions, signal: deadline.signal, stopEscalation: UNLOCK_STOP_ESCALATION })
      .finally(() => timers.clearTimer(timer));
    if (unlock.exitCode === 0 && !unlock.interrupted) return "unlocked";
    const why = unlock.interrupted
      ? `stopped after ${formatHumanDuration(UNLOCK_AFTER_STOP_MS)}`
      : `exit ${unlock.exitCode}: ${stderrTail(unlock.stderr)}`;
    log(`restic unlock failed (${why}); the next run removes a lock restic may have left`);
    return "unlock-failed";
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

function describeInterrupt(lockCleanup: LockCleanup | undefined): string {
  switch (lockCleanup) {
    case "unlock-skipped":
      return "interrupted: restic was asked to stop while it could not reach the repository; restic unlock skipped, the next run removes a lock it may have left";
    case "unlock-failed":
      return "interrupted: restic was asked to stop; a lock it may have left could not be removed now, the next run removes it";
    case "no-lock-taken":
      return "interrupted: restic was asked to stop (it only read, without a lock)";
    default:
      return "interrupted: restic was asked to stop and removed its lock";
  }
}

function anySignal(first: AbortSignal | undefined, second: AbortSignal): AbortSignal {
  return first ? AbortSignal.any([first, second]) : second;
}
