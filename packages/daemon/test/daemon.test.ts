import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isSimplebackupError, type RunAttempt, type SchedulerEvent } from "@simplebackup/core";
import { createMemoryNotifier, type Notifier, PermanentNotifierError } from "@simplebackup/notifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFakeAttempts, FAKE_STATS } from "../../core/test/scheduler/fixtures.js";
import { createDaemon, type Daemon } from "../src/index.js";

// The daemon object with a stand-in for restic: what it wires (config notifiers, the app's notifiers,
// live reload, the control surface) is what is tested here; restic runs are the e2e tests' business.

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sb-daemon-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let serial = 0;
async function setUp(config: (dir: string) => Record<string, unknown>) {
  const dir = join(root, `case-${++serial}`);
  await mkdir(join(dir, "data"), { recursive: true });
  const configPath = join(dir, "config.json");
  const write = (next: Record<string, unknown>) => writeFile(configPath, JSON.stringify(next, null, 2));
  await write(config(dir));
  return { dir, configPath, stateDir: join(dir, "state"), write };
}

function classic(dir: string, extra: Record<string, unknown> = {}) {
  return {
    backupjobs: [
      {
        jobname: "docs",
        sources: [join(dir, "data")],
        destination: join(dir, "repo"),
        password: "daemon-secret",
        backup_interval: "0 2 * * *",
      },
    ],
    ...extra,
  };
}

/** The scheduler tests' stand-in for restic, which also tells a success as runBackup does. */
function fakeRestic() {
  const fake = createFakeAttempts();
  const runAttempt: RunAttempt = async (job, context) => {
    const result = await fake.runAttempt(job, context);
    if (result.status === "success") {
      const { snapshotId, durationMs } = result;
      context.emit({
        type: "success",
        job: job.name,
        runId: context.runId,
        at: context.now(),
        snapshotId,
        stats: FAKE_STATS,
        durationMs,
      });
    }
    return result;
  };
  return { ...fake, runAttempt };
}

async function stopped(daemon: Daemon) {
  await daemon.stop({ timeoutMs: 2_000, notifyTimeoutMs: 2_000 });
}

