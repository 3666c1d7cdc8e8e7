import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readCmdline } from "../support/process-argv.js";

export const RESTIC = process.env.RESTIC_BINARY ?? "restic";

export function restic(repository: string, password: string, args: string[]) {
  return spawnSync(RESTIC, args, {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: password },
    encoding: "utf8",
  });
}

/** Lock ids in the repository, read without taking a lock. */
export function locks(repository: string, password: string): string[] {
  const result = restic(repository, password, ["list", "locks", "--no-lock"]);
  if (result.status !== 0) throw new Error(`restic list locks failed: ${result.stderr}`);
  return result.stdout.split("\n").filter(Boolean);
}

/** Lock files as they lie in `<repo>/locks` (finished ones only; restic writes `-tmp-` files first). */
export function lockFiles(repository: string): string[] {
  const dir = join(repository, "locks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => !name.includes("-tmp-"));
}

export function snapshotIds(repository: string, password: string): string[] {
  const result = restic(repository, password, ["snapshots", "--json", "--no-lock"]);
  if (result.status !== 0) throw new Error(`restic snapshots failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { id: string }[]).map((s) => s.id).sort();
}

/** `restic check`: returns stdout+stderr; throws unless clean. */
export function checkClean(repository: string, password: string): string {
  const result = restic(repository, password, ["check"]);
  const output = result.stdout + result.stderr;
  if (result.status !== 0 || !output.includes("no errors were found")) {
    throw new Error(`restic check failed (rc ${result.status}):\n${output}`);
  }
  return output;
}

/** A restic wrapper that limits the upload rate (KiB/s), so a backup lasts long enough to hit. */
export function slowResticScript(kibPerSecond: number): string {
  return `#!/bin/sh\ncmd="$1"; shift\nexec ${RESTIC} "$cmd" --limit-upload ${kibPerSecond} "$@"\n`;
}

/** PIDs of restic processes whose argv[0] is restic, whose subcommand is `sub`, and that mention `marker`. */
export function findRestic(sub: string, marker: string): number[] {
  const found: number[] = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const argv = readCmdline(pid);
    if (!argv || argv.length < 2) continue;
    const name = argv[0]?.split("/").pop();
    if (name !== "restic") continue;
    if (argv[1] !== sub) continue;
    if (!argv.some((arg) => arg.includes(marker))) continue;
    found.push(Number(pid));
  }
  return found;
}

/** Polls `condition` until it returns a truthy value; throws after `timeoutMs`. */
export async function waitFor<T>(
  condition: () => T | undefined | null | false,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every file under `dir`, recursively (for scanning logs). */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** VmRSS in kB and the number of open fds of a process. */
export function processFigures(pid: number): { rssKb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  const fds = readdirSync(`/proc/${pid}/fd`).length;
  return { rssKb, fds };
}
