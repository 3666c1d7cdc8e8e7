import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "./cli.js";

const PASSWORD = "notify-secret-63aa";
const temp = tempDir();
const root = temp.path;
const mountPoint = join(root, "small-disk");
const restoreDisk = join(root, "small-restore-disk");

function sh(command: string, args: string[]) {
  const result = spawnSync(command, args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
}

/** Notifications the command notifier wrote, one JSON document per line. */
function received(file: string): {
  event: {
    type: string;
    code?: string;
    job: string;
    stats?: { totalFilesProcessed: number; totalBytesProcessed: number };
  };
  notification: { title: string; body: string };
}[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}

beforeAll(() => {
  if (process.getuid?.() !== 0) {
    throw new Error(
      "this test mounts a small tmpfs as the full destination, so it must run as root (CI does)",
    );
  }
  mkdirSync(mountPoint, { recursive: true });
  sh("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint]);
  write(join(root, "data/big.bin"), randomBytes(12 * 1024 * 1024));
  write(join(root, "data/small.txt"), "small");
});

afterAll(() => {
  spawnSync("umount", [mountPoint]);
  spawnSync("umount", [restoreDisk]);
  temp.dispose();
});

describe("notifications for a backup into a full destination (a 4 MB tmpfs)", () => {
  const failures = join(root, "failures.jsonl");
  const successes = join(root, "successes.jsonl");
  const config = () =>
    write(join(root, "backup_config.json"), {
      notifications: [
        { type: "command", command: "/bin/sh", args: ["-c", `cat >> ${failures}; echo >> ${failures}`] },
        {
          type: "command",
          command: "/bin/sh",
          args: ["-c", `cat >> ${successes}; echo >> ${successes}`],
          on: ["success"],
        },
      ],
      backupjobs: [
        {
          jobname: "Full",
          sources: ["./data"],
          destination: join(mountPoint, "repo"),
          password: PASSWORD,
          backup_interval: "0 3 * * *",
          retry: { attempts: 3, delays: ["1s"] },
        },
      ],
    });

  it("says DESTINATION_FULL once, leaves a sound repository, and succeeds once space is freed", () => {
    const file = config();
    const full = simplebackup(["backup", "--config", file]);
    expect(full.status).toBe(1);
    expect(full.stdout).toContain("[DESTINATION_FULL]");
    const notified = received(failures);
    expect(notified.filter((n) => n.event.code === "DESTINATION_FULL")).toHaveLength(1);
    expect(notified).toHaveLength(1);
    expect(notified[0]?.notification.title).toMatch(/full/i);
    expect(JSON.stringify(notified)).not.toContain(PASSWORD);

    const check = spawnSync("restic", ["check"], {
      env: { ...process.env, RESTIC_REPOSITORY: join(mountPoint, "repo"), RESTIC_PASSWORD: PASSWORD },
      encoding: "utf8",
    });
    expect(check.status, check.stderr).toBe(0);
    expect(check.stdout).toContain("no errors were found");

    sh("mount", ["-o", "remount,size=64m", mountPoint]);
    const after = simplebackup(["backup", "--config", file]);
    expect(after.status, after.stdout + after.stderr).toBe(0);
    const success = received(successes);
    expect(success).toHaveLength(1);
    expect(success[0]?.event.stats?.totalFilesProcessed).toBe(2);
    expect(success[0]?.notification.body).toMatch(/2 files/);
    expect(success[0]?.notification.body).toMatch(/12(\.0)? MiB/);
    expect(received(failures)).toHaveLength(1);
  });
});

describe("a restore into a disk that fills midway (another 4 MB tmpfs)", () => {
  it("fails as DESTINATION_FULL, naming the files that failed and what the target holds, never as restored", () => {
    // The snapshot of the test above: data/big.bin (12 MiB) and data/small.txt.
    mkdirSync(restoreDisk, { recursive: true });
    sh("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", restoreDisk]);
    const target = join(restoreDisk, "restored");
    const result = simplebackup([
      "restore",
      "Full",
      "--target",
      target,
      "--config",
      join(root, "backup_config.json"),
    ]);
    expect(result.status, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Full: FAILED \\[DESTINATION_FULL\\]: the disk of ${target} is full \\(no space left on device\\): `,
        "m",
      ),
    );
    expect(result.stdout).toMatch(/cannot be trusted there/);
    expect(result.stdout).toMatch(/^Full: {3}\S*big\.bin: .*no space left on device$/m);
    expect(result.stdout).not.toMatch(/^Full: restored /m);
  });
});
