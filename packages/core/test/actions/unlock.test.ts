import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stoppedHoldingLock } from "../../../../test/support/held-lock.js";
import { resticAtLeast } from "../../../../test/support/restic.js";
import { runCheck } from "../../src/actions/check.js";
import { runUnlock } from "../../src/actions/unlock.js";
import { resticRun } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";

const PASSWORD = "unlock-secret-6d0b";
const fixture = createTestRepository("unlock", PASSWORD);
const { temp, source, repository, restic } = fixture;
const job = fixture.job("docs");

function locks(): string[] {
  const result = resticRun(repository, PASSWORD, ["list", "locks", "--no-lock"]);
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.split("\n").filter(Boolean);
}

/** `restic check --read-data` stopped while it holds its exclusive lock. */
const stoppedCheck = () => stoppedHoldingLock(repository, PASSWORD, ["check", "--read-data"]);

beforeAll(() => {
  mkdirSync(source);
  writeFileSync(join(source, "data.bin"), randomBytes(2_000_000));
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  expect(resticRun(repository, PASSWORD, ["backup", "-q", "--tag", "simplebackup:docs", source]).status).toBe(
    0,
  );
});
afterAll(() => temp.dispose());

describe("runUnlock against a real restic", () => {
  it("removes the stale lock a SIGKILLed restic left behind", async () => {
    const { child, exited } = await stoppedCheck();
    child.kill("SIGKILL");
    await exited;
    expect(locks()).toHaveLength(1);

    const result = await runUnlock(job, { restic });
    expect(result).toMatchObject({ before: 1, removed: 1, remaining: [] });
    // 0.15+ counts what it removed; 0.14 says the same whatever it removed.
    expect(result.message).toBe(
      resticAtLeast("0.15.0") ? "successfully removed 1 locks" : "successfully removed locks",
    );
    expect(locks()).toEqual([]);
  });

  it("leaves the lock of a live process in place, and names its holder", async () => {
    const { child, exited } = await stoppedCheck();
    try {
      const result = await runUnlock(job, { restic });
      expect(result).toMatchObject({ before: 1, removed: 0 });
      expect(result.remaining).toHaveLength(1);
      expect(result.remaining[0]?.holder).toMatchObject({ pid: child.pid, exclusive: true });
      // Its process runs on this host: restic keeps it, and the result says why.
      expect(result.remaining[0]?.reason).toBe("process-running");
      expect(locks()).toHaveLength(1);
    } finally {
      child.kill("SIGCONT");
    }
    expect(await exited).toBe(0);
    expect(locks()).toEqual([]);
  });

  it("lets a check run after a crash: the stale lock is removed first", async () => {
    const { child, exited } = await stoppedCheck();
    child.kill("SIGKILL");
    await exited;
    const log: string[] = [];
    const result = await runCheck(job, { restic, log: (line) => log.push(line) });
    expect(result.ok).toBe(true);
    expect(log.join("\n")).toContain(`removed a stale lock of PID ${child.pid}`);
    expect(locks()).toEqual([]);
  });
});
