import { describe, expect, it } from "vitest";
import { buildUnlockArgs } from "../../../src/restic/commands/unlock.js";

describe("buildUnlockArgs", () => {
  it("removes only stale locks", () => {
    expect(buildUnlockArgs()).toEqual(["unlock"]);
  });
});
