import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { RESTIC } from "./restic.js";

/** A restic process stopped (SIGSTOP) while its lock file is in the repository. */
export interface HeldLock {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/**
 * Starts restic with `args` on a local repository and SIGSTOPs it once it holds its lock: a live
 * lock, or after a SIGKILL a stale one (same host, dead PID) that only `restic unlock` removes. restic
 * writes a lock as a `-tmp-` file first and renames it; only the renamed one counts. A fast command
 * may end before it is caught; then it is tried again (the wait is for a file, not a time).
 */
export async function stoppedHoldingLock(
  repository: string,
  password: string,
  args: readonly string[],
): Promise<HeldLock> {
  const locks = join(repository, "locks");
  const held = () => existsSync(locks) && readdirSync(locks).some((name) => !name.includes("-tmp-"));
  for (let attempt = 0; attempt < 5; attempt++) {
    const child = spawn(RESTIC, [...args], {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    while (child.exitCode === null && !held()) await new Promise((resolve) => setTimeout(resolve, 1));
    child.kill("SIGSTOP");
    if (held() && child.exitCode === null) return { child, exited };
    child.kill("SIGKILL");
    await exited;
  }
  throw new Error(`restic ${args.join(" ")} never held its lock long enough to be caught`);
}

/** A stale lock: restic SIGKILLed while it held its lock, so nothing removed it. Returns the dead PID. */
export async function staleLockOf(
  repository: string,
  password: string,
  args: readonly string[],
): Promise<number> {
  const { child, exited } = await stoppedHoldingLock(repository, password, args);
  child.kill("SIGKILL");
  await exited;
  return child.pid ?? 0;
}
