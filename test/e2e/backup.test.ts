import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simplebackup, tempDir, write } from "./cli.js";

const PASSWORD = "e2e-secret-5d2c9";
const temp = tempDir();
const root = temp.path;

function classicConfig(jobs: object[]) {
  return write(join(root, "backup_config.json"), { backupjobs: jobs });
}

const documents = {
  jobname: "Documents",
  sources: ["./data/docs", "./data/more"],
  destination: "./repo",
  password: PASSWORD,
  backup_interval: "0 2 * * *",
  exclude_patterns: ["**/node_modules"],
  retention: { hours: 24, days: 7, weeks: 4, months: 6, years: 1 },
};

beforeAll(() => {
  write(join(root, "data/docs/letter.txt"), "dear reader");
  write(join(root, "data/docs/node_modules/x/index.js"), "excluded");
  write(join(root, "data/more/table.csv"), "1,2");
  classicConfig([documents, { ...documents, jobname: "Broken", sources: ["./data/docs", "./data/gone"] }]);
});
afterAll(() => temp.dispose());

describe("simplebackup backup", () => {
  it("backs up a classic config from the current folder and says which file it used", () => {
    const result = simplebackup(["backup", "Documents"], { cwd: root });
    expect(result.stderr).toContain(`config: ${join(root, "backup_config.json")} (in the current folder)`);
    expect(result.stdout).toContain("Documents: created a new repository");
    expect(result.stdout).toMatch(/Documents: done, snapshot [0-9a-f]{8}/);
    // What each number is: the snapshot's size and files, then what the repository gained (data and
    // metadata, so more than the 14 bytes of files).
    expect(result.stdout).toMatch(/\n {2}14 B in 2 files \(2 new\); \d+\.\d+ KiB added to the repository\n/);
    expect(result.stdout).toContain("retention kept 1 snapshot, removed 0");
    expect(result.status).toBe(0);
  });

  it("prints one JSON event per line with --json", () => {
    const result = simplebackup([
      "backup",
      "Documents",
      "--json",
      "--config",
      join(root, "backup_config.json"),
    ]);
    expect(result.status).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const types = events.map((event) => event.type);
    expect(types[0]).toBe("start");
    // The outcome comes last, after retention: a run whose forget failed is never a success first.
    expect(types.at(-2)).toBe("retention-done");
    expect(types.at(-1)).toBe("success");
    for (const event of events) {
      expect(event).toMatchObject({ job: "Documents", runId: events[0].runId });
      expect(typeof event.at).toBe("string");
    }
    expect(result.stdout).not.toContain(PASSWORD);
  });

  it("exits 3 for a partial backup and names the missing source", () => {
    const result = simplebackup(["backup", "Broken"], { cwd: root });
    expect(result.stdout).toContain("PARTIAL");
    expect(result.stdout).toContain(`missing source: ${join(root, "data/gone")}`);
    expect(result.status).toBe(3);
  });

  it("exits 1 on a wrong password and says so", () => {
    const config = write(join(root, "wrong.json"), {
      backupjobs: [{ ...documents, password: "not it" }],
    });
    const result = simplebackup(["backup", "--config", config]);
    expect(result.stdout).toContain("FAILED during backup [WRONG_PASSWORD]");
    expect(result.status).toBe(1);
  });

  it("exits 2 for an unknown job name and lists the jobs", () => {
    const result = simplebackup(["backup", "Nope"], { cwd: root });
    expect(result.stderr).toContain('no job named "Nope"; the config has: "Documents", "Broken"');
    expect(result.status).toBe(2);
  });

  it("explains how to install restic when it is missing", () => {
    const result = simplebackup(["backup", "Documents"], {
      cwd: root,
      env: { RESTIC_BINARY: join(root, "no-such-restic") },
    });
    expect(result.stderr).toContain("RESTIC_NOT_FOUND");
    expect(result.stderr).toContain("apt-get install restic");
    expect(result.stderr).toContain("brew install restic");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.status).toBe(1);
  });

  it("records runs started by hand: a log file per run, and status shows them", () => {
    const stateDir = join(root, "state");
    const result = simplebackup(["backup", "Documents"], {
      cwd: root,
      env: { SIMPLEBACKUP_STATE_DIR: stateDir },
    });
    expect(result.status).toBe(0);
    const logPath = /^log: (.+)$/m.exec(result.stderr)?.[1];
    expect(logPath).toContain(join(stateDir, "logs"));
    const log = readFileSync(logPath as string, "utf8");
    expect(log).toMatch(/\$ restic backup --json --tag simplebackup:Documents/);
    expect(log).toMatch(/success: snapshot [0-9a-f]{8}/);
    expect(log).not.toContain(PASSWORD);

    const status = simplebackup(["status", "--json"], {
      cwd: root,
      env: { SIMPLEBACKUP_STATE_DIR: stateDir },
    });
    const report = JSON.parse(status.stdout);
    expect(report.daemon).toBeUndefined();
    expect(report.jobs.find((j: { job: string }) => j.job === "Documents").lastSuccess).toMatchObject({
      status: "success",
      snapshotId: expect.stringMatching(/^[0-9a-f]{8}/),
    });
  });

  it("lists the job's snapshots", () => {
    const result = simplebackup(["snapshots", "Documents", "--json"], { cwd: root });
    expect(result.status).toBe(0);
    const snapshots = JSON.parse(result.stdout);
    expect(snapshots.length).toBeGreaterThanOrEqual(1);
    expect(snapshots[0].job).toBe("Documents");
    expect(snapshots[0].paths).toEqual([join(root, "data/docs"), join(root, "data/more")]);
  });
});
