import { parseDuration } from "../config/duration.js";
import type { RetryPolicy } from "../config/types.js";
import type { SimplebackupErrorCode } from "../errors.js";

/** Four attempts in all, waiting 1 minute, 5 minutes, then 15 minutes between them. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  attempts: 4,
  delaysMs: Object.freeze([60_000, 300_000, 900_000]),
});

/** The retry settings as a config file writes them: a fixed list of waits, or an exponential backoff. */
export interface RetryInput {
  readonly attempts?: number;
  readonly delays?: readonly string[];
  readonly backoff?: { readonly initial: string; readonly factor?: number; readonly max: string };
}

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
 * Turns the config form into a policy. The schema has validated the input already; the RangeErrors here
 * guard against a caller that skipped it, so a typo can never become a tight retry loop.
 */
export function buildRetryPolicy(input: RetryInput | undefined, defaults: RetryPolicy): RetryPolicy {
  if (input === undefined) return defaults;
  const attempts = input.attempts ?? defaults.attempts;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`retry attempts must be a whole number of at least 1, got ${attempts}`);
  }
  if (input.delays !== undefined && input.backoff !== undefined) {
    throw new RangeError("retry takes either a list of delays or a backoff, not both");
  }

  if (input.delays !== undefined) {
    if (input.delays.length === 0) throw new RangeError("retry delays must list at least one duration");
    return { attempts, delaysMs: input.delays.map(requireDuration) };
  }
  if (input.backoff !== undefined) {
    const initial = requireDuration(input.backoff.initial);
    const max = requireDuration(input.backoff.max);
    const factor = input.backoff.factor ?? 2;
    if (!Number.isFinite(factor) || factor < 1) {
      throw new RangeError(`retry backoff factor must be at least 1, got ${factor}`);
    }
    // One wait per retry, so attempts - 1 of them; more would never be used.
    const delaysMs = Array.from({ length: attempts - 1 }, (_, retry) =>
      Math.min(Math.round(initial * factor ** retry), max),
    );
    return { attempts, delaysMs };
  }
  return { attempts, delaysMs: defaults.delaysMs };
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
 */
const RETRYABLE: ReadonlySet<string> = new Set<SimplebackupErrorCode>([
  "REPO_LOCKED",
  "BACKEND_UNAVAILABLE",
  "RESTIC_FAILED",
]);

export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}

function requireDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new RangeError(`${JSON.stringify(text)} is not a duration such as "5m" or "1h30m"`);
  return ms;
}
