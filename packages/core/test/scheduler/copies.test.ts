import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BackupJob, CopyTarget } from "../../src/config/types.js";
import { SimplebackupError } from "../../src/errors.js";
import { SCHEDULER_EVENT_TYPES, type SchedulerEvent } from "../../src/events.js";
import { BackupScheduler } from "../../src/scheduler/backup-scheduler.js";
import { createManualClock, type ManualClock } from "../../src/scheduler/clock.js";
import type { CopyOutcome } from "../../src/scheduler/copy-planner.js";
import { appendRunRecord } from "../../src/state/history.js";
import { createTempDir } from "../helpers/tree.js";
import { advanceScheduler, createFakeAttempts, makeConfig, makeJob } from "./fixtures.js";

// Copies to copy_to targets as the scheduler plans them, with stand-ins for restic and the network.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse("2026-06-01T10:00:30Z");

function target(name: string, overrides: Partial<CopyTarget> = {}): CopyTarget {
  return {
    name,
    repository: `rest:http://user:secret@127.0.0.1:9/${name}`,
    password: { kind: "literal", value: "pw2" },
    env: {},
    retention: undefined,
    alertAfterMs: undefined,
    ...overrides,
  };
}

let temp: ReturnType<typeof createTempDir>;
let clock: ManualClock;
let fake: ReturnType<typeof createFakeAttempts>;
let scheduler: BackupScheduler | undefined;
let events: SchedulerEvent[];
/** The stand-in target: up or down; copies made; probes answered. */
let offsite: { up: boolean; copies: string[]; probes: number };

beforeEach(() => {
  temp = createTempDir("sb-copies-");
  clock = createManualClock(START);
  fake = createFakeAttempts();
  events = [];
  offsite = { up: true, copies: [], probes: 0 };
});

afterEach(async () => {
  await scheduler?.stop({ timeoutMs: 1000 });
  scheduler = undefined;
  temp.dispose();
});

async function start(jobs: BackupJob[]) {
  scheduler = new BackupScheduler({
    config: makeConfig(jobs),
    stateDir: join(temp.path, "state"),
    clock,
    runAttempt: fake.runAttempt,
    runCopy: async (job, copyTarget, context): Promise<CopyOutcome> => {
      if (!offsite.up)
        throw new SimplebackupError("BACKEND_UNAVAILABLE", `${copyTarget.name} does not answer`);
      offsite.copies.push(`${job.name}->${copyTarget.name}@${context.now().toISOString()}`);
      return { copied: 1, snapshotId: "abcd1234", initialized: false, retention: undefined };
    },
    probeTarget: async () => {
      offsite.probes++;
      return offsite.up;
    },
  });
  for (const type of SCHEDULER_EVENT_TYPES) scheduler.on(type, (event: SchedulerEvent) => events.push(event));
  await scheduler.start();
  return scheduler;
}

/** The scheduler started last (a function, so TypeScript does not narrow it across restarts). */
const current = () => scheduler as BackupScheduler;
const advance = (ms: number) => advanceScheduler(clock, current(), ms);
const ofType = <T extends SchedulerEvent["type"]>(type: T) =>
  events.filter((event): event is Extract<SchedulerEvent, { type: T }> => event.type === type);

