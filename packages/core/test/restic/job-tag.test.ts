import { describe, expect, it } from "vitest";
import { jobTag } from "../../src/restic/job-tag.js";

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
