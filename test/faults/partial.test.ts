import { spawnSync } from "node:child_process";
import { chmodSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listFiles } from "../../packages/core/test/helpers/restic.js";
import { BIN, tempDir, write } from "../e2e/cli.js";
import { snapshotIds } from "./helpers.js";

/**
 * Fault 7: unreadable files and a missing source. The CLI runs as `nobody` (root reads everything),
 * so the temp folder is made world-writable and nobody creates the repository and state itself.
 * Expected: exit 3 (partial), the unreadable and missing paths named, the snapshot kept.
 */
const PASSWORD = "partial-secret-3c55";
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
const stateDir = join(root, "state");

beforeAll(() => {
  if (process.getuid?.() !== 0)
    throw new Error("this test runs the CLI as nobody, so it must run as root (CI does)");
  write(join(root, "data/readable.txt"), "visible");
  write(join(root, "data/locked.txt"), "hidden file");
  write(join(root, "data/closed/inner.txt"), "hidden dir");
  chmodSync(root, 0o777);
  chmodSync(join(root, "data/locked.txt"), 0o000);
  chmodSync(join(root, "data/closed"), 0o000);
  write(join(root, "config.json"), {
    backupjobs: [
      {
        jobname: "partial",
        sources: ["./data", "./missing"],
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 3 * * *",
      },
    ],
  });
});

afterAll(() => {
  chmodSync(join(root, "data/closed"), 0o755);
  temp.dispose();
});

function asNobody(args: string[]) {
  return spawnSync(
    "runuser",
    [
      "-u",
      "nobody",
      "--",
      "env",
      `SIMPLEBACKUP_STATE_DIR=${stateDir}`,
      `XDG_CACHE_HOME=${join(root, "cache")}`,
      `HOME=${root}`,
      process.execPath,
      BIN,
      ...args,
    ],
    { cwd: root, encoding: "utf8", env: { ...process.env, SIMPLEBACKUP_CONFIG: undefined } },
  );
}

describe("unreadable files and a missing source", () => {
  it("exits 3, names the paths, and keeps the snapshot", () => {
    const result = asNobody(["backup", "--config", join(root, "config.json")]);
    const output = result.stdout + result.stderr;
    expect(result.status, output).toBe(3);
    expect(output).toContain(join(root, "data/locked.txt"));
    expect(output).toContain(join(root, "data/closed"));
    expect(output).toContain(join(root, "missing"));

    expect(snapshotIds(repository, PASSWORD)).toHaveLength(1);
    const files = listFiles(repository, PASSWORD);
    expect(files).toContain(join(root, "data/readable.txt"));

    const json = asNobody(["backup", "--config", join(root, "config.json"), "--json"]);
    expect(json.status, json.stdout + json.stderr).toBe(3);
    const events = json.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { type: string; snapshotId?: string });
    const last = events.at(-1);
    expect(last?.type, json.stdout).toMatch(/partial/);
    expect(snapshotIds(repository, PASSWORD)).toHaveLength(2);
  });
});
