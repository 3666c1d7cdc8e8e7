import { describe, expect, it } from "vitest";
import type { BackupRunResult } from "../../src/backup/run-backup.js";
import { SimplebackupError, type SimplebackupErrorCode } from "../../src/errors.js";
import { JobTimeline, willRetry } from "../../src/scheduler/job-timeline.js";
import type { JobState } from "../../src/state/job-state.js";
import { makeJob } from "../helpers/job.js";

// The pure part of scheduling: every decision is a function of the job, its record and a time.

const at = (iso: string) => Date.parse(iso);
const HOURLY = makeJob({ schedule: "0 * * * *" });

function known(since: string, lastSuccessStartedAt?: string): JobState {
  const success = lastSuccessStartedAt
    ? {
        runId: "r",
        startedAt: lastSuccessStartedAt,
        finishedAt: lastSuccessStartedAt,
        status: "success" as const,
      }
    : undefined;
  return { knownSince: since, ...(success ? { lastSuccess: success } : {}) };
}

function failed(code: SimplebackupErrorCode, phase: "backup" | "retention" = "backup"): BackupRunResult {
  return {
    job: "docs",
    runId: "run-1",
    status: "failed",
    snapshotId: phase === "retention" ? "abcd1234" : undefined,
    stats: phase === "retention" ? ({ dataAdded: 1 } as BackupRunResult["stats"]) : undefined,
    error: new SimplebackupError(code, "it broke"),
    phase,
    repositoryInitialized: false,
    retention: { status: phase === "retention" ? "failed" : "skipped", reason: "not-reached" },
    unreadable: [],
    missingSources: [],
    startedAt: new Date(0),
    durationMs: 1,
  };
}

describe("the next slot", () => {
  it("is the next cron slot, plus the job's stable jitter", () => {
    const timeline = new JobTimeline(HOURLY, undefined, at("2026-01-01T10:20:00Z"), "start");
    expect(timeline.nextSlotAt).toBe(at("2026-01-01T11:00:00Z"));
    const jittered = new JobTimeline(
      makeJob({ jitterMs: 600_000 }),
      undefined,
      at("2026-01-01T10:20:00Z"),
      "start",
    );
    expect(jittered.dueAt).toBeGreaterThanOrEqual(jittered.nextSlotAt);
    expect(jittered.dueAt).toBeLessThan(jittered.nextSlotAt + 600_000);
    expect(jittered.dueAt).toBe(
      new JobTimeline(makeJob({ jitterMs: 600_000 }), undefined, at("2026-01-01T10:20:00Z"), "start").dueAt,
    );
  });

  it("catches up a slot missed while the daemon was down, at start only", () => {
    const state = known("2026-01-01T08:00:00Z", "2026-01-01T08:00:00Z");
    const now = at("2026-01-01T10:20:00Z");
    expect(new JobTimeline(HOURLY, state, now, "start").nextSlotAt).toBe(at("2026-01-01T10:00:00Z"));
    expect(new JobTimeline(HOURLY, state, now, "reload").nextSlotAt).toBe(at("2026-01-01T11:00:00Z"));
  });

  it("does not catch up a slot before the job was known, before its last success, or with catch_up off", () => {
    const now = at("2026-01-01T10:20:00Z");
    const cases: [JobState | undefined, boolean][] = [
      [undefined, true], // never seen: nothing to catch up
      [known("2026-01-01T10:10:00Z"), true], // known only after the last slot
      [known("2026-01-01T08:00:00Z", "2026-01-01T10:05:00Z"), true], // succeeded since the slot
      [known("2026-01-01T08:00:00Z"), false], // catch_up off
    ];
    for (const [state, catchUp] of cases) {
      const timeline = new JobTimeline(makeJob({ catchUp }), state, now, "start");
      expect(timeline.nextSlotAt).toBe(at("2026-01-01T11:00:00Z"));
    }
  });
});

