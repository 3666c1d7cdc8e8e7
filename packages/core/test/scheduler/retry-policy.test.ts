import { describe, expect, it } from "vitest";
import { buildRetryPolicy, DEFAULT_RETRY_POLICY } from "../../src/config/retry-config.js";
import type { RetryPolicy } from "../../src/config/types.js";
import type { SimplebackupErrorCode } from "../../src/errors.js";
import { isRetryable, retryDelayMs } from "../../src/scheduler/retry-policy.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Every wait a policy produces, attempt by attempt, until it gives up. */
function waits(policy: RetryPolicy): (number | undefined)[] {
  return Array.from({ length: policy.attempts }, (_, index) => retryDelayMs(policy, index + 1));
}

describe("retryDelayMs", () => {
  it("waits each listed delay in turn and stops after the last attempt", () => {
    const policy: RetryPolicy = { attempts: 4, delaysMs: [MINUTE, 5 * MINUTE, 15 * MINUTE] };
    expect(waits(policy)).toEqual([MINUTE, 5 * MINUTE, 15 * MINUTE, undefined]);
  });

  it("repeats the last delay when attempts outnumber the delays", () => {
    const policy: RetryPolicy = { attempts: 5, delaysMs: [MINUTE, 10 * MINUTE] };
    expect(waits(policy)).toEqual([MINUTE, 10 * MINUTE, 10 * MINUTE, 10 * MINUTE, undefined]);
  });

  it("never retries with a single attempt", () => {
    expect(retryDelayMs({ attempts: 1, delaysMs: [MINUTE] }, 1)).toBeUndefined();
  });

  it("retries at once when a policy lists no delays", () => {
    expect(retryDelayMs({ attempts: 2, delaysMs: [] }, 1)).toBe(0);
  });

  it("gives up for attempt numbers past the end", () => {
    expect(retryDelayMs({ attempts: 3, delaysMs: [MINUTE] }, 7)).toBeUndefined();
  });

  it.each([0, -1, 1.5])("refuses attempt number %d", (attempt) => {
    expect(() => retryDelayMs(DEFAULT_RETRY_POLICY, attempt)).toThrow(RangeError);
  });

  it("defaults to 4 attempts after 1, 5 and 15 minutes", () => {
    expect(waits(DEFAULT_RETRY_POLICY)).toEqual([MINUTE, 5 * MINUTE, 15 * MINUTE, undefined]);
    expect(Object.isFrozen(DEFAULT_RETRY_POLICY.delaysMs)).toBe(true);
  });
});

describe("buildRetryPolicy", () => {
  it("keeps the defaults when the job sets nothing", () => {
    expect(buildRetryPolicy(undefined, DEFAULT_RETRY_POLICY)).toBe(DEFAULT_RETRY_POLICY);
    expect(buildRetryPolicy({}, DEFAULT_RETRY_POLICY)).toEqual(DEFAULT_RETRY_POLICY);
  });

  it("reads a fixed list of delays", () => {
    expect(
      buildRetryPolicy({ attempts: 5, delays: ["1m", "5m", "15m", "1h"] }, DEFAULT_RETRY_POLICY),
    ).toEqual({
      attempts: 5,
      delaysMs: [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR],
    });
  });

  it("keeps the default delays when only attempts change", () => {
    expect(buildRetryPolicy({ attempts: 6 }, DEFAULT_RETRY_POLICY)).toEqual({
      attempts: 6,
      delaysMs: DEFAULT_RETRY_POLICY.delaysMs,
    });
  });

  it("computes an exponential backoff, one wait per retry", () => {
    const policy = buildRetryPolicy(
      { attempts: 6, backoff: { initial: "1m", factor: 2, max: "1h" } },
      DEFAULT_RETRY_POLICY,
    );
    expect(policy).toEqual({
      attempts: 6,
      delaysMs: [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE, 16 * MINUTE],
    });
  });

  it("caps the backoff at its max and doubles by default", () => {
    const policy = buildRetryPolicy(
      { attempts: 10, backoff: { initial: "5m", max: "1h" } },
      DEFAULT_RETRY_POLICY,
    );
    expect(waits(policy)).toEqual([
      5 * MINUTE,
      10 * MINUTE,
      20 * MINUTE,
      40 * MINUTE,
      HOUR,
      HOUR,
      HOUR,
      HOUR,
      HOUR,
      undefined,
    ]);
  });

  it("builds no waits for a backoff with a single attempt", () => {
    const policy = buildRetryPolicy(
      { attempts: 1, backoff: { initial: "1m", max: "1h" } },
      DEFAULT_RETRY_POLICY,
    );
    expect(policy).toEqual({ attempts: 1, delaysMs: [] });
    expect(retryDelayMs(policy, 1)).toBeUndefined();
  });

  it.each([
    [{ attempts: 0 }, /at least 1/],
    [{ attempts: 2.5 }, /whole number/],
    [{ delays: ["5 minutes"] }, /"5 minutes" is not a duration/],
    [{ delays: [] }, /at least one/],
    [{ backoff: { initial: "1m", max: "soon" } }, /"soon" is not a duration/],
    [{ backoff: { initial: "1m", factor: 0.5, max: "1h" } }, /factor must be at least 1/],
    [{ delays: ["1m"], backoff: { initial: "1m", max: "1h" } }, /not both/],
  ])("refuses %j", (input, message) => {
    expect(() => buildRetryPolicy(input, DEFAULT_RETRY_POLICY)).toThrow(RangeError);
    expect(() => buildRetryPolicy(input, DEFAULT_RETRY_POLICY)).toThrow(message);
  });
});

describe("isRetryable", () => {
  it.each<[SimplebackupErrorCode, boolean]>([
    ["REPO_LOCKED", true],
    ["BACKEND_UNAVAILABLE", true],
    ["RESTIC_FAILED", true],
    ["WRONG_PASSWORD", false],
    ["PASSWORD_UNAVAILABLE", false],
    ["CONFIG_INVALID", false],
    ["REPO_NOT_FOUND", false],
    ["SOURCE_MISSING", false],
    ["DESTINATION_FULL", false],
    ["RESTIC_NOT_FOUND", false],
    ["INTERRUPTED", false],
  ])("%s: %s", (code, retryable) => {
    expect(isRetryable(code)).toBe(retryable);
  });

  it("does not retry a code it does not know", () => {
    expect(isRetryable("SOMETHING_NEW")).toBe(false);
  });
});
