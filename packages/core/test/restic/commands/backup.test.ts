import { describe, expect, it } from "vitest";
import { buildBackupArgs, fastExcludePattern } from "../../../src/restic/commands/backup.js";

describe("buildBackupArgs", () => {
  it.each([
    [
      "sources only",
      { name: "docs", sources: ["/home/me/docs"], excludes: [], tags: [] },
      ["backup", "--json", "--tag", "simplebackup:docs", "--", "/home/me/docs"],
    ],
    [
      "user tags after the job tag, then excludes in the user's order, then sources in order",
      {
        name: "home",
        sources: ["/home/me", "/etc", "/-odd"],
        excludes: ["**/node_modules", "*.tmp", "-weird"],
        tags: ["laptop", "daily run"],
      },
      [
        "backup",
        "--json",
        "--tag",
        "simplebackup:home",
        "--tag",
        "laptop",
        "--tag",
        "daily run",
        "--exclude",
        "node_modules",
        "--exclude",
        "*.tmp",
        "--exclude",
        "-weird",
        "--",
        "/home/me",
        "/etc",
        "/-odd",
      ],
    ],
  ])("%s", (_, job, args) => {
    expect(buildBackupArgs(job)).toEqual(args);
  });

  it("asks restic 0.17+ to skip an unchanged snapshot, its parent picked among the job's own (by tags)", () => {
    expect(
      buildBackupArgs({
        name: "docs",
        sources: ["/d"],
        excludes: ["*.tmp"],
        tags: [],
        skipIfUnchanged: true,
      }),
    ).toEqual([
      "backup",
      "--json",
      "--tag",
      "simplebackup:docs",
      "--exclude",
      "*.tmp",
      "--skip-if-unchanged",
      "--group-by",
      "host,paths,tags",
      "--",
      "/d",
    ]);
  });

  it("never carries a password flag", () => {
    const args = buildBackupArgs({ name: "x", sources: ["/a"], excludes: ["p"], tags: ["t"] });
    expect(args.some((arg) => /password/i.test(arg))).toBe(false);
  });

  it.each(["a,b", "", "simplebackup:other"])("refuses the user tag %j", (tag) => {
    expect(() => buildBackupArgs({ name: "x", sources: ["/a"], excludes: [], tags: [tag] })).toThrow(
      RangeError,
    );
  });
});

describe("fastExcludePattern", () => {
  it.each([
    ["**/node_modules", "node_modules"],
    ["**/*.tmp", "*.tmp"],
    ["**/**/cache", "cache"],
    ["**/build/out", "build/out"],
    ["**/.git/*.lock", ".git/*.lock"],
  ])("drops the leading **/ of %s", (pattern, fast) => {
    expect(fastExcludePattern(pattern)).toBe(fast);
  });

  it.each([
    "node_modules",
    "*.tmp",
    "/home/me/cache", // anchored: stays anchored
    "**//x", // what remains would be anchored
    "**/a/**/b", // a double star further in
    "**", // nothing would remain
    "**/",
    "a/**",
    "!**/keep", // a negation keeps its form
    "**\\node_modules",
    "*/node_modules",
  ])("leaves %s alone", (pattern) => {
    expect(fastExcludePattern(pattern)).toBe(pattern);
  });
});
