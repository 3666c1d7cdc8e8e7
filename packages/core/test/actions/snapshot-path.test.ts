import { describe, expect, it } from "vitest";
import { checkSnapshotPath, nameOf, parentOf } from "../../src/actions/snapshot-path.js";
import { buildDumpArgs } from "../../src/restic/commands/dump.js";
import { buildLsArgs } from "../../src/restic/commands/ls.js";

describe("checkSnapshotPath", () => {
  it.each([
    ["/", "/"],
    ["/home/me", "/home/me"],
    ["/home/me/", "/home/me"],
    ["/home/a file é.txt", "/home/a file é.txt"],
    ["/we*ird [1]/..hidden", "/we*ird [1]/..hidden"],
  ])("takes %j as %j", (text, path) => {
    expect(checkSnapshotPath(text)).toEqual({ ok: true, path });
  });

  it.each([
    ["home/me", /absolute/],
    ["", /absolute/],
    ["../etc/passwd", /absolute/],
    ["/home/../etc", /"\.\."/],
    ["/home/./me", /"\."/],
    ["/home//me", /empty/],
    ["/home/me\0.txt", /NUL/],
    [`/${"a".repeat(5000)}`, /at most 4096/],
  ])("refuses %j", (text, problem) => {
    const checked = checkSnapshotPath(text);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toMatch(problem);
  });
});

describe("parentOf and nameOf", () => {
  it("split an absolute path", () => {
    expect([parentOf("/a/b/c"), nameOf("/a/b/c")]).toEqual(["/a/b", "c"]);
    expect([parentOf("/a"), nameOf("/a")]).toEqual(["/", "a"]);
    expect([parentOf("/"), nameOf("/")]).toEqual(["/", "/"]);
  });
});

describe("buildLsArgs and buildDumpArgs for one path", () => {
  it("name the snapshot by id, then the path", () => {
    expect(buildLsArgs("44c3960a", "/home/me")).toEqual(["ls", "--json", "44c3960a", "/home/me"]);
    expect(buildDumpArgs("44c3960a", "/home/me/a.txt")).toEqual(["dump", "44c3960a", "/home/me/a.txt"]);
    expect(buildDumpArgs("44c3960a", "/home/me", { archive: "zip" })).toEqual([
      "dump",
      "--archive",
      "zip",
      "44c3960a",
      "/home/me",
    ]);
  });
});
