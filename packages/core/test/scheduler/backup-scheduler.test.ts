import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from "vitest";
import { SimplebackupError } from "../../src/errors.js";
import type { SchedulerEvent, SchedulerEvents, SchedulerEventType } from "../../src/events.js";
import { BackupScheduler } from "../../src/scheduler/backup-scheduler.js";
import { createManualClock, type ManualClock } from "../../src/scheduler/clock.js";
import type { BackupSchedulerOptions } from "../../src/scheduler/scheduler-options.js";
import { appendRunRecord, readHistory } from "../../src/state/history.js";
import { configJob } from "../helpers/job.js";
import { createTempDir } from "../helpers/tree.js";
import { advanceScheduler, createFakeAttempts, FAKE_STATS, makeConfig, makeJob } from "./fixtures.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse("2026-06-01T10:00:30Z");

let temp: ReturnType<typeof createTempDir>;
let clock: ManualClock;
let fake: ReturnType<typeof createFakeAttempts>;
let schedulers: BackupScheduler[];
let events: SchedulerEvent[];

beforeEach(() => {
  temp = createTempDir("sb-sched-");
  clock = createManualClock(START);
  fake = createFakeAttempts();
  schedulers = [];
  events = [];
});

afterEach(async () => {
  for (const scheduler of schedulers) await scheduler.stop({ timeoutMs: 1000 });
  temp.dispose();
});

function createScheduler(options: Partial<BackupSchedulerOptions>) {
  const scheduler = new BackupScheduler({
    stateDir: join(temp.path, "state"),
    clock,
    runAttempt: fake.runAttempt,
    ...options,
  } as BackupSchedulerOptions);
  const all: (keyof SchedulerEvents)[] = [
    "scheduled",
    "start",
    "progress",
    "success",
    "partial",
    "failure",
    "retry",
    "retries-exhausted",
    "retention-done",
    "repository-initialized",
    "config-reloaded",
    "config-invalid",
    "stale-lock-removed",
    "skipped",
    "stale",
    "recovered",
    "check-done",
    "drill-done",
  ];
  for (const type of all) scheduler.on(type, (event: SchedulerEvent) => events.push(event));
  schedulers.push(scheduler);
  return scheduler;
}

function advance(scheduler: BackupScheduler, ms: number) {
  return advanceScheduler(clock, scheduler, ms);
}

/** A held run starts after real file I/O; wait until it has. */
const untilHeld = (...jobs: string[]) =>
  vi.waitFor(() => expect(jobs.filter((job) => !fake.isHeld(job))).toEqual([]));

const iso = (time: number) => new Date(time).toISOString();
const startTimes = (job: string) => fake.runsOf(job).map((call) => iso(call.startedAt));
const ofType = <T extends SchedulerEventType>(type: T) =>
  events.filter((event): event is Extract<SchedulerEvent, { type: T }> => event.type === type);

