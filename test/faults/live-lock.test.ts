import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, write } from "../e2e/cli.js";
import { DaemonProcess } from "../e2e/daemon-process.js";
import { lockFiles, locks, RESTIC, restic, snapshotIds, waitFor } from "./helpers.js";

/**
 * Fault 5: a repository locked by a live restic process. A `restic check --read-data` is SIGSTOPped
 * while it holds its exclusive lock, so even a backup cannot lock the repository. The daemon must
 * report REPO_LOCKED, retry, never remove the live lock, and succeed once the holder finishes.
 */
const PASSWORD = "livelock-secret-1f9a";
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
let holder: ChildProcess | undefined;
let daemon: DaemonProcess | undefined;

beforeAll(() => {
  write(join(root, "data/blob.bin"), randomBytes(24 * 1024 * 1024));
  expect(restic(repository, PASSWORD, ["init"]).status).toBe(0);
  const first = restic(repository, PASSWORD, ["backup", join(root, "data")]);
  expect(first.status, first.stderr).toBe(0);
});

afterAll(async () => {
  if (holder && holder.exitCode === null) {
    holder.kill("SIGCONT");
    holder.kill("SIGKILL");
  }
  await daemon?.stop("SIGKILL");
  temp.dispose();
});

/** Starts `restic check --read-data` and SIGSTOPs it once its lock file is in place. */
async function stoppedHoldingLock(): Promise<{ child: ChildProcess; lock: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const child = spawn(RESTIC, ["check", "--read-data"], {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
      stdio: "ignore",
    });
    while (child.exitCode === null && lockFiles(repository).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    child.kill("SIGSTOP");
    const held = lockFiles(repository);
    if (child.exitCode === null && held.length === 1 && held[0]) return { child, lock: held[0] };
    child.kill("SIGCONT");
    await new Promise((resolve) => (child.exitCode === null ? child.once("exit", resolve) : resolve(null)));
  }
  throw new Error("restic check never held its lock long enough to be stopped");
}

describe("a repository locked by a live restic process", () => {
  it("retries with REPO_LOCKED, never removes the live lock, and succeeds once it is released", async () => {
    const before = snapshotIds(repository, PASSWORD);
    const stopped = await stoppedHoldingLock();
    holder = stopped.child;
    const exited = new Promise((resolve) => stopped.child.once("exit", resolve));

    const config = write(join(root, "config.json"), {
      backupjobs: [
        {
          jobname: "locked",
          sources: ["./data"],
          destination: "./repo",
          password: PASSWORD,
          backup_interval: "0 3 * * *",
          retention: { last: 10 },
          retry: { attempts: 30, delays: ["1s"] },
        },
      ],
    });
    daemon = new DaemonProcess(["--config", config, "--backup-on-start"], {
      SIMPLEBACKUP_STATE_DIR: join(root, "state"),
    });
    await daemon.waitForLine(/\[locked\] FAILED.*\[REPO_LOCKED\]/, 60_000);
    await daemon.waitForLine(/\[locked\] will retry at .*\(attempt 2 of 30\)/, 60_000);
    // Let a few attempts fail against the live lock.
    await waitFor(
      () => daemon && daemon.count(/\[locked\] FAILED.*\[REPO_LOCKED\]/) >= 3,
      "3 attempts",
      90_000,
    );
    expect(lockFiles(repository)).toContain(stopped.lock);
    expect(daemon.count(/removed a stale lock/)).toBe(0);
    expect(daemon.count(/\[locked\] success/)).toBe(0);

    stopped.child.kill("SIGCONT");
    await exited;
    await daemon.waitForLine(/\[locked\] success: snapshot/, 90_000);
    expect(daemon.count(/removed a stale lock/), daemon.lines.join("\n")).toBe(0);
    expect((await daemon.stop()).code).toBe(0);

    expect(locks(repository, PASSWORD)).toEqual([]);
    const after = snapshotIds(repository, PASSWORD);
    expect(after).toHaveLength(before.length + 1);
    for (const id of before) expect(after).toContain(id);
  }, 240_000);
});
