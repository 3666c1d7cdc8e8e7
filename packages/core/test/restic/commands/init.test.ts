import { describe, expect, it } from "vitest";
import { buildInitArgs } from "../../../src/restic/commands/init.js";

describe("buildInitArgs", () => {
  it("creates the repository", () => {
    expect(buildInitArgs()).toEqual(["init"]);
  });
});
