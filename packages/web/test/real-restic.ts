import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { expect } from "vitest";

/** The tests' restic (the vitest project's), run on a repository: its stdout, or the test fails. */
export function resticOn(repository: string, password: string): (args: string[]) => string {
  return (args) => {
    const result = spawnSync(process.env.RESTIC_BINARY ?? "restic", args, {
      env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout;
  };
}

/**
 * The PIDs of this machine's processes whose argv holds `args` in that order, one right after the
 * other (`["dump", "--no-lock", id]`), read from /proc: a restic the server started, found by what it
 * runs, so a test can watch that very process end.
 */
export function processesRunning(args: readonly string[]): number[] {
  const needle = `\0${args.join("\0")}\0`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return `\0${readFileSync(`/proc/${pid}/cmdline`, "utf8")}`.includes(needle);
      } catch {
        return false; // gone between the listing and the read
      }
    })
    .map(Number);
}

/** Whether the process still runs (a zombie has ended: it only waits for its parent to read it). */
export function isRunning(pid: number): boolean {
  try {
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return state !== undefined && state !== "Z";
  } catch {
    return false;
  }
}
