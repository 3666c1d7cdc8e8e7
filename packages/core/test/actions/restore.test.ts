import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RestoreProgress, runRestore } from "../../src/actions/restore.js";
import { resticJson, resticRun, type SnapshotJson } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";
import { writeTree } from "../helpers/tree.js";

const PASSWORD = "restore-secret-4b1e";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const { temp, root, source, repository, restic, job } = createTestRepository("restore", PASSWORD);

/** A database's dump in the job, newer than its files, as a run makes one. */
function backupDump(): string {
  const args = ["backup", "--json", "--stdin", "--stdin-filename", "/docs-postgresql-app.sql"];
  const tags = ["--tag", "simplebackup:docs", "--tag", "simplebackup-db:postgresql:app"];
  const result = spawnSync(RESTIC, [...args, ...tags], {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    input: "CREATE TABLE t (id int);\n",
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  const line = result.stdout.split("\n").find((l) => l.includes('"summary"')) ?? "{}";
  return (JSON.parse(line) as { snapshot_id: string }).snapshot_id;
}

function backup(tag: string): string {
  const result = resticRun(repository, PASSWORD, ["backup", "--json", "-q", "--tag", tag, source]);
  expect(result.status, result.stderr).toBe(0);
  const snapshots = resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots", "--tag", tag]);
  return snapshots.sort((a, b) => Date.parse(a.time) - Date.parse(b.time)).at(-1)?.id ?? "";
}

/** Every regular file below `dir`, by path relative to it, with its sha256. */
function hashTree(dir: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  const visit = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile())
        hashes[relative(dir, path)] = createHash("sha256").update(readFileSync(path)).digest("hex");
    }
  };
  visit(dir);
  return hashes;
}

const docs = job("docs");
let firstId = "";
let dumpId = "";
let firstTree: Record<string, string> = {};

beforeAll(() => {
  writeTree(source, {
    "notes.txt": "first version",
    "deep/nested/ledger.csv": "1,2,3\n",
    "we*ird [1].txt": "glob characters in a name",
    "empty.txt": "",
  });
  writeTree(source, { "blob.bin": randomBytes(300_000).toString("latin1") });
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  firstId = backup("simplebackup:docs");
  firstTree = hashTree(source);
  writeTree(source, { "notes.txt": "second version, longer", "added.txt": "new in the second snapshot" });
  backup("simplebackup:docs");
  backup("simplebackup:other");
  dumpId = backupDump();
});
afterAll(() => temp.dispose());

describe("runRestore against a real restic", () => {
  it("restores the job's latest snapshot byte for byte, below the original absolute path", async () => {
    const target = join(root, "restore-latest");
    const steps: RestoreProgress[] = [];
    const result = await runRestore(docs, { restic, target, onProgress: (p) => steps.push(p) });
    expect(result.ok).toBe(true);
    expect(hashTree(join(target, source))).toEqual(hashTree(source));
    // Files alone on every version (0.16+'s own files_restored also counts the 5 folders: 11).
    expect(result.files).toBe(6);
    expect(result.bytes).toBe(
      Object.keys(hashTree(source)).reduce((sum, f) => sum + statSync(join(source, f)).size, 0),
    );
    expect(result.snapshot.paths).toEqual([source]);
    expect(steps.filter((p) => p.kind === "step").map((p) => p.step)).toEqual([
      "snapshot",
      "restore",
      "verify",
    ]);
  });

  it("restores a named snapshot by its short id, as it was then", async () => {
    const target = join(root, "restore-named");
    const result = await runRestore(docs, { restic, target, snapshot: firstId.slice(0, 8) });
    expect(result.snapshot.id).toBe(firstId);
    expect(hashTree(join(target, source))).toEqual(firstTree);
    expect(readFileSync(join(target, source, "notes.txt"), "utf8")).toBe("first version");
  });

  it("restores only what --include names", async () => {
    const target = join(root, "restore-include");
    const result = await runRestore(docs, { restic, target, include: [join(source, "deep")] });
    expect(Object.keys(hashTree(target))).toEqual([
      relative(target, join(target, source, "deep/nested/ledger.csv")),
    ]);
    expect(result.files).toBe(1); // 0.16+'s files_restored: 6, the folders above it included
  });

  it("refuses a folder that is not empty, unless told to overwrite", async () => {
    const target = join(root, "restore-busy");
    writeTree(target, { "keep-me.txt": "mine" });
    await expect(runRestore(docs, { restic, target })).rejects.toMatchObject({ code: "TARGET_NOT_EMPTY" });
    expect(readdirSync(target)).toEqual(["keep-me.txt"]);

    const result = await runRestore(docs, { restic, target, overwrite: true });
    expect(result.ok).toBe(true);
    expect(readFileSync(join(target, "keep-me.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(target, source, "added.txt"))).toBe(true);
  });

  it("never restores in place", async () => {
    await expect(runRestore(docs, { restic, target: "/", overwrite: true })).rejects.toMatchObject({
      code: "TARGET_IN_PLACE",
    });
  });

  it("refuses a snapshot of another job, and an id that is no snapshot", async () => {
    const [other] = resticJson<SnapshotJson[]>(repository, PASSWORD, [
      "snapshots",
      "--tag",
      "simplebackup:other",
    ]);
    const target = join(root, "restore-other");
    await expect(
      runRestore(docs, { restic, target, snapshot: other?.short_id ?? "?" }),
    ).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
    });
    await expect(runRestore(docs, { restic, target, snapshot: "not-an-id" })).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
    });
    await expect(runRestore(docs, { restic, target, snapshot: dumpId.slice(0, 8) })).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
      message: expect.stringContaining(
        "is a dump of database postgresql:app; restore it with `simplebackup restore-db docs --database app",
      ),
    });
    expect(existsSync(target)).toBe(false);
  });

  it("says a job without snapshots has none", async () => {
    await expect(
      runRestore(job("never-ran"), { restic, target: join(root, "restore-none") }),
    ).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
      message: expect.stringContaining("no snapshots yet"),
    });
  });
});
