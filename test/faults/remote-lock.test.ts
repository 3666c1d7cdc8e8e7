import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "../e2e/cli.js";
import { lockFiles, RESTIC, restic } from "./helpers.js";

/**
 * restic's lock stays the last word for other hosts: a live restic process on another machine holds
 * the repository (here a `restic check --read-data` started in its own UTS namespace under the host
 * name `otherhost`, then SIGSTOPped), and its lock is older than the job's `stale_lock_after`.
 * simplebackup may ask `restic unlock` (never --remove-all), which keeps a live lock of another host;
 * the lock must stay, and nothing may claim it was removed.
 */
const PASSWORD = "remotelock-secret-5a1e";
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
let holder: ChildProcess | undefined;
// A host name of its own needs a UTS namespace: root on Linux. CI runs as root there, so a kernel
// that refuses `unshare -u` fails the test below loudly rather than skipping it.
const linuxRoot = process.platform === "linux" && process.getuid?.() === 0;

beforeAll(() => {
  write(join(root, "data/blob.bin"), randomBytes(24 * 1024 * 1024));
  expect(restic(repository, PASSWORD, ["init"]).status).toBe(0);
  expect(restic(repository, PASSWORD, ["backup", join(root, "data")]).status).toBe(0);
});

afterAll(() => {
  if (holder && holder.exitCode === null) {
    holder.kill("SIGCONT");
    holder.kill("SIGKILL");
  }
  temp.dispose();
});

describe.runIf(linuxRoot)("a live restic lock of another host, older than stale_lock_after", () => {
  it("is never removed, and no event says it was", async () => {
    const unshare = spawnSync("unshare", ["-u", "true"], { encoding: "utf8" });
    expect(unshare.status, `unshare -u (util-linux) must work here: ${unshare.stderr}`).toBe(0);
    for (let attempt = 0; attempt < 10 && lockFiles(repository).length === 0; attempt++) {
      const child = spawn(
        "unshare",
        ["-u", "sh", "-c", `hostname otherhost; exec ${RESTIC} check --read-data`],
        {
          env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
          stdio: "ignore",
        },
      );
      while (child.exitCode === null && lockFiles(repository).length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
      child.kill("SIGSTOP");
      if (child.exitCode === null && lockFiles(repository).length === 1) holder = child;
      else child.kill("SIGKILL");
    }
    expect(holder, "restic check never held its lock long enough to be stopped").toBeDefined();
    const [lock] = lockFiles(repository);

    const config = write(join(root, "config.json"), {
      backupjobs: [
        {
          jobname: "remote",
          sources: ["./data"],
          destination: "./repo",
          password: PASSWORD,
          backup_interval: "0 3 * * *",
          retention: { last: 1 },
          stale_lock_after: "1s",
        },
      ],
    });
    // Older than stale_lock_after (restic refreshes a live lock only every 5 minutes).
    await new Promise((resolve) => setTimeout(resolve, 2500));

    const backup = simplebackup(["backup", "remote", "--json", "--config", config], {
      env: { SIMPLEBACKUP_STATE_DIR: join(root, "state") },
    });
    const events = backup.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { type: string; code?: string });
    expect(backup.status, backup.stderr).toBe(1);
    expect(events.filter((e) => e.type === "stale-lock-removed")).toEqual([]);
    expect(events.find((e) => e.type === "failure")).toMatchObject({ code: "REPO_LOCKED" });
    expect(lockFiles(repository)).toEqual([lock]);
    expect(holder?.exitCode).toBeNull();
  }, 120_000);
});
