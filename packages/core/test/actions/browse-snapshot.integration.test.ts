import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listSnapshotPath, streamSnapshotPath } from "../../src/actions/browse-snapshot.js";
import { resticJson, resticRun, type SnapshotJson } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";
import { writeTree } from "../helpers/tree.js";

const PASSWORD = "browse-secret-61c0";
const { temp, source, repository, restic, job } = createTestRepository("browse", PASSWORD);
const docs = job("docs");
let docsId = "";
let otherId = "";

function backup(tag: string): string {
  const result = resticRun(repository, PASSWORD, ["backup", "-q", "--tag", tag, source]);
  expect(result.status, result.stderr).toBe(0);
  const [snapshot] = resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots", "--tag", tag]);
  return snapshot?.id ?? "";
}

beforeAll(() => {
  writeTree(source, {
    "a file é.txt": "unicode and spaces",
    "sub/n.txt": "nested",
    "sub/deeper/d.txt": "deep",
    "we*ird [1]/x.txt": "glob characters in a folder name",
  });
  writeFileSync(join(source, "big.bin"), randomBytes(4 * 1024 * 1024));
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  docsId = backup("simplebackup:docs");
  otherId = backup("simplebackup:other");
});
afterAll(() => temp.dispose());

/** Collects what is written, as a download's reader would. */
function collector(): { output: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { output, bytes: () => Buffer.concat(chunks) };
}

describe("listSnapshotPath against a real restic", () => {
  it("lists a folder's direct children only, with type, size and mtime", async () => {
    const listing = await listSnapshotPath(docs, { restic }, docsId, source);
    expect(listing.snapshot).toMatchObject({ id: docsId, paths: [source] });
    expect(listing.type).toBe("dir");
    expect(listing.entries.map(({ name, type, size }) => ({ name, type, size }))).toEqual([
      { name: "a file é.txt", type: "file", size: 18 },
      { name: "big.bin", type: "file", size: 4 * 1024 * 1024 },
      { name: "sub", type: "dir", size: 0 },
      { name: "we*ird [1]", type: "dir", size: 0 },
    ]);
    expect(listing.entries[0]?.mtime).toMatch(/^\d{4}-\d\d-\d\dT.+Z$/);
    const sub = await listSnapshotPath(docs, { restic }, docsId.slice(0, 8), join(source, "sub"));
    expect(sub.entries.map((entry) => entry.path)).toEqual([
      join(source, "sub/deeper"),
      join(source, "sub/n.txt"),
    ]);
  });

  it("lists the folders above the snapshot's paths from /", async () => {
    const root = await listSnapshotPath(docs, { restic }, docsId, "/");
    expect(root.type).toBe("dir");
    expect(root.entries.map((entry) => entry.path)).toEqual([`/${source.split("/")[1]}`]);
  });

  it("names a file by its own node, with no entries", async () => {
    const file = await listSnapshotPath(docs, { restic }, docsId, join(source, "big.bin"));
    expect(file).toMatchObject({ type: "file", size: 4 * 1024 * 1024, entries: [] });
  });

  it("refuses another job's snapshot, an unknown id and a missing path", async () => {
    await expect(listSnapshotPath(docs, { restic }, otherId, source)).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
    });
    await expect(listSnapshotPath(docs, { restic }, "deadbeef", source)).rejects.toMatchObject({
      code: "SNAPSHOT_NOT_FOUND",
    });
    await expect(listSnapshotPath(docs, { restic }, docsId, join(source, "nope"))).rejects.toMatchObject({
      code: "SNAPSHOT_PATH_NOT_FOUND",
    });
    await expect(listSnapshotPath(docs, { restic }, docsId, `${source}/../x`)).rejects.toThrow(RangeError);
  });
});

describe("streamSnapshotPath against a real restic", () => {
  it("streams a file's bytes and ends the output", async () => {
    const { output, bytes } = collector();
    const written = await streamSnapshotPath(docs, { restic }, docsId, join(source, "big.bin"), output);
    expect(written).toBe(4 * 1024 * 1024);
    expect(bytes().equals(readFileSync(join(source, "big.bin")))).toBe(true);
    expect(output.writableFinished).toBe(true);
  });

  it.each(["tar", "zip"] as const)("streams a folder as %s", async (archive) => {
    const { output, bytes } = collector();
    await streamSnapshotPath(docs, { restic }, docsId, join(source, "sub"), output, { archive });
    const file = join(temp.path, `sub.${archive}`);
    writeFileSync(file, bytes());
    const list =
      archive === "tar"
        ? spawnSync("tar", ["tf", file], { encoding: "utf8" })
        : spawnSync("unzip", ["-Z1", file], { encoding: "utf8" });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.split("\n").filter(Boolean).sort()).toEqual(
      ["sub/deeper/", "sub/deeper/d.txt", "sub/n.txt"].map((name) => `${source.slice(1)}/${name}`),
    );
  });

  it("stops restic when the reader goes away, and leaves no lock", async () => {
    const output = new PassThrough({ highWaterMark: 1024 });
    output.once("data", () => output.destroy()); // read one chunk, then hang up
    await expect(
      streamSnapshotPath(docs, { restic }, docsId, join(source, "big.bin"), output),
    ).rejects.toMatchObject({ code: "INTERRUPTED" });
    const locks = resticRun(repository, PASSWORD, ["list", "locks", "--no-lock"]);
    expect(locks.stdout.trim()).toBe("");
  });
});
