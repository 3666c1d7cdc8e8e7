import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quietTempDir, withQuietAncestors } from "../support/quiet-folder.js";
import { RESTIC, resticAtLeast } from "../support/restic.js";
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

describe("skip_if_unchanged (restic 0.17+ backup --skip-if-unchanged)", () => {
  // Only 0.17+ backs the folder up; it sits under a quiet parent (see quiet-folder.ts).
  const quiet = resticAtLeast("0.17.0") ? quietTempDir("sb-e2e-quiet-") : undefined;
  const source = quiet ? join(quiet.path, "data") : join(root, "data/docs");
  const repository = join(root, "repo-skip");
  const config = () =>
    write(join(root, "skip.json"), {
      skip_if_unchanged: true,
      backupjobs: [
        {
          ...documents,
          jobname: "Same",
          sources: [source],
          destination: "./repo-skip",
          retention: { last: 1 },
        },
      ],
    });
  afterAll(() => quiet?.dispose());

  function snapshotCount(): number {
    const result = spawnSync(RESTIC, ["snapshots", "--json", "--tag", "simplebackup:Same"], {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    return (JSON.parse(result.stdout) as unknown[]).length;
  }

  it("validate accepts it on restic 0.17+, and refuses it before (exit 2), naming the key and the fix", () => {
    if (quiet) write(join(source, "note.txt"), "the same every time");
    const result = simplebackup(["validate", "--config", config()]);
    if (resticAtLeast("0.17.0")) {
      expect(result.status, result.stderr).toBe(0);
      expect(result.stdout).toContain("config is valid: 1 job");
    } else {
      expect(result.status).toBe(2);
      expect(result.stderr).toMatch(
        /^error: skip_if_unchanged: needs restic 0\.17\.0 or later \(backup --skip-if-unchanged\); .+ is restic 0\.14\.\d+; the top-level skip_if_unchanged sets it for the job "Same"\n {2}fix: upgrade restic to 0\.17\.0 or later, or remove skip_if_unchanged from the config$/m,
      );
      expect(result.stdout).toContain("config is not usable with this restic: 1 error");
    }
  });

  it("makes no snapshot for a second backup of an unchanged folder on 0.17+; before, the run refuses before restic runs", () => {
    const file = config();
    const backup = () => simplebackup(["backup", "Same", "--config", file]);
    if (!resticAtLeast("0.17.0")) {
      const result = backup();
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(
        /Same: FAILED during backup \[RESTIC_VERSION_UNSUPPORTED\]: skip_if_unchanged needs restic 0\.17\.0 or later .*: upgrade restic to 0\.17\.0 or later, or remove skip_if_unchanged from the config/,
      );
      expect(existsSync(repository)).toBe(false); // no restic command ran: not even init
      return;
    }
    const { second, made } = withQuietAncestors(source, () => {
      backup();
      const before = snapshotCount();
      const second = backup();
      return { second, made: snapshotCount() - before };
    });
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(second.stdout).toContain("Same: done, no changes, no new snapshot, took ");
    expect(second.stdout).toMatch(/\n {2}19 B in 1 file \(1 unmodified\); 0 B added to the repository\n/);
    // An unchanged run is complete, so retention runs: the last snapshot holds what a new one would.
    expect(second.stdout).toMatch(/\nSame: retention kept 1 snapshot, removed \d+\n/);
    expect(made).toBe(0);
  });
});
