import { parseDuration } from "./duration.js";
import type { RetryPolicy } from "./types.js";

// The config's retry settings, read into a policy; the scheduler applies it (scheduler/retry-policy.ts).

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

function requireDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined)
    throw new RangeError(`${JSON.stringify(text)} is not a duration such as "5m" or "1h30m"`);
  return ms;
}
