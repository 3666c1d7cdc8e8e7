import { describe, expect, it } from "vitest";
import type { RetentionPolicy } from "../../src/config/types.js";
import {
  buildBackupArgs,
  buildForgetArgs,
  buildInitArgs,
  buildSnapshotsArgs,
  buildUnlockArgs,
  hasRetentionRules,
  jobTag,
} from "../../src/restic/args.js";

describe("jobTag", () => {
  it.each([
    ["Photos", "simplebackup:Photos"],
    ["my docs", "simplebackup:my docs"],
    ["a:b", "simplebackup:a:b"],
  ])("tags job %j as %j", (name, tag) => {
    expect(jobTag(name)).toBe(tag);
  });

  it.each(["", "a,b"])("refuses the name %j, which restic would not keep as one tag", (name) => {
    expect(() => jobTag(name)).toThrow(RangeError);
  });
});

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

describe("buildForgetArgs", () => {
  const head = ["forget", "--json", "--tag", "simplebackup:docs", "--group-by", "host"];

  it.each<[string, RetentionPolicy, string[]]>([
    ["last only", { last: 3 }, ["--keep-last", "3"]],
    ["days only", { days: 7 }, ["--keep-daily", "7"]],
    ["within only", { within: "2y5m" }, ["--keep-within", "2y5m"]],
    [
      "every rule, in restic's order whatever the key order",
      { within: "1y", years: 2, months: 6, weeks: 4, days: 7, hours: 24, last: 1 },
      [
        "--keep-last",
        "1",
        "--keep-hourly",
        "24",
        "--keep-daily",
        "7",
        "--keep-weekly",
        "4",
        "--keep-monthly",
        "6",
        "--keep-yearly",
        "2",
        "--keep-within",
        "1y",
      ],
    ],
    [
      "zeros are rules turned off",
      { last: 0, hours: 0, days: 7, weeks: 0, months: 12, years: 0 },
      ["--keep-daily", "7", "--keep-monthly", "12"],
    ],
    ["an all-zero duration is off", { weeks: 4, within: "0d0h" }, ["--keep-weekly", "4"]],
    ["a duration with a zero part stays", { within: "0y10d" }, ["--keep-within", "0y10d"]],
  ])("%s", (_, retention, keep) => {
    expect(buildForgetArgs(retention, "docs")).toEqual([...head, ...keep]);
  });

  it.each([
    [{ prune: true }, ["--prune"]],
    [{ dryRun: true }, ["--dry-run"]],
    [{ prune: true, dryRun: true }, ["--prune", "--dry-run"]],
    [{ prune: false, dryRun: false }, []],
    [{}, []],
  ])("adds %j after the keep flags", (options, tail) => {
    expect(buildForgetArgs({ days: 7 }, "docs", options)).toEqual([...head, "--keep-daily", "7", ...tail]);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])(
    "refuses %d, which restic 0.14 could read as 'keep nothing'",
    (count) => {
      expect(() => buildForgetArgs({ last: count }, "docs")).toThrow(RangeError);
      expect(() => hasRetentionRules({ days: count })).toThrow(RangeError);
    },
  );
});

describe("hasRetentionRules", () => {
  it.each<[RetentionPolicy, boolean]>([
    [{}, false],
    [{ last: 0, days: 0 }, false],
    [{ within: "" }, false],
    [{ within: "0d" }, false],
    [{ last: 1 }, true],
    [{ years: 1 }, true],
    [{ within: "3h" }, true],
    [{ days: 0, within: "1d" }, true],
  ])("%j -> %s", (retention, expected) => {
    expect(hasRetentionRules(retention)).toBe(expected);
  });
});

describe("small builders", () => {
  it.each([
    [buildInitArgs(), ["init"]],
    [buildUnlockArgs(), ["unlock"]],
    [buildSnapshotsArgs(), ["snapshots", "--json"]],
    [buildSnapshotsArgs("docs"), ["snapshots", "--json", "--tag", "simplebackup:docs"]],
  ])("%j", (args, expected) => {
    expect(args).toEqual(expected);
  });
});
