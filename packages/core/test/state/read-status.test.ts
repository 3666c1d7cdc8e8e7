import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CopyTarget } from "../../src/config/types.js";
import { acquireDaemonLock } from "../../src/state/daemon-lock.js";
import { JobStateStore } from "../../src/state/job-state.js";
import { readLastGoodStatus, readStatus } from "../../src/state/read-status.js";
import { createTempDir } from "../helpers/tree.js";
import { makeConfig, makeJob } from "../scheduler/fixtures.js";

// What `simplebackup status` reads of copies and owed runs, from another process than the daemon.

let temp: ReturnType<typeof createTempDir>;
beforeEach(() => {
  temp = createTempDir("sb-read-status-");
});
afterEach(() => temp.dispose());

const target = (name: string): CopyTarget => ({
  name,
  repository: `/mnt/${name}`,
  password: { kind: "literal", value: "pw" },
  env: {},
  retention: undefined,
  alertAfterMs: undefined,
});

async function writeState(stateDir: string) {
  const { store } = await JobStateStore.open(stateDir);
  await store.update("laptop", () => ({
    knownSince: "2026-06-01T00:00:00.000Z",
    owed: { since: "2026-06-01T11:00:00.000Z", reason: "on battery" },
    copies: {
      offsite: {
        lastCopiedAt: "2026-06-01T09:00:00.000Z",
        snapshotId: "a1b2c3d4e5f6",
        behindSnapshots: 2,
        behindSince: "2026-06-01T10:00:00.000Z",
        lastFailure: {
          at: "2026-06-01T10:00:05.000Z",
          code: "BACKEND_UNAVAILABLE",
          message: "offsite does not answer",
        },
      },
    },
  }));
  await store.flush();
}

describe("readStatus", () => {
  it("shows each configured target's copy, one never copied included, and the owed run while the daemon runs", async () => {
    const stateDir = join(temp.path, "state");
    await writeState(stateDir);
    const config = makeConfig([makeJob("laptop", { copyTo: [target("offsite"), target("usb")] })]);
    const lock = await acquireDaemonLock(stateDir, {});
    try {
      const [job] = (await readStatus(config, { stateDir })).jobs;
      expect(job?.owed).toEqual({ since: "2026-06-01T11:00:00.000Z", reason: "on battery" });
      expect(job?.copies).toEqual([
        {
          target: "offsite",
          lastCopiedAt: "2026-06-01T09:00:00.000Z",
          snapshotId: "a1b2c3d4e5f6",
          behindSnapshots: 2,
          behindSince: "2026-06-01T10:00:00.000Z",
          lastFailure: {
            at: "2026-06-01T10:00:05.000Z",
            code: "BACKEND_UNAVAILABLE",
            message: "offsite does not answer",
          },
        },
        {
          target: "usb",
          lastCopiedAt: undefined,
          snapshotId: undefined,
          behindSnapshots: 0,
          behindSince: undefined,
          lastFailure: undefined,
        },
      ]);
    } finally {
      await lock.release();
    }
    // No daemon: nothing is owed by anyone.
    expect((await readStatus(config, { stateDir })).jobs[0]?.owed).toBeUndefined();
  });

  it("shows the targets state.json knows when the config no longer loads", async () => {
    const stateDir = join(temp.path, "state");
    await writeState(stateDir);
    const [job] = (await readLastGoodStatus(stateDir)).jobs;
    expect(job?.copies.map((copy) => [copy.target, copy.behindSnapshots])).toEqual([["offsite", 2]]);
  });
});