describe("createDaemon", () => {
  it("runs a job with the config's notifiers and the app's, and answers status, history and subscribe", async () => {
    const { dir, configPath, stateDir } = await setUp((d) =>
      classic(d, { metrics_file: join(d, "metrics.prom") }),
    );
    const fake = fakeRestic();
    const mine = createMemoryNotifier({ on: ["success"] });
    const daemon = createDaemon({
      configPath,
      stateDir,
      watchConfig: false,
      notifiers: [mine],
      runAttempt: fake.runAttempt,
    });
    const seen: SchedulerEvent[] = [];
    const unsubscribe = daemon.subscribe((event) => seen.push(event));
    await daemon.start();
    try {
      const result = await daemon.runNow("docs");
      expect(result?.status).toBe("success");
      await daemon.scheduler.whenIdle();

      expect(seen.map((event) => event.type)).toEqual(
        expect.arrayContaining(["scheduled", "start", "success"]),
      );
      const status = daemon.status();
      expect(status).toMatchObject({ running: true, pid: process.pid, configFile: configPath, stateDir });
      expect(status.jobs.map((job) => [job.job, job.running, job.lastSuccess?.status])).toEqual([
        ["docs", false, "success"],
      ]);
      expect(status.notifiers.map((notifier) => notifier.name)).toEqual(["metrics metrics.prom", "memory"]);
      expect((await daemon.history({ job: "docs" })).map((run) => [run.job, run.status])).toEqual([
        ["docs", "success"],
      ]);
      const page = await daemon.historyPage({ job: "docs", limit: 10 });
      expect(page.records.map((run) => [run.job, run.status])).toEqual([["docs", "success"]]);
      expect(page.nextCursor).toBeUndefined();

      unsubscribe();
      const before = seen.length;
      await daemon.runNow("docs");
      expect(seen.length).toBe(before);
    } finally {
      await stopped(daemon);
    }
    // Stopping delivered what was queued: the app's notifier heard both runs, the metrics file exists.
    expect(mine.notifications.map((n) => n.event.type)).toEqual(["success", "success"]);
    expect(await readFile(join(dir, "metrics.prom"), "utf8")).toContain(
      'simplebackup_last_run_status{job="docs"',
    );
    expect(daemon.status().running).toBe(false);
  });

  it("refuses to start with a broken notifier option, naming its place, and leaves no lock behind", async () => {
    const broken = (d: string) => classic(d, { notifications: [{ type: "ntfy", url: "not a url" }] });
    const { dir, configPath, stateDir, write } = await setUp(broken);
    const fake = fakeRestic();
    const daemon = createDaemon({ configPath, stateDir, watchConfig: false, runAttempt: fake.runAttempt });
    const error = await daemon.start().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isSimplebackupError(error) && error.code).toBe("CONFIG_INVALID");
    expect(String((error as Error).message) + JSON.stringify(error)).toContain("notifications[0]");
    expect(fake.calls).toEqual([]);

    await write(classic(dir));
    const fixed = createDaemon({ configPath, stateDir, watchConfig: false, runAttempt: fake.runAttempt });
    await fixed.start();
    await stopped(fixed);
  });

  it("rebuilds the config's notifiers on reload, and keeps them when an edit breaks one", async () => {
    const { dir, configPath, stateDir, write } = await setUp((d) =>
      classic(d, { metrics_file: join(d, "a.prom") }),
    );
    const fake = fakeRestic();
    const daemon = createDaemon({ configPath, stateDir, watchConfig: false, runAttempt: fake.runAttempt });
    const invalid: string[][] = [];
    daemon.scheduler.on("config-invalid", (event) => invalid.push([...event.problems]));
    await daemon.start();
    try {
      await write(classic(dir, { metrics_file: join(dir, "b.prom") }));
      expect(await daemon.scheduler.reload()).toBe(true);
      await daemon.runNow("docs");

      await write(classic(dir, { metrics_file: join(dir, "b.prom"), notifications: [{ type: "ntfy" }] }));
      expect(await daemon.scheduler.reload()).toBe(false);
      expect(invalid.flat().join("\n")).toContain("notifications[0]");
      await daemon.runNow("docs");
      expect(daemon.status().notifiers.map((notifier) => notifier.name)).toEqual(["metrics b.prom"]);
    } finally {
      await stopped(daemon);
    }
    const metricsB = await readFile(join(dir, "b.prom"), "utf8");
    expect(metricsB).toContain('simplebackup_last_run_status{job="docs"');
    await expect(readFile(join(dir, "a.prom"), "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("keeps each notifier's last delivery and last error in the state folder, masked, across a restart", async () => {
    const { configPath, stateDir } = await setUp((d) => classic(d));
    const fake = fakeRestic();
    // A notifier whose receiver refuses it; its error quotes the URL, whose path and query are secrets.
    const refused = (): Notifier => ({
      name: "chat",
      on: ["success"],
      notify() {
        throw new PermanentNotifierError(
          "https://hooks.example.com/services/T0/B0/DAEMONSECRET?token=tk_daemon_31 answered 403",
        );
      },
    });
    const appNotifiers = () => [createMemoryNotifier({ on: ["success"] }), refused()];
    const first = createDaemon({
      configPath,
      stateDir,
      watchConfig: false,
      notifiers: appNotifiers(),
      runAttempt: fake.runAttempt,
      logger: { warn: () => {}, error: () => {} },
    });
    await first.start();
    try {
      await first.runNow("docs");
      await expect.poll(() => first.status().notifiers[1]?.deliveries?.failed).toBe(1);
    } finally {
      await stopped(first);
    }
    const file = await readFile(join(stateDir, "notifier-deliveries.json"), "utf8");
    for (const secret of ["DAEMONSECRET", "tk_daemon_31", "services"]) expect(file).not.toContain(secret);

    const second = createDaemon({
      configPath,
      stateDir,
      watchConfig: false,
      notifiers: appNotifiers(),
      runAttempt: fake.runAttempt,
    });
    await second.start();
    try {
      const [memory, chat] = second.status().notifiers;
      expect(memory?.deliveries).toEqual({
        lastDelivery: { at: expect.any(String), event: "success", job: "docs" },
        delivered: 0,
        failed: 0,
      });
      expect(chat?.deliveries).toEqual({
        lastError: {
          at: expect.any(String),
          event: "success",
          job: "docs",
          error: "https://hooks.example.com/***?token=*** answered 403",
        },
        delivered: 0,
        failed: 0,
      });
    } finally {
      await stopped(second);
    }
  });

  it("cancels a running backup (recorded as interrupted) and says when there was nothing to cancel", async () => {
    const { configPath, stateDir } = await setUp((d) => classic(d));
    const fake = fakeRestic();
    const daemon = createDaemon({ configPath, stateDir, watchConfig: false, runAttempt: fake.runAttempt });
    await daemon.start();
    try {
      expect(daemon.cancel("docs")).toBe(false);
      expect(() => daemon.cancel("nope")).toThrow(expect.objectContaining({ code: "JOB_NOT_FOUND" }));
      fake.will("docs", "hold");
      const run = daemon.runNow("docs");
      await expect.poll(() => fake.isHeld("docs")).toBe(true);
      expect(daemon.status().jobs[0]?.running).toBe(true);
      expect(daemon.cancel("docs")).toBe(true);
      expect((await run)?.status).toBe("interrupted");
      await daemon.scheduler.whenIdle();
      expect((await daemon.history()).map((record) => record.status)).toEqual(["interrupted"]);
    } finally {
      await stopped(daemon);
    }
  });
});