describe("a slot that comes", () => {
  it("is nothing before it is due, then runs once and moves on to the next slot", () => {
    const timeline = new JobTimeline(HOURLY, undefined, at("2026-01-01T10:20:00Z"), "start");
    const runId = timeline.nextRunId;
    expect(timeline.takeDueSlot(at("2026-01-01T10:59:59Z"), false)).toBeUndefined();
    const slot = timeline.takeDueSlot(at("2026-01-01T11:00:00Z"), false);
    expect(slot).toEqual({
      runId,
      dueAt: at("2026-01-01T11:00:00Z"),
      verdict: { action: "run", reason: "schedule" },
    });
    expect(timeline.nextSlotAt).toBe(at("2026-01-01T12:00:00Z"));
    expect(timeline.nextRunId).not.toBe(runId);
    expect(timeline.takeDueSlot(at("2026-01-01T11:00:01Z"), false)).toBeUndefined();
  });

  it("is skipped while the last run still goes", () => {
    const timeline = new JobTimeline(HOURLY, undefined, at("2026-01-01T10:20:00Z"), "start");
    expect(timeline.takeDueSlot(at("2026-01-01T11:00:00Z"), true)?.verdict).toEqual({
      action: "skip",
      reason: "already-running",
    });
  });

  it("runs late as a catch-up, or is skipped as missed with catch_up off", () => {
    const late = at("2026-01-01T11:05:00Z");
    const catching = new JobTimeline(HOURLY, undefined, at("2026-01-01T10:20:00Z"), "start");
    expect(catching.takeDueSlot(late, false)?.verdict).toEqual({ action: "run", reason: "catch-up" });
    const strict = new JobTimeline(
      makeJob({ catchUp: false }),
      undefined,
      at("2026-01-01T10:20:00Z"),
      "start",
    );
    expect(strict.takeDueSlot(late, false)?.verdict).toEqual({ action: "skip", reason: "missed-slot" });
    // Within a minute is on time, not late.
    const onTime = new JobTimeline(
      makeJob({ catchUp: false }),
      undefined,
      at("2026-01-01T10:20:00Z"),
      "start",
    );
    expect(onTime.takeDueSlot(at("2026-01-01T11:00:59Z"), false)?.verdict.action).toBe("run");
  });

  it("starts a new cycle of attempts: a retry pending for the old slot is dropped", () => {
    const timeline = new JobTimeline(HOURLY, undefined, at("2026-01-01T10:20:00Z"), "start");
    timeline.planRetry(at("2026-01-01T10:58:00Z"), 1, failed("REPO_LOCKED"), undefined);
    expect(timeline.retryAt).toBe(at("2026-01-01T10:59:00Z"));
    timeline.takeDueSlot(at("2026-01-01T11:00:00Z"), false);
    expect([timeline.retryAt, timeline.failedAttempt]).toEqual([undefined, 0]);
  });
});

describe("retries", () => {
  it("follow the configured delays, the last one repeating, until the attempts are used up", () => {
    const job = makeJob({ retry: { attempts: 4, delaysMs: [60_000, 300_000] } });
    const timeline = new JobTimeline(job, undefined, 0, "start");
    expect(timeline.planRetry(1000, 1, failed("BACKEND_UNAVAILABLE"), undefined)).toEqual({
      action: "retry",
      at: 61_000,
    });
    expect(timeline.failedAttempt).toBe(1);
    expect(timeline.planRetry(1000, 2, failed("BACKEND_UNAVAILABLE"), undefined)).toEqual({
      action: "retry",
      at: 301_000,
    });
    expect(timeline.planRetry(1000, 3, failed("BACKEND_UNAVAILABLE"), undefined)).toEqual({
      action: "retry",
      at: 301_000,
    });
    expect(timeline.planRetry(1000, 4, failed("BACKEND_UNAVAILABLE"), undefined)).toEqual({
      action: "give-up",
    });
    expect(willRetry(job, 3, "BACKEND_UNAVAILABLE")).toBe(true);
    expect(willRetry(job, 4, "BACKEND_UNAVAILABLE")).toBe(false);
  });

  it("are not made for failures a retry cannot fix, nor said to give up with a single attempt", () => {
    const timeline = new JobTimeline(makeJob(), undefined, 0, "start");
    for (const code of ["WRONG_PASSWORD", "DESTINATION_FULL", "SOURCE_MISSING", "INTERRUPTED"] as const) {
      expect(timeline.planRetry(0, 1, failed(code), undefined)).toEqual({ action: "none" });
      expect(willRetry(timeline.job, 1, code)).toBe(false);
    }
    const once = new JobTimeline(makeJob({ retry: { attempts: 1, delaysMs: [] } }), undefined, 0, "start");
    expect(once.planRetry(0, 1, failed("REPO_LOCKED"), undefined)).toEqual({ action: "none" });
  });

  it("of a failed retention re-run forget for the snapshot the backup made, never a second backup", () => {
    const timeline = new JobTimeline(makeJob(), undefined, 0, "start");
    timeline.planRetry(0, 1, failed("REPO_LOCKED", "retention"), undefined);
    expect(timeline.retentionOf).toMatchObject({ snapshotId: "abcd1234" });
    // A retry of that retention that fails again keeps retrying the same snapshot's retention.
    const kept = timeline.retentionOf;
    timeline.planRetry(0, 2, failed("REPO_LOCKED"), kept);
    expect(timeline.retentionOf).toBe(kept);
  });

  it("come due once", () => {
    const timeline = new JobTimeline(makeJob(), undefined, 0, "start");
    timeline.planRetry(0, 1, failed("REPO_LOCKED"), undefined);
    expect(timeline.takeDueRetry(59_999)).toBe(false);
    expect(timeline.takeDueRetry(60_000)).toBe(true);
    expect(timeline.takeDueRetry(60_001)).toBe(false);
  });
});

