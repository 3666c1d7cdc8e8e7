import { describe, expect, it } from "vitest";
import {
  buildCatLockArgs,
  buildListLocksArgs,
  buildUnlockArgs,
  parseLockIds,
  parseLockInfo,
} from "../../../src/restic/commands/unlock.js";
import { CAPTURES } from "../fixtures.js";

describe("buildUnlockArgs", () => {
  it("removes only stale locks", () => {
    expect(buildUnlockArgs()).toEqual(["unlock"]);
  });
});

describe("the lock builders", () => {
  it("lists locks, and one lock", () => {
    expect(buildListLocksArgs()).toEqual(["list", "locks", "--no-lock"]);
    expect(buildCatLockArgs("f".repeat(64))).toEqual(["cat", "lock", "f".repeat(64), "--no-lock"]);
    expect(() => buildCatLockArgs("--remove-all")).toThrow(RangeError);
  });
});

describe.each(CAPTURES)("locks on restic $version captures", (capture) => {
  it("reads `list locks` and `cat lock` of a backup's lock", () => {
    const ids = parseLockIds(capture.run("list-locks").stdout);
    expect(ids).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
    expect(parseLockInfo(capture.run("cat-lock").stdout)).toEqual({
      time: expect.stringMatching(/^\d{4}-.+Z$/),
      exclusive: false,
      hostname: "vm",
      username: "root",
      pid: expect.any(Number),
    });
  });
});

describe("parseLockInfo", () => {
  it("is undefined for text that is not a lock", () => {
    expect(parseLockInfo("Fatal: no such file")).toBeUndefined();
    expect(parseLockIds("\n\n")).toEqual([]);
  });
});
