import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRandom, pickRandom, runDrill } from "../../src/actions/drill.js";
import { resticRun } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";
import { writeTree } from "../helpers/tree.js";

const PASSWORD = "drill-secret-0c7d";
const { temp, root, source, repository, restic, job } = createTestRepository("drill", PASSWORD);
const drillTemp = join(root, "drill-tmp");

const docs = job("docs");
const drill = (options: { files?: number; seed?: number } = {}) =>
  runDrill(docs, { restic, files: 100, tempDir: drillTemp, ...options });

beforeAll(() => {
  writeTree(source, {
    "a.txt": "alpha",
    "b/c.txt": "charlie",
    "b/d/e.txt": "echo",
    "we*ird [1].txt": "glob characters",
    "changing.txt": "before",
  });
  writeFileSync(join(source, "big.bin"), randomBytes(400_000));
  mkdirSync(drillTemp);
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  const backup = resticRun(repository, PASSWORD, ["backup", "-q", "--tag", "simplebackup:docs", source]);
  expect(backup.status, backup.stderr).toBe(0);
});
afterAll(() => temp.dispose());

describe("pickRandom", () => {
  it("picks the same files for the same seed, and distinct ones", () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const first = pickRandom(items, 10, createRandom(42));
    expect(pickRandom(items, 10, createRandom(42))).toEqual(first);
    expect(new Set(first).size).toBe(10);
    expect(pickRandom(items, 10, createRandom(43))).not.toEqual(first);
    expect(pickRandom(items, 80, createRandom(1)).sort((a, b) => a - b)).toEqual(items);
  });

  it("spreads its picks over the whole list", () => {
    const random = createRandom(7);
    const counts = new Array(10).fill(0);
    for (let i = 0; i < 5000; i++)
      counts[pickRandom([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 1, random)[0] as number]++;
    for (const count of counts) expect(count).toBeGreaterThan(400);
  });
});

describe("runDrill against a real restic", () => {
  it("passes on a sound repository: every picked file matches its source", async () => {
    const result = await drill();
    expect(result).toMatchObject({ ok: true, matched: 6, mismatched: 0, skipped: 0, unreadable: 0 });
    expect(result.filesInSnapshot).toBe(6);
    expect(result.files.map((f) => f.path)).toContain(join(source, "we*ird [1].txt"));
    expect(readdirSync(drillTemp)).toEqual([]);
  });

  it("picks N files by its seed, and reports the seed", async () => {
    const first = await drill({ files: 2, seed: 1234 });
    expect(first.files).toHaveLength(2);
    expect(first.seed).toBe(1234);
    const again = await drill({ files: 2, seed: 1234 });
    expect(again.files.map((f) => f.path)).toEqual(first.files.map((f) => f.path));
  });

  it("skips a source file that changed since the snapshot instead of calling it a mismatch", async () => {
    const changing = join(source, "changing.txt");
    const { mtime } = statSync(changing);
    writeFileSync(changing, "after!"); // same size: only the mtime tells
    utimesSync(changing, mtime, new Date(mtime.getTime() + 2000));
    const result = await drill();
    expect(result).toMatchObject({ ok: true, matched: 5, mismatched: 0, skipped: 1 });
    expect(result.files.find((f) => f.path === changing)).toMatchObject({
      status: "skipped",
      reason: expect.stringContaining("changed since the snapshot"),
    });
  });

  it("reports a file whose content differs while size and mtime do not as a mismatch", async () => {
    const file = join(source, "a.txt");
    const reference = join(root, "a.txt.times");
    // `touch -r` copies the times to the nanosecond; Node's utimes would round them.
    const copyTimes = (from: string, to: string) =>
      expect(spawnSync("touch", ["-r", from, to]).status).toBe(0);
    writeFileSync(reference, "");
    copyTimes(file, reference);
    writeFileSync(file, "ALPHA");
    copyTimes(reference, file);
    try {
      const result = await drill();
      expect(result).toMatchObject({ ok: false, mismatched: 1 });
      expect(result.files.find((f) => f.path === file)).toMatchObject({ status: "mismatched" });
    } finally {
      writeFileSync(file, "alpha");
      copyTimes(reference, file);
    }
  });

  it("fails when a repository pack is corrupted, and still removes its folder", async () => {
    const packs = readdirSync(join(repository, "data"), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => join(entry.parentPath, entry.name))
      .sort((a, b) => statSync(b).size - statSync(a).size);
    const biggest = packs[0] as string; // holds big.bin; the tree packs are small
    chmodSync(biggest, 0o600);
    const bytes = readFileSync(biggest);
    for (let i = 1000; i < 1100; i++) bytes[i] = (bytes[i] as number) ^ 0xff;
    writeFileSync(biggest, bytes);

    const result = await drill();
    expect(result.ok).toBe(false);
    expect(result.files.find((f) => f.path === join(source, "big.bin"))).toMatchObject({
      status: "unreadable",
    });
    expect(result.unreadable + result.mismatched).toBeGreaterThan(0);
    expect(readdirSync(drillTemp)).toEqual([]);
  });

  it("says a job without snapshots has none", async () => {
    await expect(runDrill(job("never-ran"), { restic, tempDir: drillTemp })).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
    });
  });
});