describe("schedules", () => {
  it("runs each job at its cron slots", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("docs", { schedule: "*/15 * * * *" })]),
    });
    await scheduler.start();
    await advance(scheduler, 50 * MINUTE);
    expect(startTimes("docs")).toEqual([
      "2026-06-01T10:15:00.000Z",
      "2026-06-01T10:30:00.000Z",
      "2026-06-01T10:45:00.000Z",
    ]);
    expect(ofType("scheduled")[0]).toMatchObject({
      job: "docs",
      nextRunAt: new Date("2026-06-01T10:15:00Z"),
    });
    // The scheduled event names the run id the run then has.
    expect(fake.runsOf("docs")[0]?.runId).toBe(ofType("scheduled")[0]?.runId);
  });

  it("keeps one timer armed, never a polling loop", async () => {
    const scheduler = createScheduler({
      config: makeConfig(Array.from({ length: 50 }, (_, i) => makeJob(`job${i}`))),
    });
    await scheduler.start();
    expect(clock.pendingTimers()).toBe(1);
  });

  it("runs a 6-field schedule with seconds", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("fast", { schedule: "*/10 * * * * *" })]),
    });
    await scheduler.start();
    await advance(scheduler, 40_000);
    expect(startTimes("fast")).toEqual([
      "2026-06-01T10:00:40.000Z",
      "2026-06-01T10:00:50.000Z",
      "2026-06-01T10:01:00.000Z",
      "2026-06-01T10:01:10.000Z",
    ]);
  });

  it("keeps a daily slot once a day across the autumn DST change", async () => {
    clock = createManualClock(Date.parse("2026-10-23T12:00:00Z"));
    const scheduler = createScheduler({
      config: makeConfig([makeJob("nightly", { schedule: "30 2 * * *", timezone: "Europe/Berlin" })]),
    });
    await scheduler.start();
    await advance(scheduler, 4 * 24 * HOUR);
    expect(startTimes("nightly")).toEqual([
      "2026-10-24T00:30:00.000Z", // 02:30 CEST
      "2026-10-25T00:30:00.000Z", // the first 02:30 (CEST); the repeated hour does not run it again
      "2026-10-26T01:30:00.000Z",
      "2026-10-27T01:30:00.000Z",
    ]);
  });

  it("adds the job's stable jitter to every slot", async () => {
    const job = makeJob("jittery", { schedule: "0 * * * *", jitterMs: 10 * MINUTE });
    const scheduler = createScheduler({ config: makeConfig([job]) });
    await scheduler.start();
    await advance(scheduler, 3 * HOUR);
    const [first, second] = fake.runsOf("jittery").map((call) => call.startedAt);
    expect(first).toBeDefined();
    const offset = (first as number) - Date.parse("2026-06-01T11:00:00Z");
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(10 * MINUTE);
    expect((second as number) - Date.parse("2026-06-01T12:00:00Z")).toBe(offset);
  });

  it("runs every job once at start with backupOnStart", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("a"), makeJob("b")]),
      backupOnStart: true,
    });
    await scheduler.start();
    await scheduler.whenIdle();
    expect(startTimes("a")).toEqual([iso(START)]);
    expect(startTimes("b")).toEqual([iso(START)]);
  });
});

describe("exclusion and concurrency", () => {
  it("never runs two jobs on one repository at once, even with room for more", async () => {
    const shared = "/repos/shared";
    const scheduler = createScheduler({
      config: makeConfig(
        [makeJob("first", { repository: shared }), makeJob("second", { repository: shared })],
        { maxConcurrent: 4 },
      ),
    });
    fake.will("first", "hold");
    await scheduler.start();
    await clock.advance(60 * MINUTE);
    await untilHeld("first");
    expect(fake.calls.map((c) => c.job)).toEqual(["first"]);
    fake.release("first");
    await scheduler.whenIdle();
    expect(fake.calls.map((c) => c.job)).toEqual(["first", "second"]);
  });

  it("runs jobs on different repositories at once up to maxConcurrent", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("a"), makeJob("b"), makeJob("c")], { maxConcurrent: 2 }),
    });
    fake.will("a", "hold");
    fake.will("b", "hold");
    fake.will("c", "hold");
    await scheduler.start();
    await clock.advance(60 * MINUTE);
    await untilHeld("a", "b");
    expect(fake.calls.map((c) => c.job).sort()).toEqual(["a", "b"]);
    fake.release("a");
    await untilHeld("c");
    expect(fake.calls.map((c) => c.job).sort()).toEqual(["a", "b", "c"]);
    fake.release("b");
    fake.release("c");
    await scheduler.whenIdle();
  });

  it("does not start a run twice when its next slot comes while it still runs", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("slow", { schedule: "*/10 * * * *" })]),
    });
    fake.will("slow", "hold");
    await scheduler.start();
    await clock.advance(10 * MINUTE - 30_000);
    await untilHeld("slow");
    await clock.advance(20 * MINUTE);
    expect(fake.runsOf("slow")).toHaveLength(1);
    expect(ofType("skipped").map((e) => e.reason)).toEqual(["already-running", "already-running"]);
    fake.release("slow");
    await scheduler.whenIdle();
    expect(fake.runsOf("slow")).toHaveLength(1);
  });
});

