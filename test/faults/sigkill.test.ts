import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, simplebackupAsync, tempDir, write } from "../e2e/cli.js";
import {
  checkClean,
  findRestic,
  lockFiles,
  locks,
  processAlive,
  slowResticScript,
  snapshotIds,
} from "./helpers.js";

/**
 * Fault 1: restic SIGKILLed mid-backup, 10 times. A SIGKILLed restic leaves its lock behind; backups
 * take shared locks and so still succeed, but forget needs the exclusive lock, so the job has a
 * retention: each next run must clear the stale lock or its forget fails.
 */
const PASSWORD = "sigkill-secret-5d21";
const KILLS = 10;
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
const stateDir = join(root, "state");
const env = { SIMPLEBACKUP_STATE_DIR: stateDir };
const killed: number[] = [];

const job = (resticBinary?: string) => ({
  ...(resticBinary ? { restic_binary: resticBinary } : {}),
  backupjobs: [
    {
      jobname: "killme",
      sources: ["./data"],
      destination: "./repo",
      password: PASSWORD,
      backup_interval: "0 3 * * *",
      // Keeps everything (at most 1 + KILLS snapshots), but makes every run call forget.
      retention: { last: 100 },
    },
  ],
});

beforeAll(() => {
  write(join(root, "data/base.txt"), "base");
  write(join(root, "slow-restic.sh"), slowResticScript(1024));
  spawnSync("chmod", ["+x", join(root, "slow-restic.sh")]);
  write(join(root, "slow.json"), job("./slow-restic.sh"));
  write(join(root, "fast.json"), job());
});

afterAll(() => {
  for (const pid of killed) if (processAlive(pid)) process.kill(pid, "SIGKILL");
  temp.dispose();
});

describe("restic SIGKILLed mid-backup, 10 times", () => {
  it("each next run succeeds and clears the stale lock; check is clean; no snapshot is lost", async () => {
    const first = simplebackup(["backup", "--config", join(root, "fast.json")], { env });
    expect(first.status, first.stdout + first.stderr).toBe(0);
    let before = snapshotIds(repository, PASSWORD);
    expect(before).toHaveLength(1);
    const staleLocksSeen: number[] = [];

    for (let round = 1; round <= KILLS; round++) {
      // New incompressible data each round, so the backup has something to upload slowly (8 MiB at 1 MiB/s).
      write(join(root, `data/round-${round}.bin`), randomBytes(8 * 1024 * 1024));
      const run = simplebackupAsync(["backup", "--config", join(root, "slow.json")], env);
      // Wait until the restic backup of this job runs and holds its lock, then SIGKILL restic itself.
      let pid: number | undefined;
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && run.child.exitCode === null) {
        pid = findRestic("backup", root)[0];
        if (pid !== undefined && lockFiles(repository).length > 0) break;
        pid = undefined;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(pid, `round ${round}: never saw restic backup holding its lock`).toBeDefined();
      if (pid === undefined) return;
      killed.push(pid);
      process.kill(pid, "SIGKILL");
      const failed = await run.done;
      expect(failed.status, `round ${round}: ${failed.stdout}${failed.stderr}`).not.toBe(0);
      expect(failed.stdout + failed.stderr).toMatch(/FAILED|fail/i);
      staleLocksSeen.push(locks(repository, PASSWORD).length);
      // Nothing was lost by the crash.
      expect(snapshotIds(repository, PASSWORD)).toEqual(before);

      const next = simplebackup(["backup", "--config", join(root, "fast.json"), "--json"], { env });
      expect(next.status, `round ${round}: ${next.stdout}${next.stderr}`).toBe(0);
      const events = next.stdout
        .trim()
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; holderPid?: number });
      expect(locks(repository, PASSWORD), `round ${round}: a lock was left`).toEqual([]);
      const after = snapshotIds(repository, PASSWORD);
      expect(after).toHaveLength(before.length + 1);
      for (const id of before) expect(after).toContain(id);
      before = after;
      if (staleLocksSeen[round - 1]) {
        expect(events.some((e) => e.type === "stale-lock-removed" && e.holderPid === pid)).toBe(true);
      }
    }

    // Every kill left a lock that the next run had to clear.
    expect(staleLocksSeen.filter((n) => n > 0).length).toBe(KILLS);
    expect(snapshotIds(repository, PASSWORD)).toHaveLength(1 + KILLS);
    checkClean(repository, PASSWORD);
  }, 600_000);
});
