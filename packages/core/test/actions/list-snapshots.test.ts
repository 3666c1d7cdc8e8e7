import { describe, expect, it } from "vitest";
import { listSnapshots } from "../../src/actions/list-snapshots.js";
import type { ResticError } from "../../src/errors.js";
import type { Restic } from "../../src/restic/restic.js";
import { makeJob } from "../helpers/job.js";

describe("listSnapshots when the repository cannot be reached", () => {
  it("fails as BACKEND_UNAVAILABLE once the watchdog stopped a restic that kept retrying", async () => {
    const cause =
      'Head "http://backup:***@127.0.0.1:1/docs/config": dial tcp 127.0.0.1:1: connect: connection refused';
    const restic: Restic = {
      binary: "restic",
      version: async () => undefined,
      // What runResticProcess returns then: restic 0.18 exits 1 on our SIGINT ("context canceled").
      run: async () => ({
        exitCode: 1,
        signal: null,
        stdout: "",
        stderr: "signal interrupt received, cleaning up",
        interrupted: false,
        backendUnreachable: { operation: "Stat(<config/>)", cause, retries: 6, failingForMs: 45_200 },
      }),
    };
    const error = (await listSnapshots(makeJob(), { restic }).catch((e: unknown) => e)) as ResticError;

    expect(error).toMatchObject({
      code: "BACKEND_UNAVAILABLE",
      message: `Cannot reach the repository backend: restic retried Stat(<config/>) for 45s without success (last error: ${cause})`,
    });
  });
});