describe("retries", () => {
  it("retries a transient failure after the configured delays, announcing each retry", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("flaky", { retry: { attempts: 4, delaysMs: [MINUTE, 5 * MINUTE] } })]),
    });
    fake.will(
      "flaky",
      { code: "REPO_LOCKED" },
      { code: "BACKEND_UNAVAILABLE" },
      { code: "RESTIC_FAILED" },
      "success",
    );
    await scheduler.start();
    await advance(scheduler, 75 * MINUTE);
    expect(startTimes("flaky")).toEqual([
      "2026-06-01T11:00:00.000Z",
      "2026-06-01T11:01:00.000Z",
      "2026-06-01T11:06:00.000Z",
      "2026-06-01T11:11:00.000Z", // the last delay repeats
    ]);
    expect(ofType("retry").map((e) => [e.attempt, iso(e.nextAttemptAt.getTime()), e.code])).toEqual([
      [1, "2026-06-01T11:01:00.000Z", "REPO_LOCKED"],
      [2, "2026-06-01T11:06:00.000Z", "BACKEND_UNAVAILABLE"],
      [3, "2026-06-01T11:11:00.000Z", "RESTIC_FAILED"],
    ]);
    expect(ofType("retries-exhausted")).toEqual([]);
  });

  it.each(["WRONG_PASSWORD", "PASSWORD_UNAVAILABLE", "DESTINATION_FULL", "REPO_NOT_FOUND"] as const)(
    "reports %s once and does not retry it",
    async (code) => {
      const scheduler = createScheduler({ config: makeConfig([makeJob("fatal")]) });
      fake.will("fatal", { code });
      await scheduler.start();
      await advance(scheduler, 59 * MINUTE + 30_000);
      expect(fake.runsOf("fatal")).toHaveLength(1);
      expect(ofType("retry")).toEqual([]);
    },
  );

  it("retries a failed retention alone: forget only, never a second snapshot", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("forget", { retry: { attempts: 3, delaysMs: [MINUTE] } })]),
    });
    fake.will(
      "forget",
      { code: "REPO_LOCKED", phase: "retention" },
      { code: "REPO_LOCKED", phase: "retention" },
    );
    await scheduler.start();
    await advance(scheduler, 63 * MINUTE);
    const runs = fake.runsOf("forget");
    expect(startTimes("forget")).toEqual([
      "2026-06-01T11:00:00.000Z",
      "2026-06-01T11:01:00.000Z",
      "2026-06-01T11:02:00.000Z",
    ]);
    // The first attempt backs up; every retry carries the snapshot it made and runs only retention.
    expect(runs.map((run) => run.context.retentionOf?.snapshotId)).toEqual([
      undefined,
      "abcd1234",
      "abcd1234",
    ]);
    expect(ofType("retry").map((e) => [e.attempt, e.code])).toEqual([
      [1, "REPO_LOCKED"],
      [2, "REPO_LOCKED"],
    ]);
    const [state] = scheduler.status();
    expect(state?.lastAttempt).toMatchObject({ status: "success", snapshotId: "abcd1234" });
    // The next slot is a whole new backup again.
    await advance(scheduler, HOUR);
    expect(fake.runsOf("forget").at(-1)?.context.retentionOf).toBeUndefined();
  });

  it("records a failed retention as a failure at that stage, not as a success", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("ret", { retry: { attempts: 1, delaysMs: [] } })]),
    });
    fake.will("ret", { code: "REPO_LOCKED", phase: "retention" });
    await scheduler.start();
    await advance(scheduler, 61 * MINUTE);
    const [state] = scheduler.status();
    expect(state?.lastAttempt).toMatchObject({
      status: "failed",
      phase: "retention",
      snapshotId: "abcd1234",
    });
    expect(state?.lastSuccess).toBeUndefined();
    expect(fake.runsOf("ret")).toHaveLength(1);
  });

  it("gives up after the last attempt, says so, and still runs the next regular slot", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("down", { retry: { attempts: 3, delaysMs: [MINUTE] } })]),
    });
    fake.will("down", ...Array(3).fill({ code: "BACKEND_UNAVAILABLE" }));
    await scheduler.start();
    await advance(scheduler, 2 * HOUR);
    expect(startTimes("down")).toEqual([
      "2026-06-01T11:00:00.000Z",
      "2026-06-01T11:01:00.000Z",
      "2026-06-01T11:02:00.000Z",
      "2026-06-01T12:00:00.000Z",
    ]);
    expect(ofType("retries-exhausted")).toMatchObject([
      { job: "down", attempts: 3, code: "BACKEND_UNAVAILABLE" },
    ]);
  });
});

