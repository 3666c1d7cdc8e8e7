import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "../e2e/cli.js";
import { DaemonProcess } from "../e2e/daemon-process.js";
import { locks, slowResticScript, snapshotIds } from "./helpers.js";

/**
 * Fault 6: a broken config written while the daemon runs a slow backup: truncated JSON, wrong types,
 * then a valid config without the running job. The daemon keeps running (same process) and the
 * running backup completes with a snapshot.
 */
const PASSWORD = "brokencfg-secret-6a0d";
const temp = tempDir();
const root = temp.path;
let daemon: DaemonProcess | undefined;

const slowJob = {
  jobname: "slow",
  sources: ["./data/big"],
  destination: "./repo-slow",
  password: PASSWORD,
  backup_interval: "0 3 * * *",
};
const otherJob = {
  jobname: "other",
  sources: ["./data/small"],
  destination: "./repo-other",
  password: PASSWORD,
  backup_interval: "0 3 * * *",
};

beforeAll(() => {
  write(join(root, "data/small/a.txt"), "alpha");
  // 32 MiB at 4 MiB/s: about 8 s of backup to break the config under.
  write(join(root, "data/big/blob.bin"), randomBytes(32 * 1024 * 1024));
  write(join(root, "slow-restic.sh"), slowResticScript(4096));
  spawnSync("chmod", ["+x", join(root, "slow-restic.sh")]);
});

function status(config: string, ...flags: string[]) {
  return simplebackup(["status", "--config", config, ...flags], {
    env: { SIMPLEBACKUP_STATE_DIR: join(root, "state") },
  });
}

afterAll(async () => {
  await daemon?.stop("SIGKILL");
  temp.dispose();
});

describe("a broken config written while a backup runs", () => {
  it("keeps the daemon running on the last good config, and the running backup completes", async () => {
    const config = write(join(root, "config.json"), {
      restic_binary: "./slow-restic.sh",
      backupjobs: [slowJob, otherJob],
    });
    daemon = new DaemonProcess(["--config", config, "--backup-on-start"], {
      SIMPLEBACKUP_STATE_DIR: join(root, "state"),
    });
    const pid = daemon.child.pid;
    await daemon.waitForLine(/\[slow\] backup started/, 60_000);

    let from = daemon.lines.length;
    writeFileSync(config, '{"restic_binary": "./slow-restic.sh", "backupjobs": [{"jobname": "slow", "sour');
    await daemon.waitForLine(/config INVALID, still running the last good one/, 30_000, from);
    // status still shows the daemon's last good view, and says where the file is broken.
    const truncated = status(config);
    expect(truncated.status, truncated.stderr).toBe(0);
    expect(truncated.stdout).toContain(`config: ERROR in ${config}:`);
    expect(truncated.stdout).toMatch(/line 1/);
    expect(truncated.stdout).toContain(`daemon: running, PID ${pid}`);
    expect(truncated.stdout).toContain("slow  (backing up now)");

    from = daemon.lines.length;
    write(config, {
      restic_binary: "./slow-restic.sh",
      backupjobs: [{ ...slowJob, sources: "./data/big", backup_interval: 5 }, otherJob],
    });
    await daemon.waitForLine(/config INVALID, still running the last good one/, 30_000, from);
    const wrongTypes = status(config, "--json");
    expect(wrongTypes.status, wrongTypes.stderr).toBe(0);
    const report = JSON.parse(wrongTypes.stdout);
    expect(report.configError.file).toBe(config);
    expect(report.configError.problems.join("\n")).toMatch(/backupjobs\[0\].*backup_interval/);
    expect(report.daemon.pid).toBe(pid);
    expect(report.jobs.map((job: { job: string }) => job.job).sort()).toEqual(["other", "slow"]);
    expect(report.jobs.find((job: { job: string }) => job.job === "slow").running).toBe(true);

    from = daemon.lines.length;
    write(config, { restic_binary: "./slow-restic.sh", backupjobs: [otherJob] });
    await daemon.waitForLine(/config reloaded/, 30_000, from);

    await daemon.waitForLine(/\[slow\] success: snapshot/, 120_000);
    expect(daemon.child.exitCode).toBeNull();
    expect(daemon.child.pid).toBe(pid);
    expect(daemon.count(/\[slow\] FAILED/), daemon.lines.join("\n")).toBe(0);
    expect((await daemon.stop()).code).toBe(0);

    expect(snapshotIds(join(root, "repo-slow"), PASSWORD)).toHaveLength(1);
    expect(locks(join(root, "repo-slow"), PASSWORD)).toEqual([]);
  }, 240_000);
});
