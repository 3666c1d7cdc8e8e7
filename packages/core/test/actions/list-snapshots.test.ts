import { describe, expect, it } from "vitest";
import { listSnapshots } from "../../src/actions/list-snapshots.js";
import type { ResticError } from "../../src/errors.js";
import type { Restic } from "../../src/restic/restic.js";
import { makeJob } from "../helpers/job.js";

describe("listSnapshots when the repository cannot be reached", () => {
  it("fails as BACKEND_UNAVAILABLE once the watchdog stopped a restic that kept retrying", async () => {
    const cause =
      'Head "http://backup:***@127.0.0.1:1/docs/config": dial tcp 127.0.0.1:1: connect: connection refused';
    const failing = { operation: "Stat(<config/>)", cause, retries: 6, failingForMs: 45_200 };
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
        backendUnreachable: failing,
        backendFailing: failing,
      }),
    };
    const error = (await listSnapshots(makeJob(), { restic }).catch((e: unknown) => e)) as ResticError;

    expect(error).toMatchObject({
      code: "BACKEND_UNAVAILABLE",
      message: `Cannot reach the repository backend: restic retried Stat(<config/>) for 45s without success (last error: ${cause})`,
    });
  });
});

describe("listSnapshots and restic's lock", () => {
  /** A restic that lists no snapshots and records the arguments of each run. */
  function recordingRestic(): { restic: Restic; runs: string[][] } {
    const runs: string[][] = [];
    const restic: Restic = {
      binary: "restic",
      version: async () => undefined,
      run: async (args) => {
        runs.push([...args]);
        return { exitCode: 0, signal: null, stdout: "[]", stderr: "", interrupted: false };
      },
    };
    return { restic, runs };
  }

  it("reads with --no-lock, right after the subcommand, when readOnly", async () => {
    const { restic, runs } = recordingRestic();
    expect(await listSnapshots(makeJob(), { restic, readOnly: true })).toEqual([]);
    expect(runs).toEqual([["snapshots", "--no-lock", "--json", "--tag", "simplebackup:docs"]]);
  });

  it("takes restic's shared lock otherwise", async () => {
    const { restic, runs } = recordingRestic();
    await listSnapshots(makeJob(), { restic });
    expect(runs).toEqual([["snapshots", "--json", "--tag", "simplebackup:docs"]]);
  });
});