describe("missed runs", () => {
  it("runs once after the machine slept through several slots, and not again after waking", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("hourly")]) });
    await scheduler.start();
    await clock.jump(5 * HOUR);
    await scheduler.whenIdle();
    expect(startTimes("hourly")).toEqual([iso(START + 5 * HOUR)]);
    await advance(scheduler, 20 * MINUTE);
    expect(fake.runsOf("hourly")).toHaveLength(1);
    await advance(scheduler, 40 * MINUTE);
    expect(startTimes("hourly")).toEqual([iso(START + 5 * HOUR), "2026-06-01T16:00:00.000Z"]);
  });

  it("skips a missed slot with catch_up off, and says so", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("strict", { catchUp: false })]) });
    await scheduler.start();
    await clock.jump(3 * HOUR);
    await scheduler.whenIdle();
    expect(fake.calls).toEqual([]);
    expect(ofType("skipped").map((e) => e.reason)).toEqual(["missed-slot"]);
  });

  it("runs once at start for a slot that passed while the daemon was down, and not after a second restart", async () => {
    const config = makeConfig([makeJob("daily", { schedule: "0 2 * * *" })]);
    clock = createManualClock(Date.parse("2026-06-01T01:00:00Z"));
    const first = createScheduler({ config });
    await first.start();
    await advance(first, 2 * HOUR);
    expect(startTimes("daily")).toEqual(["2026-06-01T02:00:00.000Z"]);
    await first.stop();

    await clock.jump(2 * 24 * HOUR); // off for two days: two slots missed
    const second = createScheduler({ config });
    await second.start();
    await second.whenIdle();
    expect(startTimes("daily")).toEqual(["2026-06-01T02:00:00.000Z", "2026-06-03T03:00:00.000Z"]);
    expect(ofType("scheduled").at(-1)?.reason).toBe("schedule");
    await second.stop();

    const third = createScheduler({ config });
    await third.start();
    await third.whenIdle();
    expect(fake.runsOf("daily")).toHaveLength(2);
  });

  it("does not count a failed run as a success: the next start catches up", async () => {
    const config = makeConfig([makeJob("daily", { schedule: "0 2 * * *" })]);
    clock = createManualClock(Date.parse("2026-06-01T01:00:00Z"));
    const first = createScheduler({ config });
    fake.will("daily", { code: "WRONG_PASSWORD" });
    await first.start();
    await advance(first, 2 * HOUR);
    await first.stop();
    await clock.jump(HOUR);
    const second = createScheduler({ config });
    await second.start();
    await second.whenIdle();
    expect(startTimes("daily")).toEqual(["2026-06-01T02:00:00.000Z", "2026-06-01T04:00:00.000Z"]);
    expect(second.status()[0]?.lastSuccess?.startedAt).toBe("2026-06-01T04:00:00.000Z");
  });

  it("counts a backup run by hand while the daemon was down, and does not repeat it", async () => {
    const config = makeConfig([makeJob("daily", { schedule: "0 2 * * *" })]);
    clock = createManualClock(Date.parse("2026-06-01T01:00:00Z"));
    const first = createScheduler({ config });
    await first.start();
    await first.stop();
    await clock.jump(24 * HOUR); // 2026-06-02T01:00: the 02:00 slot of day 1 was missed...
    await appendRunRecord(join(temp.path, "state"), {
      job: "daily",
      runId: "by-hand",
      startedAt: "2026-06-01T09:00:00.000Z", // ...but `simplebackup backup` ran after it
      finishedAt: "2026-06-01T09:01:00.000Z",
      status: "success",
      snapshotId: "feed1234",
      durationMs: 60_000,
    });
    const second = createScheduler({ config });
    await second.start();
    await second.whenIdle();
    expect(fake.calls).toEqual([]);
    expect(second.status()[0]?.lastSuccess).toMatchObject({ runId: "by-hand", snapshotId: "feed1234" });
  });

  it("does not catch up a job it has never seen before", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("new", { schedule: "0 2 * * *" })]) });
    await scheduler.start();
    await scheduler.whenIdle();
    expect(fake.calls).toEqual([]);
  });
});

