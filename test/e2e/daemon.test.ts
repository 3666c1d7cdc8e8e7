import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { simplebackup, tempDir, write } from "./cli.js";
import { DaemonProcess } from "./daemon-process.js";

const PASSWORD = "daemon-secret-81f0";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const temp = tempDir();
const root = temp.path;
const daemons: DaemonProcess[] = [];

function restic(repository: string, args: string[]) {
  return spawnSync(RESTIC, args, {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
}

function locks(repository: string): string[] {
  const result = restic(repository, ["list", "locks", "--no-lock"]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter(Boolean);
}

function snapshotTimes(repository: string, job: string): number[] {
  const result = restic(repository, ["snapshots", "--json", "--tag", `simplebackup:${job}`]);
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { time: string }[]).map((s) => Date.parse(s.time));
}

function startDaemon(config: string, stateDir: string, extra: string[] = []) {
  const daemon = new DaemonProcess(["--config", config, ...extra], { SIMPLEBACKUP_STATE_DIR: stateDir });
  daemons.push(daemon);
  return daemon;
}

const job = (name: string, overrides: object = {}) => ({
  jobname: name,
  sources: ["./data/small"],
  destination: `./repo-${name}`,
  password: PASSWORD,
  backup_interval: "0 2 * * *",
  ...overrides,
});

beforeAll(() => {
  write(join(root, "data/small/a.txt"), "alpha");
  write(join(root, "data/small/b.txt"), "beta");
  // 64 MiB of incompressible data, uploaded at 8 MiB/s: a backup that takes about 8 s. (restic finishes
  // the pack it is uploading before it exits on SIGINT, so a much slower rate would test the rate.)
  write(join(root, "data/big/blob.bin"), randomBytes(64 * 1024 * 1024));
  // Real restic with its upload rate limited (flags go after the subcommand and before `--`).
  write(
    join(root, "slow-restic.sh"),
    `#!/bin/sh\ncmd="$1"; shift\nexec ${RESTIC} "$cmd" --limit-upload 8192 "$@"\n`,
  );
  spawnSync("chmod", ["+x", join(root, "slow-restic.sh")]);
});

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL");
  temp.dispose();
});

