import { describe, expect, it } from "vitest";
import { skippedEvent, staleEvent } from "../../src/scheduler/job-events.js";
import { makeJob } from "../helpers/job.js";

const HOUR = 3_600_000;
const job = makeJob({ name: "Photos", alertAfterMs: 24 * HOUR });

describe("the schedule's events in words", () => {
  it("say how long a job has gone without a complete backup", () => {
    const now = Date.parse("2026-01-03T08:00:00Z");
    expect(staleEvent(job, now - 32 * HOUR, now)).toMatchObject({
      type: "stale",
      job: "Photos",
      alertAfterMs: 24 * HOUR,
      lastSuccessAt: new Date(now - 32 * HOUR),
      message: "no successful backup for 1d 8h",
    });
    expect(staleEvent(job, undefined, now)).toMatchObject({
      lastSuccessAt: undefined,
      message: "no successful backup since simplebackup started watching this job, 1d ago",
    });
  });

  it("say why a slot is not run", () => {
    const dueAt = Date.parse("2026-01-03T08:00:00Z");
    const busy = skippedEvent(
      job,
      { runId: "r", dueAt, verdict: { action: "skip", reason: "already-running" } },
      dueAt,
    );
    expect(busy.message).toBe("the previous run is still going; this slot is not started twice");
    const missed = skippedEvent(
      job,
      { runId: "r", dueAt, verdict: { action: "skip", reason: "missed-slot" } },
      dueAt,
    );
    expect(missed).toMatchObject({ reason: "missed-slot", runId: "r" });
    expect(missed.message).toMatch(
      /^the slot at 2026-01-0[23] \d\d:00:00 [+-]\d\d:\d\d passed while not running, and catch_up is off$/,
    );
  });
});