describe("staleness alerts", () => {
  it("alerts once when a job has not succeeded for alert_after, and again on recovery", async () => {
    const job = makeJob("flaky", { alertAfterMs: 3 * HOUR, retry: { attempts: 1, delaysMs: [] } });
    const scheduler = createScheduler({ config: makeConfig([job]) });
    fake.will("flaky", "success", ...Array(5).fill({ code: "WRONG_PASSWORD" }));
    await scheduler.start();
    await advance(scheduler, 5 * HOUR);
    // Succeeded at 11:00, failed from 12:00: stale from 14:00 (plus the time the run took).
    expect(ofType("stale")).toHaveLength(1);
    expect(ofType("stale")[0]).toMatchObject({
      job: "flaky",
      lastSuccessAt: new Date("2026-06-01T11:00:00Z"),
      alertAfterMs: 3 * HOUR,
    });
    expect(iso(ofType("stale")[0]?.at.getTime() as number)).toBe("2026-06-01T14:00:00.000Z");
    await advance(scheduler, HOUR); // 16:00 fails again: no second alert
    expect(ofType("stale")).toHaveLength(1);
    expect(ofType("recovered")).toEqual([]);
    await advance(scheduler, HOUR); // 17:00 succeeds again
    expect(ofType("recovered")).toMatchObject([
      { job: "flaky", staleSinceAt: new Date("2026-06-01T14:00:00Z") },
    ]);
  });

  it("alerts for a machine that was off, once, even across restarts", async () => {
    const config = makeConfig([
      makeJob("laptop", { schedule: "0 2 * * *", alertAfterMs: 26 * HOUR, catchUp: false }),
    ]);
    clock = createManualClock(Date.parse("2026-06-01T01:00:00Z"));
    const first = createScheduler({ config });
    await first.start();
    await advance(first, 2 * HOUR); // 02:00 success
    await first.stop();
    await clock.jump(3 * 24 * HOUR);
    const second = createScheduler({ config });
    await second.start();
    await second.whenIdle();
    expect(ofType("stale")).toHaveLength(1);
    await second.stop();
    const third = createScheduler({ config });
    await third.start();
    await third.whenIdle();
    expect(ofType("stale")).toHaveLength(1);
  });
});

describe("scheduled checks and drills", () => {
  it("checks on its own schedule, reading the next group of data each time", async () => {
    const subsets: (string | undefined)[] = [];
    const scheduler = createScheduler({
      config: makeConfig([
        makeJob("docs", { schedule: "0 2 * * *", check: { schedule: "30 * * * *", readDataGroups: 3 } }),
      ]),
      runMaintenance: async (task, _job, context) => {
        subsets.push(context.readDataSubset);
        return { ok: true, message: `${task} fine` };
      },
    });
    const done: string[] = [];
    scheduler.on("check-done", (event) => done.push(event.message));
    await scheduler.start();
    await advance(scheduler, 4 * HOUR);
    expect(subsets).toEqual(["1/3", "2/3", "3/3", "1/3"]);
    expect(done).toHaveLength(4);
    expect(fake.calls).toEqual([]);
  });

  it("reports a failed check or drill as a failure of the job", async () => {
    const scheduler = createScheduler({
      config: makeConfig([
        makeJob("docs", {
          schedule: "0 2 * * *",
          check: { schedule: "15 * * * *", readDataGroups: 2 },
          drill: { schedule: "45 * * * *", files: 5 },
        }),
      ]),
      runMaintenance: async (task) => {
        if (task === "check")
          return { ok: false, message: "restic check found errors: pack 1f2e: does not exist" };
        throw new SimplebackupError("DRILL_FAILED", "restore drill FAILED: 1 mismatched");
      },
    });
    await scheduler.start();
    await advance(scheduler, HOUR);
    expect(ofType("failure").map((e) => [e.phase, e.code])).toEqual([
      ["check", "CHECK_FAILED"],
      ["drill", "DRILL_FAILED"],
    ]);
  });

  it("never checks a repository while a backup of it runs", async () => {
    const order: string[] = [];
    const scheduler = createScheduler({
      config: makeConfig(
        [makeJob("docs", { schedule: "0 * * * *", check: { schedule: "0 * * * *", readDataGroups: 1 } })],
        {
          maxConcurrent: 4,
        },
      ),
      runMaintenance: async () => {
        order.push(fake.isHeld("docs") ? "check during backup" : "check");
        return { ok: true, message: "ok" };
      },
    });
    fake.will("docs", "hold");
    await scheduler.start();
    await clock.advance(60 * MINUTE);
    await untilHeld("docs");
    expect(order).toEqual([]);
    fake.release("docs");
    await scheduler.whenIdle();
    expect(order).toEqual(["check"]);
  });
});

