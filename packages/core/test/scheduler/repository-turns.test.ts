import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { SCHEDULER_EVENT_TYPES, type SchedulerEvent } from "../../src/events.js";
import { BackupScheduler } from "../../src/scheduler/backup-scheduler.js";
import { createManualClock, type ManualClock } from "../../src/scheduler/clock.js";
import { processStart } from "../../src/state/lock-file.js";
import { repositoryLockFile } from "../../src/state/repository-lock.js";
import { createTempDir } from "../helpers/tree.js";
import { createFakeAttempts, makeConfig, makeJob } from "./fixtures.js";

/**
 * The daemon's runs take the state folder's repository lock: a run whose repository another
 * simplebackup process works on waits for it (one `waiting` event), without holding up runs on other
 * repositories, and stopping the daemon ends the wait with nothing run and no lock left.
 */
const HOUR = 3_600_000;
let temp: ReturnType<typeof createTempDir>;
let stateDir: string;
let clock: ManualClock;
let fake: ReturnType<typeof createFakeAttempts>;
let scheduler: BackupScheduler;
let events: SchedulerEvent[];
let holder: ChildProcess & { pid: number };

const shared = makeJob("shared", { repository: "/repos/shared" });
const other = makeJob("other", { repository: "/repos/other" });

beforeEach(async () => {
  temp = createTempDir("sb-turns-");
  stateDir = join(temp.path, "state");
  clock = createManualClock(Date.parse("2026-06-01T10:00:30Z"));
  fake = createFakeAttempts();
  events = [];
  scheduler = new BackupScheduler({
    config: makeConfig([shared, other], { maxConcurrent: 1 }),
    stateDir,
    clock,
    runAttempt: fake.runAttempt,
  });
  for (const type of SCHEDULER_EVENT_TYPES) scheduler.on(type, (event: SchedulerEvent) => events.push(event));
  // Another simplebackup process (a backup started by hand) holds the shared repository.
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  await once(child, "spawn");
  holder = child as ChildProcess & { pid: number };
  const file = repositoryLockFile(stateDir, shared.repository);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      pid: holder.pid,
      hostname: hostname(),
      processStart: processStart(holder.pid),
      job: "shared",
      activity: "simplebackup backup",
      acquiredAt: new Date().toISOString(),
      token: "hand-run",
    }),
  );
});

afterEach(async () => {
  await scheduler.stop({ timeoutMs: 1000 });
  holder.kill("SIGKILL");
  temp.dispose();
});

const ofType = (type: SchedulerEvent["type"]) => events.filter((event) => event.type === type);
const finished = (job: string) => fake.runsOf(job)[0]?.finishedAt !== undefined;
const lockFiles = () => (existsSync(join(stateDir, "locks")) ? readdirSync(join(stateDir, "locks")) : []);

describe("the daemon and another process on one repository", () => {
  it("waits for the other process, runs other repositories meanwhile, then runs", async () => {
    await scheduler.start();
    await clock.advance(HOUR);
    await vi.waitFor(() => expect(finished("other")).toBe(true));
    expect(fake.runsOf("shared")).toHaveLength(0);
    expect(ofType("waiting")).toMatchObject([
      {
        job: "shared",
        task: "backup",
        holderPid: holder.pid,
        holderJob: "shared",
        holderActivity: "simplebackup backup",
        message: `waiting for shared on the same repository (held by PID ${holder.pid}, simplebackup backup)`,
      },
    ]);

    // Still held after more looks: still waiting, and told only once.
    for (let i = 0; i < 3; i++) await clock.advance(1000);
    expect(fake.runsOf("shared")).toHaveLength(0);

    holder.kill("SIGKILL");
    await once(holder, "exit");
    await vi.waitFor(async () => {
      await clock.advance(1000);
      expect(fake.runsOf("shared")).toHaveLength(1);
    });
    await scheduler.whenIdle();
    expect(finished("shared")).toBe(true);
    expect(scheduler.status().map((s) => [s.job, s.lastAttempt?.status])).toEqual([
      ["shared", "success"],
      ["other", "success"],
    ]);
    expect(ofType("waiting")).toHaveLength(1);
    expect(lockFiles()).toEqual([]);
  });

  it("ends the wait when stopped: nothing ran, the other process's lock stays, none of ours", async () => {
    await scheduler.start();
    await clock.advance(HOUR);
    await vi.waitFor(() => expect(ofType("waiting")).toHaveLength(1));
    await scheduler.stop({ timeoutMs: 1000 });
    expect(fake.runsOf("shared")).toHaveLength(0);
    expect(ofType("failure")).toEqual([]);
    expect(lockFiles()).toEqual([repositoryLockFile(stateDir, shared.repository).split("/").pop()]);
  });
});
