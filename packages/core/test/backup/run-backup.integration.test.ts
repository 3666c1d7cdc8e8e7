import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argvLeaks } from "../../../../test/support/process-argv.js";
import { runBackup } from "../../src/backup/run-backup.js";
import type { BackupJob } from "../../src/config/types.js";
import type { BackupEvent } from "../../src/events.js";
import { createRestic } from "../../src/restic/restic.js";
import { makeJob } from "../helpers/job.js";
import { listFiles, RESTIC, resticJson, type SnapshotJson } from "../helpers/restic.js";
import { createTempDir, writeTree } from "../helpers/tree.js";

const PASSWORD = "correct horse battery staple 7f3a";
const restic = createRestic(RESTIC);
const temp = createTempDir();
const root = temp.path;

function job(overrides: Partial<BackupJob> & Pick<BackupJob, "name" | "repository">): BackupJob {
  return makeJob({
    sources: [join(root, "src/a")],
    password: { kind: "literal", value: PASSWORD },
    ...overrides,
  });
}

async function run(backupJob: BackupJob) {
  const events: BackupEvent[] = [];
  const result = await runBackup(backupJob, { restic, emit: (event) => events.push(event) });
  return { result, events, types: events.map((event) => event.type) };
}

beforeAll(() => {
  writeTree(join(root, "src"), {
    "a/notes.txt": "alpha",
    "a/project/index.js": "console.log(1)",
    "a/project/node_modules/dep/index.js": "module.exports = 1",
    "a/project/.git/HEAD": "ref: refs/heads/main",
    "a/project/cache.tmp": "scratch",
    "a/project/keep.tmpl": "template stays",
    "b/photo.jpg": "jpeg bytes",
    "c/deep/ledger.csv": "1,2,3",
  });
});
afterAll(() => temp.dispose());