describe("config changes", () => {
  it("schedules added jobs, stops removed ones and reschedules changed ones", async () => {
    const scheduler = createScheduler({
      config: makeConfig([makeJob("keep"), makeJob("drop"), makeJob("move")]),
    });
    await scheduler.start();
    await scheduler.reload(
      makeConfig([
        makeJob("keep"),
        makeJob("move", { schedule: "30 * * * *" }),
        makeJob("added", { schedule: "15 * * * *" }),
      ]),
    );
    expect(ofType("config-reloaded")).toMatchObject([
      { added: ["added"], removed: ["drop"], changed: ["move"] },
    ]);
    await advance(scheduler, 60 * MINUTE);
    expect(fake.calls.map((c) => [c.job, iso(c.startedAt)])).toEqual([
      ["added", "2026-06-01T10:15:00.000Z"],
      ["move", "2026-06-01T10:30:00.000Z"],
      ["keep", "2026-06-01T11:00:00.000Z"],
    ]);
    expect(
      scheduler
        .status()
        .map((s) => s.job)
        .sort(),
    ).toEqual(["added", "keep", "move"]);
  });

  it("never kills a running backup on reload", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("busy")]) });
    fake.will("busy", "hold");
    await scheduler.start();
    await clock.advance(60 * MINUTE);
    await untilHeld("busy");
    await scheduler.reload(makeConfig([makeJob("busy", { schedule: "*/5 * * * *" })]));
    await scheduler.reload(makeConfig([]));
    expect(fake.isHeld("busy")).toBe(true);
    expect(fake.runsOf("busy")[0]?.context.signal.aborted).toBe(false);
    fake.release("busy");
    await scheduler.whenIdle();
    expect(fake.runsOf("busy")).toHaveLength(1);
    expect(fake.runsOf("busy")[0]?.finishedAt).toBeDefined();
  });

  it("keeps the last good config when the file turns invalid, and says what is wrong", async () => {
    const file = join(temp.path, "backup_config.json");
    const job = configJob({ jobname: "docs", sources: ["./d"], backup_interval: "0 * * * *" });
    writeFileSync(file, JSON.stringify({ backupjobs: [job] }));
    const scheduler = createScheduler({ configPath: file, watchConfig: false });
    await scheduler.start();
    writeFileSync(file, '{"backupjobs": [{"jobname": "docs",');
    expect(await scheduler.reload()).toBe(false);
    writeFileSync(file, JSON.stringify({ backupjobs: [{ ...job, backup_interval: "99 * * * *" }] }));
    expect(await scheduler.reload()).toBe(false);
    expect(ofType("config-invalid").map((e) => e.problems[0])).toEqual([
      expect.stringMatching(/invalid JSON|end of/i),
      expect.stringContaining('backupjobs[0] ("docs").backup_interval'),
    ]);
    await advance(scheduler, 60 * MINUTE);
    expect(startTimes("docs")).toEqual(["2026-06-01T11:00:00.000Z"]);
  });

  it("re-reads the config before every run", async () => {
    const file = join(temp.path, "backup_config.json");
    const job = configJob({ jobname: "docs", sources: ["./d"], backup_interval: "0 * * * *" });
    writeFileSync(file, JSON.stringify({ backupjobs: [job] }));
    const scheduler = createScheduler({ configPath: file, watchConfig: false });
    await scheduler.start();
    writeFileSync(file, JSON.stringify({ backupjobs: [{ ...job, sources: ["./d", "./e"] }] }));
    await advance(scheduler, 60 * MINUTE);
    expect(ofType("config-reloaded")).toMatchObject([{ changed: ["docs"] }]);
    expect(fake.runsOf("docs")).toHaveLength(1);
  });
});

