import { describe, expect, it } from "vitest";
import { findJob } from "../../src/actions/find-job.js";
import { makeJob } from "../helpers/job.js";

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
