import { spawnSync } from "node:child_process";
import { renameSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir, write } from "./cli.js";
import { DaemonProcess } from "./daemon-process.js";
import { RcloneResticServer } from "./servers/rclone-restic-server.js";

// The daemon with copy_to and when, real restic, a real REST server on loopback, a "drive" that is a
// folder renamed into place.

const PASSWORD = "copies-secret-5d2e";
const TARGET_PASSWORD = "offsite-secret-90aa";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const temp = tempDir();
const root = temp.path;
const daemons: DaemonProcess[] = [];
const servers: RcloneResticServer[] = [];

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop();
  for (const server of servers) await server.stop();
  temp.dispose();
});

function restic(repository: string, password: string, args: string[]) {
  const result = spawnSync(RESTIC, args, {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

const snapshotTimes = (repository: string, password: string) =>
  (
    JSON.parse(restic(repository, password, ["snapshots", "--json", "--tag", "simplebackup:docs"])) as {
      time: string;
    }[]
  ).map((snapshot) => Date.parse(snapshot.time));

function startDaemon(config: string, stateDir: string) {
  const daemon = new DaemonProcess(["--config", config], { SIMPLEBACKUP_STATE_DIR: stateDir });
  daemons.push(daemon);
  return daemon;
}

describe("copy_to with real restic", () => {
  it("backs up while the offsite server is down, and copies every missed snapshot within a minute of its return", async () => {
    const server = new RcloneResticServer(join(root, "rest-store"));
    servers.push(server);
    await server.start();
    await server.stop(); // the port is known; the target is down
    write(join(root, "docs/a.txt"), "alpha");
    const primary = join(root, "repo-docs");
    const config = write(join(root, "copies.json"), {
      backupjobs: [
        {
          jobname: "docs",
          sources: ["./docs"],
          destination: "./repo-docs",
          password: PASSWORD,
          backup_interval: "*/6 * * * * *",
          retry: { attempts: 2, delays: ["5s"] },
          copy_to: [{ name: "offsite", destination: server.url("offsite"), password: TARGET_PASSWORD }],
        },
      ],
    });
    const daemon = startDaemon(config, join(root, "state-copies"));
    await daemon.waitForLine(/\[docs\] success: snapshot/, 60_000);
    await daemon.waitForLine(/\[docs\] copy to offsite failed: \[BACKEND_UNAVAILABLE\]/, 90_000);
    const failedAt = daemon.lines.length;
    await daemon.waitForLine(/\[docs\] success: snapshot/, 30_000, failedAt); // backups go on meanwhile
    expect(daemon.lines.join("\n")).not.toMatch(/\[docs\] FAILED/);
    expect(daemon.lines.join("\n")).not.toContain(TARGET_PASSWORD);
    expect(daemon.lines.join("\n")).not.toContain(server.pass);

    // Two snapshots at least were made while the target was down (the first, and the one after the failed
    // copy): both started before the server came back, so a copy that succeeds after that must carry them.
    // (An earlier cut-off, 6 s before the "copied" line, lost the second under load: its own run's copy
    // retry succeeded within 6 s of its start.)
    const serverBackAt = Date.now();
    await server.start();
    await daemon.waitForLine(/\[docs\] copied \d+ snapshots? to offsite/, 90_000, failedAt);
    expect((await daemon.stop()).code).toBe(0);

    // Every snapshot made while the target was down is on the target, and the target is sound.
    // The test's own look at the target (credentials in the URL: RESTIC_REST_USERNAME is 0.16+).
    const target = server.url("offsite");
    const onTarget = new Set(snapshotTimes(target, TARGET_PASSWORD));
    const made = snapshotTimes(primary, PASSWORD).filter((time) => time < serverBackAt);
    expect(made.length).toBeGreaterThanOrEqual(2);
    for (const time of made) expect(onTarget.has(time)).toBe(true);
    restic(target, TARGET_PASSWORD, ["check"]);
    expect(restic(target, TARGET_PASSWORD, ["list", "locks", "--no-lock"]).trim()).toBe("");
    expect(restic(primary, PASSWORD, ["list", "locks", "--no-lock"]).trim()).toBe("");
  }, 240_000);
});

describe("when with real restic", () => {
  it("skips while the drive is away, and backs up once it is plugged in", async () => {
    write(join(root, "laptop/a.txt"), "alpha");
    const away = join(root, "usb-away");
    restic(join(away, "repo"), PASSWORD, ["init"]);
    const config = write(join(root, "when.json"), {
      backupjobs: [
        {
          jobname: "docs",
          sources: ["./laptop"],
          destination: "./usb/repo",
          password: PASSWORD,
          backup_interval: "*/3 * * * * *",
          when: { path_exists: "./usb/repo" },
        },
      ],
    });
    const daemon = startDaemon(config, join(root, "state-when"));
    await daemon.waitForLine(/\[docs\] skipped: .*usb\/repo is not there/, 30_000);
    expect(daemon.lines.join("\n")).not.toMatch(/FAILED|backup started/);
    renameSync(away, join(root, "usb")); // plugged in
    await daemon.waitForLine(/\[docs\] success: snapshot/, 30_000);
    expect((await daemon.stop()).code).toBe(0);
    expect(snapshotTimes(join(root, "usb/repo"), PASSWORD).length).toBeGreaterThanOrEqual(1);
  }, 120_000);
});