describe("copies to copy_to targets", () => {
  it("copy after each backup that made a snapshot, to every target, and report each", async () => {
    await start([makeJob("docs", { schedule: "0 * * * *", copyTo: [target("offsite"), target("usb")] })]);
    await advance(HOUR);
    expect(offsite.copies.map((copy) => copy.split("@")[0])).toEqual(["docs->offsite", "docs->usb"]);
    expect(ofType("copy-done")).toMatchObject([
      {
        job: "docs",
        target: "offsite",
        copied: 1,
        snapshotId: "abcd1234",
        repository: expect.not.stringContaining("secret"),
      },
      { job: "docs", target: "usb" },
    ]);
    const [status] = current().status();
    expect(status?.copies).toMatchObject([
      {
        target: "offsite",
        behindSnapshots: 0,
        behindSince: undefined,
        snapshotId: "abcd1234",
        lastCopiedAt: expect.any(Date),
      },
      { target: "usb", behindSnapshots: 0 },
    ]);
  });

  it("never turn a backup into a failure, and catch up within a minute of the target coming back", async () => {
    offsite.up = false;
    await start([makeJob("docs", { schedule: "0 * * * *", copyTo: [target("offsite")] })]);
    await advance(3 * HOUR); // three backups while the target is down
    expect(ofType("failure")).toHaveLength(0);
    expect(fake.runsOf("docs")).toHaveLength(3);
    expect(ofType("copy-failed").length).toBeGreaterThanOrEqual(1);
    expect(ofType("copy-failed")[0]).toMatchObject({
      target: "offsite",
      code: "BACKEND_UNAVAILABLE",
      nextAttemptAt: expect.any(Date),
    });
    const [behind] = current().status()[0]?.copies ?? [];
    expect(behind).toMatchObject({
      behindSnapshots: 3,
      behindSince: new Date(Date.parse("2026-06-01T11:00:00Z")),
    });

    offsite.up = true;
    await advance(MINUTE); // the next probe finds it back
    expect(offsite.copies).toHaveLength(1); // one copy brings every snapshot it missed
    expect(current().status()[0]?.copies[0]).toMatchObject({
      behindSnapshots: 0,
      lastFailure: undefined,
    });
  });

  it("probe a down target once a minute, without running restic", async () => {
    offsite.up = false;
    await start([makeJob("docs", { schedule: "0 12 * * *", copyTo: [target("offsite")] })]);
    await current().runNow("docs");
    await advance(MINUTE);
    const failures = ofType("copy-failed").length;
    const probes = offsite.probes;
    await advance(10 * MINUTE);
    // A probe each minute, but for the minutes a retry falls due (it tries instead of probing).
    expect(offsite.probes - probes).toBeGreaterThanOrEqual(7);
    expect(offsite.probes - probes).toBeLessThanOrEqual(10);
    // Tries at the retry delays only (1 min, then 5 min), never giving up.
    expect(ofType("copy-failed").length - failures).toBeLessThanOrEqual(3);
  });

  it("alert once when a target lags past its alert_after, and resume an owed copy after a restart", async () => {
    offsite.up = false;
    const job = makeJob("docs", {
      schedule: "0 * * * *",
      copyTo: [target("offsite", { alertAfterMs: 2 * HOUR })],
    });
    await start([job]);
    await advance(4 * HOUR);
    expect(ofType("copy-lagging")).toMatchObject([
      {
        target: "offsite",
        behindSince: new Date(Date.parse("2026-06-01T11:00:00Z")),
        alertAfterMs: 2 * HOUR,
      },
    ]);
    await current().stop({ timeoutMs: 1000 });
    scheduler = undefined;

    offsite.up = true;
    events = [];
    await start([job]); // the owed copy goes at start, and the alert is not repeated
    await advance(MINUTE);
    expect(offsite.copies).toHaveLength(1);
    expect(ofType("copy-lagging")).toEqual([]);
  });

  it("copy at start a snapshot made by hand while no daemon ran", async () => {
    const job = makeJob("docs", { schedule: "0 2 * * *", copyTo: [target("offsite")] });
    await start([job]);
    await current().stop({ timeoutMs: 1000 });
    scheduler = undefined;
    await appendRunRecord(join(temp.path, "state"), {
      job: "docs",
      runId: "by-hand",
      startedAt: "2026-06-01T09:05:00.000Z",
      finishedAt: "2026-06-01T09:06:00.000Z",
      status: "success",
      snapshotId: "feed1234",
      durationMs: 60_000,
    });
    await start([job]);
    await advance(MINUTE);
    expect(fake.calls).toEqual([]); // no backup: the one by hand counts
    expect(offsite.copies).toHaveLength(1);
    await current().stop({ timeoutMs: 1000 });
    scheduler = undefined;
    await start([job]); // and not again at the next start
    await advance(MINUTE);
    expect(offsite.copies).toHaveLength(1);
  });

  it("does not copy after a failed or partial backup, nor when nothing new was made", async () => {
    await start([makeJob("docs", { schedule: "0 * * * *", copyTo: [target("offsite")] })]);
    fake.will("docs", { code: "WRONG_PASSWORD" }, "partial");
    await advance(2 * HOUR);
    expect(fake.runsOf("docs")).toHaveLength(2);
    expect(offsite.copies).toEqual([]);
  });
});
