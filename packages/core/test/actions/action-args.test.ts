import { describe, expect, it } from "vitest";
import { findJob } from "../../src/actions/find-job.js";
import {
  buildCatLockArgs,
  buildCheckArgs,
  buildListLocksArgs,
  buildLsLatestArgs,
  buildRestoreArgs,
  escapeRestorePattern,
  nextCheckSubset,
  normalizeReadDataSubset,
} from "../../src/restic/action-args.js";
import { makeJob } from "../helpers/job.js";

const ID = "44c3960adcc98715031061c25e99a91f20d6b2e4b429392e42ad66d9ca1468ff";

describe("buildRestoreArgs", () => {
  it("restores one snapshot by id into the target, with includes and verify", () => {
    expect(buildRestoreArgs(ID, "/tmp/out", { include: ["/home/a", "*.pdf"], verify: true })).toEqual([
      "restore",
      "--json",
      "--target",
      "/tmp/out",
      "--include",
      "/home/a",
      "--include",
      "*.pdf",
      "--verify",
      ID,
    ]);
    expect(buildRestoreArgs("44c3960a", "/t")).toEqual(["restore", "--json", "--target", "/t", "44c3960a"]);
  });

  it("takes only a hex id, never `latest` or a flag", () => {
    expect(() => buildRestoreArgs("latest", "/t")).toThrow(RangeError);
    expect(() => buildRestoreArgs("--help", "/t")).toThrow(RangeError);
  });
});

describe("escapeRestorePattern", () => {
  it.each([
    ["/home/me/plain.txt", "/home/me/plain.txt"],
    ["/home/me/we*ird [1].txt", "/home/me/we\\*ird \\[1].txt"],
    ["/home/me/what?.txt", "/home/me/what\\?.txt"],
    ["/home/me/back\\slash", "/home/me/back\\\\slash"],
  ])("%s → %s", (path, pattern) => {
    expect(escapeRestorePattern(path)).toBe(pattern);
  });
});

describe("the other builders", () => {
  it("lists the job's latest snapshot, locks, and one lock", () => {
    expect(buildLsLatestArgs("docs")).toEqual(["ls", "--json", "latest", "--tag", "simplebackup:docs"]);
    expect(buildListLocksArgs()).toEqual(["list", "locks", "--no-lock"]);
    expect(buildCatLockArgs("f".repeat(64))).toEqual(["cat", "lock", "f".repeat(64), "--no-lock"]);
    expect(() => buildCatLockArgs("--remove-all")).toThrow(RangeError);
  });

  it("checks with a subset, all data, or only the structure; --json only when asked (0.18+)", () => {
    expect(buildCheckArgs()).toEqual(["check"]);
    expect(buildCheckArgs({ readData: true })).toEqual(["check", "--read-data"]);
    expect(buildCheckArgs({ readDataSubset: " 2/5 ", readData: true })).toEqual([
      "check",
      "--read-data-subset",
      "2/5",
    ]);
    expect(buildCheckArgs({ readData: true, json: true })).toEqual(["check", "--json", "--read-data"]);
  });
});

describe("normalizeReadDataSubset", () => {
  it.each([
    ["1/5", "1/5"],
    ["5/5", "5/5"],
    ["5%", "5%"],
    ["2.5%", "2.5%"],
    ["100%", "100%"],
    ["500M", "500M"],
    ["1g", "1g"],
  ])("accepts %s", (input, normalized) => {
    expect(normalizeReadDataSubset(input)).toBe(normalized);
  });

  it.each(["0/5", "6/5", "1/0", "0%", "150%", "-1%", "abc", "", "5 %", "1/2/3"])("rejects %j", (input) => {
    expect(() => normalizeReadDataSubset(input)).toThrow(RangeError);
  });
});

describe("nextCheckSubset", () => {
  it("rotates n/t so that t checks read every group once", () => {
    const seen: string[] = [];
    let subset: string | undefined;
    for (let i = 0; i < 5; i++) {
      subset = nextCheckSubset(subset, 4);
      seen.push(subset);
    }
    expect(seen).toEqual(["1/4", "2/4", "3/4", "4/4", "1/4"]);
  });

  it.each([
    [undefined, 3, "1/3"],
    ["2/3", 3, "3/3"],
    ["3/3", 3, "1/3"],
    ["2/5", 3, "1/3"], // the group count changed: start over
    ["5%", 3, "1/3"],
    ["9/3", 3, "1/3"],
    [undefined, 1, "1/1"],
    ["1/1", 1, "1/1"],
  ])("after %j with %i groups: %s", (previous, groups, next) => {
    expect(nextCheckSubset(previous, groups)).toBe(next);
  });

  it("needs a whole number of groups", () => {
    expect(() => nextCheckSubset(undefined, 0)).toThrow(RangeError);
    expect(() => nextCheckSubset(undefined, 2.5)).toThrow(RangeError);
  });
});

describe("findJob", () => {
  const jobs = [makeJob({ name: "docs" }), makeJob({ name: "photos" })];

  it("finds a job by name, or names the jobs there are", () => {
    expect(findJob(jobs, "photos")).toBe(jobs[1]);
    expect(() => findJob(jobs, "music")).toThrow(
      expect.objectContaining({
        code: "JOB_NOT_FOUND",
        message: expect.stringContaining('"docs", "photos"'),
      }),
    );
  });
});
