import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConditionVerdict } from "../../src/conditions/run-conditions.js";
import type { RunConditions } from "../../src/config/types.js";
import type { SchedulerEvent } from "../../src/events.js";
import { SCHEDULER_EVENT_TYPES } from "../../src/events.js";
import { BackupScheduler } from "../../src/scheduler/backup-scheduler.js";
import { createManualClock, type ManualClock } from "../../src/scheduler/clock.js";
import { createTempDir } from "../helpers/tree.js";
import { advanceScheduler, createFakeAttempts, makeConfig, makeJob } from "./fixtures.js";

// Runs that wait for their conditions (`when`), with a manual clock and a stand-in for the machine.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const START = Date.parse("2026-06-01T10:00:30Z");
const ON_BATTERY: RunConditions = { onAcPower: true, pathExists: [], reachable: false, command: undefined };

let temp: ReturnType<typeof createTempDir>;
let clock: ManualClock;
let fake: ReturnType<typeof createFakeAttempts>;
let scheduler: BackupScheduler;
let events: SchedulerEvent[];
/** What the stand-in machine says; each look is counted. */
let machine: { verdict: ConditionVerdict; looks: number };

beforeEach(() => {
  temp = createTempDir("sb-when-");
  clock = createManualClock(START);
  fake = createFakeAttempts();
  events = [];
  machine = { verdict: { met: false, condition: "on_ac_power", reason: "on battery" }, looks: 0 };
});

afterEach(async () => {
  await scheduler.stop({ timeoutMs: 1000 });
  temp.dispose();
});

async function start(jobs = [makeJob("laptop", { schedule: "0 * * * *", when: ON_BATTERY })]) {
  scheduler = new BackupScheduler({
    config: makeConfig(jobs),
    stateDir: join(temp.path, "state"),
    clock,
    runAttempt: fake.runAttempt,
    checkConditions: async () => {
      machine.looks++;
      return machine.verdict;
    },
  });
  for (const type of SCHEDULER_EVENT_TYPES) scheduler.on(type, (event: SchedulerEvent) => events.push(event));
  await scheduler.start();
}

const advance = (ms: number) => advanceScheduler(clock, scheduler, ms);
const skipped = () => events.filter((event) => event.type === "skipped");

describe("a run whose conditions do not hold", () => {
  it("is skipped with the reason, never failed, and owed", async () => {
    await start();
    await advance(HOUR);
    expect(fake.runsOf("laptop")).toEqual([]);
    expect(skipped()).toMatchObject([
      {
        job: "laptop",
        reason: "conditions",
        condition: "on_ac_power",
        message: expect.stringMatching(/^on battery/),
      },
    ]);
    expect(events.some((event) => event.type === "failure")).toBe(false);
    expect(scheduler.status()[0]?.lastAttempt).toBeUndefined(); // not counted as done
  });

  it("runs once within a minute of the conditions holding, however many slots were missed", async () => {
    await start();
    await advance(5 * HOUR + 10 * MINUTE); // five slots on battery
    expect(skipped()).toHaveLength(5);
    machine.verdict = { met: true };
    await advance(MINUTE);
    expect(fake.runsOf("laptop")).toHaveLength(1);
    await advance(30 * MINUTE); // and no storm of catch-ups after it
    expect(fake.runsOf("laptop")).toHaveLength(1);
    await advance(30 * MINUTE); // the next slot runs as usual
    expect(fake.runsOf("laptop")).toHaveLength(2);
  });

  it("looks again once a minute while owed, and not at all while nothing is owed", async () => {
    await start();
    await advance(50 * MINUTE);
    expect(machine.looks).toBe(0); // idle: no polling
    await advance(10 * MINUTE); // the 11:00 slot: one look, then owed
    expect(machine.looks).toBe(1);
    await advance(10 * MINUTE);
    expect(machine.looks).toBe(11);
    expect(skipped()).toHaveLength(1); // the re-looks are silent
  });

  it("does not hold back a job without conditions, nor a run started by hand", async () => {
    await start([makeJob("laptop", { when: ON_BATTERY }), makeJob("server", { schedule: "0 * * * *" })]);
    await advance(HOUR);
    expect(fake.runsOf("server")).toHaveLength(1);
    expect((await scheduler.runNow("laptop"))?.status).toBe("success");
  });

  it("still raises the staleness alert when the job goes too long without a backup", async () => {
    await start([makeJob("laptop", { schedule: "0 * * * *", when: ON_BATTERY, alertAfterMs: 3 * HOUR })]);
    await advance(4 * HOUR);
    expect(events.filter((event) => event.type === "stale")).toHaveLength(1);
  });
});