describe("staleness", () => {
  const job = makeJob({ alertAfterMs: 3_600_000 });

  it("is due alert_after past the last success, raised once, and ends with the next success", () => {
    const state = known("2026-01-01T00:00:00Z", "2026-01-01T08:00:00Z");
    const timeline = new JobTimeline(job, state, at("2026-01-01T08:30:00Z"), "start");
    expect(timeline.staleAt).toBe(at("2026-01-01T09:00:00Z"));
    expect(timeline.takeStaleAlert(at("2026-01-01T08:59:59Z"))).toBe(false);
    expect(timeline.takeStaleAlert(at("2026-01-01T09:00:00Z"))).toBe(true);
    expect(timeline.takeStaleAlert(at("2026-01-01T12:00:00Z"))).toBe(false);
    expect(timeline.succeeded(at("2026-01-01T13:00:00Z"))).toBe(at("2026-01-01T09:00:00Z"));
    expect(timeline.staleAt).toBe(at("2026-01-01T14:00:00Z"));
    expect(timeline.succeeded(at("2026-01-01T13:30:00Z"))).toBeUndefined();
  });

  it("counts from when the job became known when it never succeeded, and is not repeated after a restart", () => {
    const timeline = new JobTimeline(job, known("2026-01-01T00:00:00Z"), at("2026-01-01T00:10:00Z"), "start");
    expect(timeline.staleAt).toBe(at("2026-01-01T01:00:00Z"));
    const alerted = { ...known("2026-01-01T00:00:00Z"), staleAlertedAt: "2026-01-01T01:00:00Z" };
    const restarted = new JobTimeline(job, alerted, at("2026-01-01T05:00:00Z"), "start");
    expect(restarted.staleAt).toBeUndefined();
    expect(restarted.staleSince).toBe(at("2026-01-01T01:00:00Z"));
  });

  it("is off without alert_after", () => {
    expect(new JobTimeline(makeJob(), known("2026-01-01T00:00:00Z"), 0, "start").staleAt).toBeUndefined();
  });
});

describe("checks and drills", () => {
  it("come due on their own schedules, each once per slot", () => {
    const job = makeJob({
      check: { schedule: "0 3 * * *", readDataGroups: 4 },
      drill: { schedule: "0 4 * * 0", files: 10 },
    });
    const timeline = new JobTimeline(job, undefined, at("2026-01-01T00:00:00Z"), "start"); // a Thursday
    expect(timeline.nextMaintenanceAt.check).toBe(at("2026-01-01T03:00:00Z"));
    expect(timeline.nextMaintenanceAt.drill).toBe(at("2026-01-04T04:00:00Z"));
    expect(timeline.takeDueMaintenance(at("2026-01-01T02:59:00Z"))).toEqual([]);
    expect(timeline.takeDueMaintenance(at("2026-01-01T03:00:00Z"))).toEqual(["check"]);
    expect(timeline.takeDueMaintenance(at("2026-01-01T03:00:01Z"))).toEqual([]);
    expect(timeline.nextMaintenanceAt.check).toBe(at("2026-01-02T03:00:00Z"));
  });

  it("wake the scheduler like backups, retries and alerts do: the earliest of them all", () => {
    const job = makeJob({ schedule: "0 12 * * *", check: { schedule: "0 3 * * *", readDataGroups: 1 } });
    const timeline = new JobTimeline(job, undefined, at("2026-01-01T00:00:00Z"), "start");
    expect(timeline.wakeAt).toBe(at("2026-01-01T03:00:00Z"));
    timeline.planRetry(at("2026-01-01T00:00:00Z"), 1, failed("REPO_LOCKED"), undefined);
    expect(timeline.wakeAt).toBe(at("2026-01-01T00:01:00Z"));
  });
});

describe("a config edit", () => {
  it("reschedules a changed schedule with a new run id, and keeps the slot of an unrelated change", () => {
    const now = at("2026-01-01T10:20:00Z");
    const timeline = new JobTimeline(HOURLY, undefined, now, "start");
    const runId = timeline.nextRunId;
    expect(
      timeline.update(makeJob({ schedule: "0 * * * *", sources: ["/elsewhere"] }), now, undefined),
    ).toEqual({
      rescheduled: false,
    });
    expect([timeline.nextSlotAt, timeline.nextRunId]).toEqual([at("2026-01-01T11:00:00Z"), runId]);
    expect(timeline.update(makeJob({ schedule: "30 * * * *" }), now, undefined)).toEqual({
      rescheduled: true,
    });
    expect(timeline.nextSlotAt).toBe(at("2026-01-01T10:30:00Z"));
    expect(timeline.nextRunId).not.toBe(runId);
  });

  it("plans checks and staleness alerts that were added", () => {
    const now = at("2026-01-01T10:20:00Z");
    const timeline = new JobTimeline(HOURLY, undefined, now, "start");
    timeline.update(
      makeJob({ alertAfterMs: 3_600_000, check: { schedule: "0 3 * * *", readDataGroups: 1 } }),
      now,
      undefined,
    );
    expect(timeline.staleAt).toBe(now + 3_600_000);
    expect(timeline.nextMaintenanceAt.check).toBe(at("2026-01-02T03:00:00Z"));
  });
});
