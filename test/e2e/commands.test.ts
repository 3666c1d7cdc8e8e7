import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resticAtLeast } from "../support/restic.js";
import { simplebackup, tempDir, write } from "./cli.js";

const PASSWORD = "commands-secret-2f7e";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const temp = tempDir();
const root = temp.path;
const config = join(root, "backup_config.json");

const job = (name: string, overrides: object = {}) => ({
  jobname: name,
  sources: ["./data/docs"],
  destination: "./repo",
  password: PASSWORD,
  backup_interval: "0 2 * * *",
  ...overrides,
});

function run(args: string[]) {
  return simplebackup([...args, "--config", config]);
}

function json<T = Record<string, unknown>>(result: {
  status: number | null;
  stdout: string;
  stderr: string;
}): T {
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

function snapshotCount(repository: string, job: string): number {
  const result = spawnSync(RESTIC, ["snapshots", "--json", "--tag", `simplebackup:${job}`], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as unknown[]).length;
}

beforeAll(() => {
  write(join(root, "data/docs/letter.txt"), "dear reader");
  write(join(root, "data/docs/sub/table.csv"), "1,2\n3,4\n");
  write(join(root, "data/docs/photo.bin"), randomBytes(200_000));
  write(config, {
    backupjobs: [
      job("Docs", { retention: { last: 1, days: 7 } }),
      job("Plain"),
      job("Broken", { destination: "./repo-broken" }),
      job("Wrong", { password: "not the password" }),
    ],
  });
  for (const name of ["Docs", "Plain", "Broken"]) {
    const result = run(["backup", name]);
    expect(result.status, result.stdout + result.stderr).toBe(0);
  }
  // Damage the biggest pack of Broken's repository: the one holding photo.bin.
  const packs = readdirSync(join(root, "repo-broken/data"), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const pack = packs[0] as string;
  chmodSync(pack, 0o600);
  const bytes = readFileSync(pack);
  for (let i = 1000; i < 1100; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
  writeFileSync(pack, bytes);
});
afterAll(() => temp.dispose());

describe("simplebackup snapshots", () => {
  it("lists a job's snapshots newest first under headings: local time with its offset, id, size, files, paths", () => {
    const result = run(["snapshots", "Plain"]);
    expect(result.status, result.stderr).toBe(0);
    // restic 0.17+ records the snapshot's size and file count (letter.txt, table.csv, photo.bin:
    // 11 + 8 + 200,000 B); older restic did not, and the table says so with `-` and a note.
    const [size, files, note] = resticAtLeast("0.17.0")
      ? ["195.3 KiB", "3", ""]
      : ["-", "-", "-: not recorded; restic records them from 0.17 on, older snapshots lack them\n"];
    expect(result.stdout).toMatch(
      new RegExp(
        `^Plain: 1 snapshot\\n  TIME {24}ID +SIZE  FILES  PATHS\\n  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d\\d:\\d\\d  [0-9a-f]{8}  +${size} +${files}  ${join(root, "data/docs")}\\n` +
          `SIZE: total size of the files in the snapshot; FILES: how many files it holds\\n${note}$`,
      ),
    );
  });

  it("prints JSON with both ids and the size and file count restic recorded (null before 0.17)", () => {
    const snapshots = json<{ job: string; id: string; short_id: string; size: number | null }[]>(
      run(["snapshots", "Plain", "--json"]),
    );
    expect(snapshots).toHaveLength(1);
    if (resticAtLeast("0.17.0"))
      expect(snapshots[0]).toMatchObject({ job: "Plain", size: 200_019, files: 3 });
    else expect(snapshots[0]).toMatchObject({ job: "Plain", size: null, files: null });
    expect(snapshots[0]?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshots[0]?.short_id).toBe(snapshots[0]?.id.slice(0, 8));
  });

  it("exits 2 for an unknown job", () => {
    const result = run(["snapshots", "Nope"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("[JOB_NOT_FOUND]");
  });
});

describe("simplebackup restore", () => {
  it("restores the latest snapshot into a new folder, with a line per step", () => {
    const target = join(root, "restored");
    const result = run(["restore", "Plain", "--target", target]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Plain: snapshot [0-9a-f]{8} of /);
    expect(result.stdout).toContain(`Plain: restoring into ${target}`);
    expect(result.stdout).toMatch(/Plain: restored 3 files \(.+\) into /);
    const original = join(root, "data/docs/photo.bin");
    expect(readFileSync(join(target, original)).equals(readFileSync(original))).toBe(true);
  });

  it("prints the result as JSON, restoring only what --include names", () => {
    const target = join(root, "restored-json");
    const include = join(root, "data/docs/sub");
    const result = json<{ ok: boolean; files: number }>(
      run(["restore", "Plain", "--target", target, "--include", include, "--include", "*.txt", "--json"]),
    );
    expect(result).toMatchObject({ ok: true, files: 2 });
  });

  it("refuses a folder that is not empty (exit 1), and a snapshot of another job", () => {
    const busy = run(["restore", "Plain", "--target", join(root, "data")]);
    expect(busy.status).toBe(1);
    expect(busy.stderr).toContain("[TARGET_NOT_EMPTY]");
    expect(busy.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const [docs] = json<{ id: string }[]>(run(["snapshots", "Docs", "--json"]));
    const other = run([
      "restore",
      "Plain",
      "--target",
      join(root, "restored-other"),
      "--snapshot",
      docs?.id ?? "?",
    ]);
    expect(other.status).toBe(1);
    expect(other.stderr).toContain("[SNAPSHOT_NOT_FOUND]");
  });

  it("exits 2 without --target", () => {
    expect(run(["restore", "Plain"]).status).toBe(2);
  });
});

describe("simplebackup check", () => {
  it("checks a subset and prints JSON", () => {
    const result = json(run(["check", "Plain", "--read-data-subset", "1/2", "--json"]));
    expect(result).toMatchObject({ ok: true, errors: [], readDataSubset: "1/2" });
  });

  it("exits 1 when the repository has errors, naming them", () => {
    const result = run(["check", "Broken", "--read-data"]);
    expect(result.status).toBe(1);
    // One damaged pack is one error on both versions (0.18's num_errors); 0.18 adds its advice as notes.
    expect(result.stdout).toContain("Broken: check FAILED: 1 error (read all data)\n");
    if (resticAtLeast("0.18.0")) {
      const [, pack] = /\n {2}error: pack ([0-9a-f]{64}) contains \d+ errors?: /.exec(result.stdout) ?? [];
      expect(pack, result.stdout).toBeDefined();
      expect(result.stdout).toContain(`\n  note: restic repair packs ${pack}\n`);
    } else {
      expect(result.stdout).toMatch(/\n {2}error: Pack ID does not match, want [0-9a-f]{64}, got /);
    }
  });

  it("exits 2 for a subset restic would refuse", () => {
    const result = run(["check", "Plain", "--read-data-subset", "150%"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("at most 100%");
  });
});

describe("simplebackup drill", () => {
  it("restores random files and compares them with the sources", () => {
    const result = run(["drill", "Plain", "--files", "2", "--seed", "7"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Plain: drill of snapshot [0-9a-f]{8} \(seed 7\): 2 of 3 files picked/);
    expect(result.stdout).toContain("Plain: drill passed: 2 matched, 0 mismatched, 0 skipped, 0 unreadable");
  });

  it("prints JSON, and fails (exit 1) on a damaged repository", () => {
    const result = run(["drill", "Broken", "--json"]);
    expect(result.status).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ ok: false, job: "Broken" });
    expect(report.unreadable + report.mismatched).toBeGreaterThan(0);
  });

  it("exits 2 for --files 0", () => {
    expect(run(["drill", "Plain", "--files", "0"]).status).toBe(2);
  });
});

describe("simplebackup forget", () => {
  it("previews the retention with reasons and removes nothing", () => {
    expect(run(["backup", "Docs"]).status).toBe(0); // retention kept one; now there are two
    const before = snapshotCount(join(root, "repo"), "Docs");
    const result = run(["forget", "Docs", "--dry-run"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Docs: dry run, nothing removed: would keep \d+ snapshots?, remove \d+/);
    expect(result.stdout).toMatch(/\n {2}ACTION {2}TIME {24}ID {8}KEPT AS\n/);
    expect(result.stdout).toMatch(
      /\n {2}keep {4}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d\d:\d\d {2}[0-9a-f]{8} {2}last snapshot, daily snapshot\n/,
    );
    expect(snapshotCount(join(root, "repo"), "Docs")).toBe(before);

    const preview = json<{ dryRun: boolean; keep: { reasons: string[] }[] }>(
      run(["forget", "Docs", "--dry-run", "--json"]),
    );
    expect(preview.dryRun).toBe(true);
    expect(preview.keep[0]?.reasons).toContain("last snapshot");
  });

  it("says a job without retention keeps everything", () => {
    const result = run(["forget", "Plain", "--dry-run"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Plain: no retention rules; the job keeps everything");
  });

  it("applies the retention for real without --dry-run", () => {
    // Docs keeps `last: 1, days: 7`, and all its snapshots are of today. A snapshot made outside the
    // job's own retention gives the forget something to remove on every version.
    const extra = spawnSync(RESTIC, ["backup", "-q", "--tag", "simplebackup:Docs", join(root, "data/docs")], {
      env: { ...process.env, RESTIC_REPOSITORY: join(root, "repo"), RESTIC_PASSWORD: PASSWORD },
      encoding: "utf8",
    });
    expect(extra.status, extra.stderr).toBe(0);
    const result = run(["forget", "Docs"]);
    expect(result.status, result.stderr).toBe(0);
    if (resticAtLeast("0.16.0")) {
      // restic 0.16+ also keeps a group's oldest snapshot while a keep rule has room left (restic
      // #3624): 6 of the 7 days are unused, so the first snapshot stays, "oldest daily snapshot" from
      // 0.18 on. The backups' own retention kept it too: 3 snapshots, the middle one goes.
      expect(result.stdout).toMatch(/Docs: kept 2 snapshots, removed 1\n/);
      if (resticAtLeast("0.18.0")) expect(result.stdout).toMatch(/ {2}oldest daily snapshot\n/);
      expect(snapshotCount(join(root, "repo"), "Docs")).toBe(2);
    } else {
      expect(result.stdout).toMatch(/Docs: kept 1 snapshot, removed 1\n/);
      expect(snapshotCount(join(root, "repo"), "Docs")).toBe(1);
    }
  });
});

describe("simplebackup unlock", () => {
  it("reports what it removed, as JSON", () => {
    const result = json(run(["unlock", "Plain", "--json"]));
    expect(result).toMatchObject({ job: "Plain", before: 0, removed: 0, remaining: [] });
  });

  it("exits 1 on a wrong password", () => {
    const result = run(["unlock", "Wrong"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("[WRONG_PASSWORD]");
  });
});
