import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, write } from "../e2e/cli.js";
import { DaemonProcess } from "../e2e/daemon-process.js";
import { locks, slowResticScript, snapshotIds, waitFor } from "./helpers.js";

/**
 * Fault 2 (SIGINT; SIGTERM is covered in test/e2e/daemon.test.ts): the daemon is interrupted during
 * a slow backup. It exits 0 within 10 s, leaves no lock, records the run as interrupted, and the next
 * start runs the job again by catch-up.
 *
 * Catch-up runs the most recent slot if it passed after the job became known and after its last
 * success. The job's only slot is once a day, at a time a few seconds after the first daemon starts
 * (so during its backup, which `--backup-on-start` begins at once). The second daemon starts without
 * `--backup-on-start` and with the next regular slot a day away: a backup it starts promptly can only
 * be the catch-up of the interrupted slot.
 */
const PASSWORD = "signals-secret-44e2";
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
const stateDir = join(root, "state");
const daemons: DaemonProcess[] = [];

beforeAll(() => {
  // 64 MiB at 4 MiB/s: about 16 s of backup.
  write(join(root, "data/blob.bin"), randomBytes(64 * 1024 * 1024));
  write(join(root, "slow-restic.sh"), slowResticScript(4096));
  spawnSync("chmod", ["+x", join(root, "slow-restic.sh")]);
});

afterAll(async () => {
  for (const daemon of daemons) await daemon.stop("SIGKILL");
  temp.dispose();
});

function config(slot: Date, slow: boolean) {
  const cron = `${slot.getUTCSeconds()} ${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
  return write(join(root, "config.json"), {
    ...(slow ? { restic_binary: "./slow-restic.sh" } : {}),
    backupjobs: [
      {
        jobname: "sig",
        sources: ["./data"],
        destination: "./repo",
        password: PASSWORD,
        backup_interval: cron,
        timezone: "UTC",
      },
    ],
  });
}

describe("SIGINT to the daemon during a slow backup", () => {
  it("exits 0 within 10 s, leaves no lock, records the run as interrupted, and catches up on restart", async () => {
    const slot = new Date(Math.ceil((Date.now() + 8000) / 1000) * 1000);
    const file = config(slot, true);
    const first = new DaemonProcess(["--config", file, "--backup-on-start"], {
      SIMPLEBACKUP_STATE_DIR: stateDir,
      TZ: "UTC",
    });
    daemons.push(first);
    await first.waitForLine(/\[sig\] backup started/, 60_000);
    // Let the slot pass while the backup runs.
    await waitFor(() => Date.now() > slot.getTime() + 1000, "the slot to pass", 30_000, 100);
    expect(first.count(/\[sig\] success/), first.lines.join("\n")).toBe(0);
    const knownSince = Date.parse(
      JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8")).jobs.sig.knownSince,
    );
    expect(knownSince).toBeLessThan(slot.getTime());

    const { code, ms } = await first.stop("SIGINT");
    expect(code, first.lines.join("\n") + first.stderr).toBe(0);
    expect(ms).toBeLessThan(10_000);
    expect(first.lines.join("\n")).toContain("[INTERRUPTED]");
    expect(locks(repository, PASSWORD)).toEqual([]);
    const state = JSON.parse(readFileSync(join(stateDir, "state.json"), "utf8"));
    expect(state.jobs.sig.lastAttempt.status).toBe("interrupted");
    expect(state.jobs.sig.lastSuccess).toBeUndefined();
    expect(snapshotIds(repository, PASSWORD)).toEqual([]);

    // Same job and state, full-speed restic, no --backup-on-start.
    config(slot, false);
    const second = new DaemonProcess(["--config", file], { SIMPLEBACKUP_STATE_DIR: stateDir, TZ: "UTC" });
    daemons.push(second);
    await second.waitForLine(/\[sig\] backup started/, 30_000);
    await second.waitForLine(/\[sig\] success: snapshot/, 60_000);
    expect((await second.stop()).code).toBe(0);
    expect(snapshotIds(repository, PASSWORD)).toHaveLength(1);
    expect(locks(repository, PASSWORD)).toEqual([]);
  }, 180_000);
});