describe("lifecycle and status", () => {
  it("interrupts a running backup on stop and records it as interrupted", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("long")]) });
    fake.will("long", "hold");
    await scheduler.start();
    await clock.advance(60 * MINUTE);
    await untilHeld("long");
    await scheduler.stop({ timeoutMs: 5000 });
    expect(fake.runsOf("long")[0]?.context.signal.aborted).toBe(true);
    const restarted = createScheduler({ config: makeConfig([makeJob("long")]), backupOnStart: false });
    await restarted.start();
    await restarted.whenIdle();
    // The slot passed with no success, so the restart runs it again.
    expect(fake.runsOf("long")).toHaveLength(2);
    expect(restarted.status()[0]?.lastAttempt?.status).toBe("success");
  });

  it("tells a run's outcome only once the run is in the history and the job's status", async () => {
    // As runBackup does: the outcome event comes from inside the attempt, before it returns.
    const runAttempt: typeof fake.runAttempt = async (job, context) => {
      const result = await fake.runAttempt(job, context);
      context.emit({
        type: "success",
        job: job.name,
        runId: context.runId,
        at: context.now(),
        snapshotId: "abcd1234",
        stats: FAKE_STATS,
        durationMs: 0,
      } as SchedulerEvent & { type: "success" });
      return result;
    };
    const scheduler = createScheduler({ config: makeConfig([makeJob("docs")]), runAttempt });
    const seen: Promise<{ history: string[]; status: string | undefined; runId: string }>[] = [];
    const states: string[] = [];
    scheduler.on("success", (event) => {
      const status = scheduler.status()[0]?.lastAttempt?.runId;
      states.push(scheduler.status()[0]?.running ? "running" : "ended");
      seen.push(
        readHistory(join(temp.path, "state"), { job: "docs" }).then(({ records }) => ({
          history: records.map((record) => record.runId),
          status,
          runId: event.runId,
        })),
      );
    });
    await scheduler.start();
    await scheduler.runNow("docs");
    await scheduler.whenIdle();
    const [told] = await Promise.all(seen);
    expect(told?.history).toEqual([told?.runId]);
    expect(told?.status).toBe(told?.runId);
    expect(states).toEqual(["ended"]);
  });

  it("refuses a second scheduler on the same state folder and names the holder", async () => {
    const config = makeConfig([makeJob("one")]);
    await createScheduler({ config }).start();
    await expect(createScheduler({ config }).start()).rejects.toMatchObject({
      code: "STATE_LOCKED",
      message: expect.stringContaining(`PID ${process.pid}`),
    });
  });

  it("reports schedule, next run, last attempt and last success", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("docs")]) });
    fake.will("docs", "success", { code: "WRONG_PASSWORD" });
    await scheduler.start();
    await advance(scheduler, 2 * HOUR);
    const [status] = scheduler.status();
    expect(status).toMatchObject({
      job: "docs",
      schedule: "0 * * * *",
      nextRunAt: new Date("2026-06-01T13:00:00Z"),
      running: false,
      lastAttempt: { status: "failed", errorCode: "WRONG_PASSWORD", startedAt: "2026-06-01T12:00:00.000Z" },
      lastSuccess: { status: "success", snapshotId: "abcd1234", startedAt: "2026-06-01T11:00:00.000Z" },
    });
  });

  it("runs a job on demand with runNow", async () => {
    const scheduler = createScheduler({ config: makeConfig([makeJob("docs")]) });
    await scheduler.start();
    const result = await scheduler.runNow("docs");
    expect(result?.status).toBe("success");
    await expect(scheduler.runNow("nope")).rejects.toMatchObject({ code: "JOB_NOT_FOUND" });
  });
});

describe("types", () => {
  it("types each event's payload", () => {
    const scheduler = new BackupScheduler({ config: makeConfig([]) });
    scheduler.on("retry", (event) => {
      expectTypeOf(event.nextAttemptAt).toEqualTypeOf<Date>();
      expectTypeOf(event.attempt).toEqualTypeOf<number>();
    });
    scheduler.on("success", (event) => {
      expectTypeOf(event.snapshotId).toEqualTypeOf<string | undefined>();
      expectTypeOf(event.job).toEqualTypeOf<string>();
    });
    expectTypeOf<SchedulerEvent["type"]>().toEqualTypeOf<SchedulerEventType>();
    expectTypeOf<Extract<SchedulerEvent, { type: "partial" }>["missingSources"]>().toEqualTypeOf<
      readonly string[]
    >();
    // @ts-expect-error: not an event of the scheduler
    scheduler.on("nonsense", () => {});
  });
});
