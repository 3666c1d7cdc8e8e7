// The hub on a real BackupScheduler from @simplebackup/core, with restic replaced by a fake attempt
// that emits what runBackup emits.
import { join } from "node:path";
import {
  type BackupRunResult,
  BackupScheduler,
  type BackupStats,
  createManualClock,
  type RunAttempt,
  resolveConfig,
  SimplebackupError,
  type SimplebackupErrorCode,
} from "@simplebackup/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryNotifier, createNotifierHub, type Notifier, type NotifierHub } from "../src/index.js";
import { STATS } from "./helpers/events.js";
import { createTempDir } from "./helpers/fake-programs.js";

let temp: ReturnType<typeof createTempDir>;
let scheduler: BackupScheduler | undefined;
let hub: NotifierHub | undefined;
let logs: string[];

beforeEach(() => {
  temp = createTempDir();
  logs = [];
});

afterEach(async () => {
  await scheduler?.stop({ timeoutMs: 1000 });
  await hub?.close({ timeoutMs: 1000 });
  scheduler = undefined;
  hub = undefined;
  temp.dispose();
});

type Outcome = { stats: BackupStats } | { code: SimplebackupErrorCode; message: string };

/** Answers each attempt with the next outcome, emitting the events runBackup would. */
function fakeRestic(...outcomes: Outcome[]): RunAttempt {
  return async (job, context) => {
    const startedAt = context.now();
    const base = { job: job.name, runId: context.runId };
    context.emit({ type: "start", ...base, at: startedAt, sources: job.sources, repository: job.repository });
    const outcome = outcomes.shift() ?? { stats: STATS };
    const durationMs = 83_000;
    const common = {
      ...base,
      startedAt,
      durationMs,
      repositoryInitialized: false,
      retention: { status: "skipped" },
      unreadable: [],
      missingSources: [],
    } as const;
    if ("stats" in outcome) {
      context.emit({
        type: "success",
        ...base,
        at: context.now(),
        snapshotId: "abcd1234",
        stats: outcome.stats,
        durationMs,
      });
      return {
        ...common,
        status: "success",
        snapshotId: "abcd1234",
        stats: outcome.stats,
        error: undefined,
      } as BackupRunResult;
    }
    context.emit({
      type: "failure",
      ...base,
      at: context.now(),
      phase: "backup",
      code: outcome.code,
      message: outcome.message,
      exitCode: 1,
      durationMs,
      snapshotId: undefined,
    });
    return {
      ...common,
      status: "failed",
      snapshotId: undefined,
      stats: undefined,
      error: new SimplebackupError(outcome.code, outcome.message),
    } as BackupRunResult;
  };
}

async function start(runAttempt: RunAttempt, notifiers: Notifier[]) {
  const config = resolveConfig(
    {
      backupjobs: [
        {
          jobname: "Photos",
          sources: ["./photos"],
          destination: "/mnt/backup/photos",
          password: "pw",
          backup_interval: "0 2 * * *",
        },
      ],
    },
    { baseDir: temp.path },
  );
  scheduler = new BackupScheduler({
    config,
    stateDir: join(temp.path, "state"),
    clock: createManualClock(Date.parse("2026-06-01T10:00:00Z")),
    runAttempt,
  });
  const log = (line: string) => logs.push(line);
  hub = createNotifierHub({ notifiers, logger: { warn: log, error: log }, timeoutMs: 50, retryDelayMs: 0 });
  hub.attach(scheduler);
  await scheduler.start();
  return { scheduler, hub };
}

describe("the hub on a BackupScheduler", () => {
  it("a run that fails for a full destination gives exactly one failure notification", async () => {
    const memory = createMemoryNotifier();
    const { scheduler, hub } = await start(
      fakeRestic({ code: "DESTINATION_FULL", message: "/mnt/backup has no space left" }),
      [memory],
    );
    const result = await scheduler.runNow("Photos");
    expect(result?.status).toBe("failed");
    await scheduler.whenIdle();
    await hub.flush();
    expect(memory.types()).toEqual(["failure"]);
    const [notification] = memory.notifications;
    expect(notification?.message.title).toBe("Photos: backup failed: Destination full");
    expect(notification?.message.body.split("\n")[0]).toBe("Destination full: /mnt/backup has no space left");
  });

  it("tells about a success only when asked, with the file count and size", async () => {
    const quiet = createMemoryNotifier({ name: "quiet" });
    const asked = createMemoryNotifier({ name: "asked", on: ["success", "failure"] });
    const { scheduler, hub } = await start(fakeRestic({ stats: STATS }), [quiet, asked]);
    await scheduler.runNow("Photos");
    await scheduler.whenIdle();
    await hub.flush();
    expect(quiet.types()).toEqual([]);
    expect(asked.types()).toEqual(["success"]);
    const body = asked.notifications[0]?.message.body ?? "";
    expect(body).toContain("1,234 files processed (12 new, 3 changed)");
    expect(body).toContain("45.6 MiB added, 12.3 GiB in total");
    expect(body).toContain("Took 1m 23s");
  });

  it("a notifier that hangs does not hold up the backup", async () => {
    const hanging: Notifier = {
      name: "hanging",
      on: ["start", "success"],
      notify: () => new Promise(() => {}),
    };
    const { scheduler, hub } = await start(fakeRestic({ stats: STATS }), [hanging]);
    const result = await scheduler.runNow("Photos");
    expect(result?.status).toBe("success");
    await hub.flush(); // the hub itself gives up on it after its timeout
    expect(logs.at(-1)).toMatch(/"hanging" failed again on success of Photos: timed out after 50 ms/);
  });

  it("a notifier that throws does not fail the backup", async () => {
    const throwing: Notifier = {
      name: "throwing",
      on: ["start", "success", "failure"],
      notify() {
        throw new Error("no");
      },
    };
    const { scheduler, hub } = await start(fakeRestic({ stats: STATS }), [throwing]);
    const result = await scheduler.runNow("Photos");
    expect(result?.status).toBe("success");
    await hub.flush();
    expect(logs).toEqual([
      'notifier "throwing" failed on start of Photos: no; trying once more in 0 ms',
      'notifier "throwing" failed again on start of Photos: no; giving up on it',
      'notifier "throwing" failed on success of Photos: no; trying once more in 0 ms',
      'notifier "throwing" failed again on success of Photos: no; giving up on it',
    ]);
  });
});
