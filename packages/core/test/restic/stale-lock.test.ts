import { describe, expect, it } from "vitest";
import { RESTIC_STALE_LOCK_AFTER_MS, whyLockKept } from "../../src/restic/stale-lock.js";

// Why `restic unlock` kept a lock, by restic's rule: the host and the liveness of a PID are given,
// so each case is a plain fact, not this machine's.
const now = new Date("2026-12-01T12:00:00Z");
const minutesAgo = (minutes: number) => new Date(now.getTime() - minutes * 60_000).toISOString();
const running = (pid: number) => pid === 4242;

describe("whyLockKept", () => {
  it.each([
    ["a live process on this host", { hostname: "here", pid: 4242, time: minutesAgo(2) }, "process-running"],
    ["a fresh lock of another host", { hostname: "nas", pid: 4242, time: minutesAgo(29) }, "other-host"],
    [
      "a dead process on this host (restic should have removed it)",
      { hostname: "here", pid: 7, time: minutesAgo(2) },
      "unknown",
    ],
    ["a lock past restic's 30 minutes", { hostname: "nas", pid: 4242, time: minutesAgo(31) }, "unknown"],
    ["a time that does not parse", { hostname: "nas", pid: 4242, time: "yesterday" }, "unknown"],
    ["a holder that could not be read", undefined, "unknown"],
  ] as const)("says %s", (_what, holder, reason) => {
    expect(whyLockKept(holder, now, "here", running)).toBe(reason);
  });

  it("reads restic's nanosecond times with a zone, and uses restic's 30 minutes", () => {
    expect(RESTIC_STALE_LOCK_AFTER_MS).toBe(1_800_000);
    const holder = { hostname: "nas", pid: 1, time: "2026-12-01T13:45:00.123456789+01:00" };
    expect(whyLockKept(holder, now, "here", running)).toBe("other-host");
  });
});
