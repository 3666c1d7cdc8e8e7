import type { RetryPolicy } from "../config/types.js";
import type { SimplebackupErrorCode } from "../errors.js";

/**
 * How long to wait before the next attempt once attempt `failedAttempt` (1-based) failed, or undefined
 * when that was the last attempt. The last delay repeats when attempts outnumber the delays.
 */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number | undefined {
  if (!Number.isInteger(failedAttempt) || failedAttempt < 1) {
    throw new RangeError(`Attempt numbers start at 1, got ${failedAttempt}`);
  }
  if (failedAttempt >= policy.attempts) return undefined;
  const { delaysMs } = policy;
  return delaysMs[Math.min(failedAttempt, delaysMs.length) - 1] ?? 0;
}

/**
 * Failures that a later attempt can plausibly fix: another process's lock ends, a backend comes back,
 * and an unknown restic failure gets the benefit of the doubt. Left out on purpose:
 * - WRONG_PASSWORD, PASSWORD_UNAVAILABLE: the password will not change by itself, and retrying a wrong
 *   one against a remote backend only spams it or gets the user locked out.
 * - CONFIG_INVALID, REPO_NOT_FOUND, SOURCE_MISSING, SOURCE_EMPTY, RESTIC_NOT_FOUND: need the user to
 *   change something (mount the drive).
 * - DESTINATION_FULL: a full disk does not empty itself within minutes, and each try leaves orphan packs
 *   behind that fill it further.
 * - INTERRUPTED: the user or the system stopped the run; retrying would fight them.
 * - DATABASE_AUTH_FAILED, DATABASE_NOT_FOUND, DATABASE_TOOL_MISSING, DATABASE_DUMP_FAILED: a refused
 *   login retried can lock the database account; the others need the config or the machine changed.
 */
const RETRYABLE: ReadonlySet<string> = new Set<SimplebackupErrorCode>([
  "REPO_LOCKED",
  "BACKEND_UNAVAILABLE",
  "RESTIC_FAILED",
  // A database server that did not answer may be back; a refused password or a missing database is not retried.
  "DATABASE_UNREACHABLE",
]);

export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}