describe("runBackup against a real restic", () => {
  const repository = join(root, "repo-main");
  const threeSources = job({
    name: "three",
    repository,
    sources: [join(root, "src/a"), join(root, "src/b"), join(root, "src/c")],
    excludes: ["**/node_modules", "**/.git", "**/*.tmp"],
  });

  it("creates the repository on the first run and not on the second", async () => {
    const first = await run(threeSources);
    expect(first.result.status).toBe("success");
    expect(first.result.repositoryInitialized).toBe(true);
    expect(first.types).toEqual(expect.arrayContaining(["start", "repository-initialized", "success"]));
    expect(first.types.indexOf("repository-initialized")).toBeLessThan(first.types.indexOf("success"));

    const second = await run(threeSources);
    expect(second.result.status).toBe("success");
    expect(second.result.repositoryInitialized).toBe(false);
    expect(second.types).not.toContain("repository-initialized");
    expect(second.result.stats?.filesUnmodified).toBe(first.result.stats?.filesNew);
  });

  it("backs up three sources into one snapshot tagged with the job", async () => {
    const snapshots = resticJson<SnapshotJson[]>(repository, PASSWORD, [
      "snapshots",
      "--tag",
      "simplebackup:three",
    ]);
    expect(snapshots).toHaveLength(2);
    expect(snapshots[0]?.paths.sort()).toEqual([
      join(root, "src/a"),
      join(root, "src/b"),
      join(root, "src/c"),
    ]);
    expect(snapshots[0]?.tags).toEqual(["simplebackup:three"]);
  });

  it("leaves excluded node_modules, .git and *.tmp out of the snapshot", () => {
    const files = listFiles(repository, PASSWORD);
    expect(files).toContain(join(root, "src/a/project/index.js"));
    expect(files).toContain(join(root, "src/a/project/keep.tmpl"));
    expect(files).toContain(join(root, "src/c/deep/ledger.csv"));
    expect(files.filter((f) => f.includes("node_modules"))).toEqual([]);
    expect(files.filter((f) => f.includes("/.git"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("reports a summary with the snapshot id and numbers", async () => {
    const { result, events } = await run(threeSources);
    const success = events.find((event) => event.type === "success");
    expect(success).toMatchObject({ job: "three", runId: result.runId, snapshotId: result.snapshotId });
    expect(result.snapshotId).toMatch(/^[0-9a-f]{8,64}$/);
    expect(result.stats?.totalFilesProcessed).toBe(5);
    expect(result.stats?.totalBytesProcessed).toBeGreaterThan(0);
  });
});

describe("retention", () => {
  const repository = join(root, "repo-shared");
  const keepOne = job({ name: "keep-one", repository, retention: { last: 1 } });
  const keepAll = job({ name: "keep-all", repository, sources: [join(root, "src/b")] });

  it("forgets only the job's own snapshots", async () => {
    await run(keepAll);
    await run(keepAll);
    await run(job({ ...keepOne, retention: undefined }));
    const { result, events } = await run(keepOne);
    expect(result.retention).toMatchObject({ status: "done", kept: 1, removed: 1 });
    expect(events.find((e) => e.type === "retention-done")).toMatchObject({ kept: 1, removed: 1 });
    const own = resticJson<SnapshotJson[]>(repository, PASSWORD, [
      "snapshots",
      "--tag",
      "simplebackup:keep-one",
    ]);
    const other = resticJson<SnapshotJson[]>(repository, PASSWORD, [
      "snapshots",
      "--tag",
      "simplebackup:keep-all",
    ]);
    expect(own).toHaveLength(1);
    expect(own[0]?.short_id).toBe(result.snapshotId?.slice(0, 8));
    expect(other).toHaveLength(2);
  });

  it("keeps one retention history when the job's sources change", async () => {
    const widened = { ...keepOne, sources: [join(root, "src/a"), join(root, "src/c")] };
    const { result } = await run(widened);
    expect(result.retention).toMatchObject({ status: "done", kept: 1, removed: 1 });
    const own = resticJson<SnapshotJson[]>(repository, PASSWORD, [
      "snapshots",
      "--tag",
      "simplebackup:keep-one",
    ]);
    expect(own.map((s) => s.paths.length)).toEqual([2]);
  });
});

describe("failures", () => {
  it("fails with WRONG_PASSWORD, creates nothing and never inits", async () => {
    const repository = join(root, "repo-main");
    const before = readdirSync(join(repository, "keys")).length;
    const { result, events } = await run(
      job({ name: "wrong", repository, password: { kind: "literal", value: "not the password" } }),
    );
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("WRONG_PASSWORD");
    expect(result.repositoryInitialized).toBe(false);
    expect(readdirSync(join(repository, "keys"))).toHaveLength(before);
    expect(events.at(-1)).toMatchObject({ type: "failure", code: "WRONG_PASSWORD", phase: "backup" });
  });

  it("reports a missing source as partial and names it, with the snapshot kept", async () => {
    const missing = join(root, "src/not-there");
    const { result, events } = await run(
      job({ name: "missing", repository: join(root, "repo-main"), sources: [join(root, "src/b"), missing] }),
    );
    expect(result.status).toBe("partial");
    expect(result.missingSources).toEqual([missing]);
    expect(result.snapshotId).toBeDefined();
    expect(events.find((e) => e.type === "partial")).toMatchObject({ missingSources: [missing] });
  });

  it("fails with SOURCE_MISSING when no source exists", async () => {
    const { result } = await run(
      job({ name: "none", repository: join(root, "repo-main"), sources: [join(root, "src/nope")] }),
    );
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("SOURCE_MISSING");
  });

  it("refuses to create a repository whose parent folder is missing (an unmounted drive)", async () => {
    const repository = join(root, "unmounted-drive/backups/repo");
    const { result } = await run(job({ name: "unmounted", repository }));
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("REPO_NOT_FOUND");
    expect(result.error?.message).toMatch(/is the drive mounted/);
    expect(existsSync(join(root, "unmounted-drive"))).toBe(false);
  });

  it("reports a password_env variable that is not set without running restic", async () => {
    const { result } = await run(
      job({
        name: "env",
        repository: join(root, "repo-main"),
        password: { kind: "env", variable: "SB_TEST_UNSET_VAR" },
      }),
    );
    expect(result.error?.code).toBe("PASSWORD_UNAVAILABLE");
    expect(result.error?.message).toContain("SB_TEST_UNSET_VAR");
  });
});

describe("secrets", () => {
  it("never puts the password or backend credentials on any process's argv", async () => {
    const repository = join(root, "repo-secret");
    const secretJob = job({
      name: "secret",
      repository,
      retention: { last: 2 },
      env: { AWS_SECRET_ACCESS_KEY: "aws-secret-9c1e" },
    });
    const { leaks, programs, result } = await argvLeaks([PASSWORD, "aws-secret-9c1e"], () => run(secretJob));
    expect(result.result.status).toBe("success");
    expect(programs.has("restic")).toBe(true);
    expect(leaks).toEqual([]);
    expect(JSON.stringify(result.events)).not.toContain(PASSWORD);
  });

  it("supports password files and commands", async () => {
    const repository = join(root, "repo-secret");
    const file = join(root, "password.txt");
    writeTree(root, { "password.txt": `${PASSWORD}\n` });
    const fromFile = await run(job({ name: "secret", repository, password: { kind: "file", path: file } }));
    expect(fromFile.result.status).toBe("success");
    const fromCommand = await run(
      job({ name: "secret", repository, password: { kind: "command", command: `cat ${file}` } }),
    );
    expect(fromCommand.result.status).toBe("success");
    const missingFile = await run(
      job({ name: "secret", repository, password: { kind: "file", path: join(root, "nope.txt") } }),
    );
    expect(missingFile.result.error?.code).toBe("PASSWORD_UNAVAILABLE");
  });
});
