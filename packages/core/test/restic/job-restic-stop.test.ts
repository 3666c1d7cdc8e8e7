import { describe, expect, it } from "vitest";
import type { BackendRetry } from "../../src/restic/backend-watchdog.js";
import { createJobRestic } from "../../src/restic/job-restic.js";
import type { ResticProcessOptions, ResticProcessResult } from "../../src/restic/process.js";
import type { Restic } from "../../src/restic/restic.js";
import { createManualClock } from "../../src/scheduler/clock.js";
import { makeJob } from "../helpers/job.js";

/**
 * What JobRestic does after restic was stopped, by our signal or by the backend-retry watchdog: remove
 * a lock restic may have left with `restic unlock`, within a deadline, unless the backend is failing.
 * restic is a stand-in here; test/e2e/remote.test.ts runs the same against a real REST server.
 */
const FAILING: BackendRetry = {
  operation: "Stat(<config/>)",
  cause:
    'Head "http://backup:***@127.0.0.1:1/flaky/config": dial tcp 127.0.0.1:1: connect: connection refused',
  retries: 6,
  failingForMs: 45_000,
};

const stopped = (fields: Partial<ResticProcessResult>): ResticProcessResult => ({
  exitCode: 1,
  signal: null,
  stdout: "",
  stderr: "",
  interrupted: false,
  ...fields,
});

/** A restic whose `backup` ends as `first` says and whose `unlock` ends as `unlock` says. */
function fakeRestic(
  first: ResticProcessResult,
  unlock: (options: ResticProcessOptions) => Promise<ResticProcessResult> = async () =>
    stopped({ exitCode: 0 }),
) {
  const calls: { args: readonly string[]; options: ResticProcessOptions }[] = [];
  const restic: Restic = {
    binary: "restic",
    version: async () => undefined,
    run: async (args, options) => {
      calls.push({ args, options });
      return args[0] === "unlock" ? unlock(options) : first;
    },
  };
  return { restic, calls };
}

function setup(restic: Restic) {
  const log: string[] = [];
  const clock = createManualClock(0);
  const jobRestic = createJobRestic(
    makeJob({ backendUnreachableAfterMs: 7_000 }),
    { restic, log: (line) => log.push(line), timers: clock },
    {},
  );
  return { jobRestic, log, clock };
}

describe("JobRestic after restic was stopped", () => {
  it("names an unreachable backend BACKEND_UNAVAILABLE, with the request, the time and its cause", async () => {
    const { restic, calls } = fakeRestic(stopped({ backendUnreachable: FAILING, backendFailing: FAILING }));
    const { jobRestic, log } = setup(restic);
    const result = await jobRestic.run(["backup"]);
    const error = jobRestic.error(result, ["backup"]);

    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toBe(
      `Cannot reach the repository backend: restic retried Stat(<config/>) for 45s without success (last error: ${FAILING.cause})`,
    );
    expect(calls[0]?.options.backendUnreachableAfterMs).toBe(7_000);
    // No unlock against a backend that is down: it would only retry too.
    expect(calls.map((call) => call.args[0])).toEqual(["backup"]);
    expect(result.lockCleanup).toBe("unlock-skipped");
    expect(log).toContain(
      `restic unlock skipped: the repository cannot be reached (${FAILING.cause}); a lock restic may have left has no process any more, and the next run removes it`,
    );
  });

  it("skips the unlock after our signal too when restic was retrying the backend, and says so", async () => {
    const { restic, calls } = fakeRestic(
      stopped({ exitCode: 130, interrupted: true, backendFailing: FAILING }),
    );
    const { jobRestic } = setup(restic);
    const result = await jobRestic.run(["backup"]);

    expect(calls).toHaveLength(1);
    expect(jobRestic.error(result, ["backup"])).toMatchObject({
      code: "INTERRUPTED",
      message:
        "interrupted: restic was asked to stop while it could not reach the repository; restic unlock skipped, the next run removes a lock it may have left",
    });
  });

  it("runs restic unlock after our signal, with a deadline of its own rather than the aborted signal", async () => {
    const { restic, calls } = fakeRestic(stopped({ exitCode: 130, interrupted: true }));
    const { jobRestic } = setup(restic);
    const result = await jobRestic.run(["backup"]);

    expect(calls.map((call) => call.args[0])).toEqual(["backup", "unlock"]);
    expect(calls[1]?.options.signal?.aborted).toBe(false);
    expect(calls[1]?.options.stopEscalation).toEqual({ sigtermAfterMs: 250, sigkillAfterMs: 250 });
    expect(result.lockCleanup).toBe("unlocked");
    expect(jobRestic.error(result, ["backup"]).message).toBe(
      "interrupted: restic was asked to stop and removed its lock",
    );
  });

  it("runs no restic unlock after stopping a read-only command: it took no lock (a cancelled download)", async () => {
    const { restic, calls } = fakeRestic(stopped({ exitCode: 130, interrupted: true }));
    const jobRestic = createJobRestic(makeJob(), { restic, readOnly: true, timers: createManualClock(0) });
    const result = await jobRestic.run(["dump", "abcdef12", "/a"]);

    expect(calls.map((call) => call.args.slice(0, 2))).toEqual([["dump", "--no-lock"]]);
    expect(result.lockCleanup).toBe("no-lock-taken");
    expect(jobRestic.error(result, ["dump"]).message).toBe(
      "interrupted: restic was asked to stop (it only read, without a lock)",
    );
  });

  it("stops an unlock that hangs after 2.5 s, and says the next run removes the lock", async () => {
    const hanging = (options: ResticProcessOptions) =>
      new Promise<ResticProcessResult>((resolve) =>
        options.signal?.addEventListener("abort", () =>
          resolve(stopped({ exitCode: 130, interrupted: true })),
        ),
      );
    const { restic } = fakeRestic(stopped({ exitCode: 130, interrupted: true }), hanging);
    const { jobRestic, log, clock } = setup(restic);
    const pending = jobRestic.run(["backup"]);
    await clock.advance(2_499);
    expect(log.at(-1)).toMatch(/^\$ restic unlock/);
    await clock.advance(1);
    const result = await pending;

    expect(result.lockCleanup).toBe("unlock-failed");
    expect(log.at(-1)).toBe(
      "restic unlock failed (stopped after 2.5s); the next run removes a lock restic may have left",
    );
    expect(jobRestic.error(result, ["backup"]).message).toBe(
      "interrupted: restic was asked to stop; a lock it may have left could not be removed now, the next run removes it",
    );
  });
});