describe("simplebackup run (daemon) with real restic", () => {
  it("makes snapshots on a 6-field schedule, on time, and reports them in status", async () => {
    const config = write(join(root, "every2s.json"), {
      backupjobs: [job("tick", { backup_interval: "*/2 * * * * *" })],
    });
    const stateDir = join(root, "state-tick");
    const daemon = startDaemon(config, stateDir);
    await daemon.waitForLine(/\[tick\] success: snapshot/);
    await daemon.waitForLine(
      /\[tick\] success: snapshot/,
      30_000,
      daemon.lines.findIndex((l) => /\[tick\] success/.test(l)) + 1,
    );

    const status = simplebackup(["status", "--json", "--config", config], {
      env: { SIMPLEBACKUP_STATE_DIR: stateDir },
    });
    expect(status.status).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.daemon.pid).toBe(daemon.child.pid);
    expect(report.jobs[0]).toMatchObject({ job: "tick", schedule: "*/2 * * * * *" });
    expect(report.jobs[0].lastSuccess.snapshotId).toMatch(/^[0-9a-f]{8}/);
    expect(Date.parse(report.jobs[0].nextRunAt)).toBeGreaterThan(Date.now() - 4000);

    const { code, ms } = await daemon.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(snapshotTimes(join(root, "repo-tick"), "tick").length).toBeGreaterThanOrEqual(2);
    // Each run starts at its even-second slot, never before it and not a whole period late: the
    // bound is loose because a loaded machine delays timers; what it catches is a timer that fires
    // early (just before the slot) or runs that drift off the schedule.
    const starts = daemon.lines
      .filter((line) => /\[tick\] backup started/.test(line))
      .map((line) => Date.parse(line.slice(0, 24)));
    expect(new Set(starts.map((time) => Math.floor(time / 2000))).size).toBe(starts.length);
    for (const time of starts) expect(time % 2000).toBeLessThan(1800);
    expect(locks(join(root, "repo-tick"))).toEqual([]);
  });

  it("stops within 10 s on SIGTERM during a slow backup, leaves no lock, and records the run as interrupted", async () => {
    const config = write(join(root, "slow.json"), {
      restic_binary: "./slow-restic.sh",
      backupjobs: [job("slow", { sources: ["./data/big"], backup_interval: "*/30 * * * * *" })],
    });
    const stateDir = join(root, "state-slow");
    const repository = join(root, "repo-slow");
    expect(restic(repository, ["init"]).status).toBe(0);
    const first = startDaemon(config, stateDir, ["--backup-on-start"]);
    await first.waitForLine(/\[slow\] backup started/);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const { code, ms } = await first.stop("SIGTERM");
    expect(code, first.lines.join("\n")).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(first.lines.join("\n")).toContain("[INTERRUPTED]");
    expect(first.lines.join("\n")).toContain("FAILED during backup [INTERRUPTED]");
    expect(locks(repository)).toEqual([]);
    const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8"));
    expect(state.jobs.slow.lastAttempt.status).toBe("interrupted");
    expect(state.jobs.slow.lastSuccess).toBeUndefined();
  });

  it("checks the repository and runs a restore drill on their own schedules", async () => {
    const config = write(join(root, "maintained.json"), {
      backupjobs: [
        job("maintained", {
          check_interval: "*/3 * * * * *",
          check_read_data_groups: 2,
          drill_interval: "*/4 * * * * *",
          drill_files: 2,
        }),
      ],
    });
    const daemon = startDaemon(config, join(root, "state-maintained"), ["--backup-on-start"]);
    await daemon.waitForLine(/\[maintained\] success: snapshot/);
    await daemon.waitForLine(/\[maintained\] repository checked: no errors; read group #1 of .* in 2 groups/);
    await daemon.waitForLine(/\[maintained\] repository checked: no errors; read group #2 of .* in 2 groups/);
    await daemon.waitForLine(/\[maintained\] restore drill passed: 2 matched, 0 mismatched/);
    expect((await daemon.stop()).code).toBe(0);
    expect(locks(join(root, "repo-maintained"))).toEqual([]);
  });

  it("refuses a second daemon on the same state folder", async () => {
    const config = write(join(root, "single.json"), { backupjobs: [job("single")] });
    const stateDir = join(root, "state-single");
    const first = startDaemon(config, stateDir);
    await first.waitForLine(/daemon running/);
    const second = startDaemon(config, stateDir);
    const { code } = await second.waitForExit();
    expect(code).toBe(1);
    expect(second.stderr).toContain(`PID ${first.child.pid}`);
    await first.stop();
  });

  it("applies a config edit without a restart, and keeps running through a broken edit", async () => {
    const config = write(join(root, "live.json"), { backupjobs: [job("live")] });
    const daemon = startDaemon(config, join(root, "state-live"));
    await daemon.waitForLine(/daemon running/);
    writeFileSync(config, '{"backupjobs": [');
    await daemon.waitForLine(/config INVALID/);
    const notified = join(root, "live-notified.jsonl");
    write(config, {
      notifications: [
        {
          type: "command",
          command: "/bin/sh",
          args: ["-c", `cat >> ${notified}; echo >> ${notified}`],
          on: ["success"],
        },
      ],
      backupjobs: [job("live"), job("added", { backup_interval: "*/2 * * * * *" })],
    });
    await daemon.waitForLine(/config reloaded: added added/);
    await daemon.waitForLine(/\[added\] success: snapshot/);
    // The notifier added by the same edit hears the new job's successes.
    await vi.waitFor(
      () => expect(existsSync(notified) && readFileSync(notified, "utf8")).toContain('"job":"added"'),
      {
        timeout: 20_000,
        interval: 200,
      },
    );
    expect(daemon.child.exitCode).toBeNull();
    expect((await daemon.stop()).code).toBe(0);
  });
});

/**
 * Starts restic, and SIGKILLs it while it holds its lock, so the lock stays behind as a real crash
 * leaves it. Returns the dead process's PID. A fast command may finish before it is caught; then
 * it is tried again.
 */
async function killedHoldingLock(repository: string, args: string[]): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const child = spawn(RESTIC, args, {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Watch the lock folder itself: asking restic would take longer than the command. restic writes a
    // lock as a `-tmp-` file first and renames it; only the renamed one counts.
    const held = () => readdirSync(join(repository, "locks")).some((name) => !name.includes("-tmp-"));
    while (child.exitCode === null && !held()) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    child.kill("SIGSTOP");
    const caught = held();
    child.kill("SIGKILL");
    await exited;
    if (caught && locks(repository).length === 1 && child.pid) return child.pid;
  }
  throw new Error(`restic ${args.join(" ")} never held its lock long enough to be caught`);
}

describe("stale locks with real restic", () => {
  it("clears a lock left by a killed restic process, and the next run succeeds", async () => {
    const config = write(join(root, "locked.json"), {
      backupjobs: [job("locked", { sources: ["./data/small"], retention: { last: 3 } })],
    });
    const repository = join(root, "repo-locked");
    expect(simplebackup(["backup", "--config", config]).status).toBe(0);
    const holderPid = await killedHoldingLock(repository, ["check", "--read-data"]);

    const result = simplebackup(["backup", "--config", config, "--json"]);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(events.map((e) => e.type)).toContain("stale-lock-removed");
    expect(events.find((e) => e.type === "stale-lock-removed")).toMatchObject({
      holderPid,
      reason: "holder-gone",
    });
    expect(result.status).toBe(0);
    expect(locks(repository)).toEqual([]);
  });
});
