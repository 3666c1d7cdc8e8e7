import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findRestic,
  lockFiles,
  locks,
  processAlive,
  RESTIC,
  snapshotIds,
  waitFor,
} from "../faults/helpers.js";
import { readCmdline } from "../support/process-argv.js";
import { simplebackup, simplebackupAsync, tempDir, write } from "./cli.js";

/**
 * A one-shot command interrupted by a signal: the CLI asks restic to stop (SIGINT, on which restic
 * removes its lock), exits 130, and leaves no restic process and no lock behind.
 *
 * Every case shares one repository of 128 MiB of random data. Interrupted runs go through a restic that
 * moves at most 16 MiB/s, so each lasts at least 8 s whatever the machine, while its cleanup after the
 * signal (finishing the transfers under way) takes about a second. The commands that follow run at
 * full speed.
 */
const PASSWORD = "interrupt-secret-7b1e";
const JOB = "big";
const temp = tempDir();
const root = temp.path;
const repository = join(root, "repo");
const config = join(root, "backup_config.json");
const env = { SIMPLEBACKUP_STATE_DIR: join(root, "state") };
const throttledRestic = join(root, "throttled-restic.sh");
/** What this file started, to stop whatever a failed case leaves running. */
const clis: ChildProcess[] = [];
const restics: number[] = [];

beforeAll(() => {
  for (let i = 0; i < 8; i++) write(join(root, `data/part-${i}.bin`), randomBytes(16 * 1024 * 1024));
  write(config, {
    backupjobs: [
      {
        jobname: JOB,
        sources: ["./data"],
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
      },
    ],
  });
  // Unlike slowResticScript, this also throttles reads: check --read-data and restore download.
  // RESTIC_BINARY picks it per run; the config names no restic_binary, which would win over it.
  write(
    throttledRestic,
    `#!/bin/sh\ncmd="$1"; shift\nexec ${RESTIC} "$cmd" --limit-upload 16384 --limit-download 16384 "$@"\n`,
  );
  chmodSync(throttledRestic, 0o755);
});

afterAll(() => {
  for (const cli of clis) if (cli.exitCode === null && cli.signalCode === null) cli.kill("SIGKILL");
  for (const pid of restics) if (readCmdline(pid)?.[0]?.endsWith("restic")) process.kill(pid, "SIGINT");
  temp.dispose();
});

function run(args: string[]) {
  return simplebackup([...args, "--config", config], { env });
}

/** The PID of a `restic <sub>` whose parent is `parent`, if one runs now. */
function resticChild(parent: number, sub: string): number | undefined {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // The command name in parentheses may hold spaces; the fields after the last ")" are "state ppid …".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid !== parent) continue;
    const argv = readCmdline(entry);
    if (argv?.[0]?.split("/").pop() === "restic" && argv[1] === sub) return Number(entry);
  }
  return undefined;
}

/**
 * Whether `pid` has a pack file of the repository open, i.e. is writing or reading data. That comes
 * well after restic locked the repository; its lock file alone appears ~200 ms before restic would
 * remove it on a signal (see the last case).
 */
function movingData(pid: number): boolean {
  const packs = join(repository, "data") + sep;
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(packs);
      } catch {
        return false; // closed meanwhile
      }
    });
  } catch {
    return false; // gone
  }
}

/**
 * Starts `simplebackup <args>` with the throttled restic, waits until its `restic <sub>` child holds a
 * lock in the repository and `ready(pid)` holds, then sends `signal` to the CLI's process alone.
 */
async function interrupt(
  args: string[],
  sub: string,
  signal: NodeJS.Signals,
  ready: (pid: number) => boolean = movingData,
  pollMs = 25,
) {
  const cli = simplebackupAsync([...args, "--config", config], { ...env, RESTIC_BINARY: throttledRestic });
  clis.push(cli.child);
  const pid = await waitFor(
    () => {
      if (cli.child.exitCode !== null || cli.child.signalCode !== null) {
        throw new Error(`simplebackup ${args.join(" ")} ended before restic ${sub} was under way`);
      }
      const child = resticChild(cli.child.pid as number, sub);
      return child !== undefined && lockFiles(repository).length > 0 && ready(child) ? child : undefined;
    },
    `restic ${sub} to hold its lock`,
    30_000,
    pollMs,
  );
  restics.push(pid);
  const signalledAt = Date.now();
  cli.child.kill(signal);
  const result = await cli.done;
  return { ...result, restic: pid, ms: Date.now() - signalledAt, output: result.stdout + result.stderr };
}

describe("SIGINT to `simplebackup backup` while restic uploads", () => {
  it("exits 130, says so, and leaves no restic, no lock and no snapshot; the next backup succeeds", async () => {
    const result = await interrupt(["backup", JOB], "backup", "SIGINT");

    expect(result.status, result.output).toBe(130);
    expect(result.signal).toBeNull();
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stdout).toContain(`${JOB}: FAILED during backup [INTERRUPTED]`);
    expect(result.stdout).toContain("removed its lock");
    // restic itself got SIGINT (the only signal on which 0.14 removes its lock) and is gone.
    const log = readFileSync(/^log: (.+)$/m.exec(result.stderr)?.[1] as string, "utf8");
    expect(log).toContain("signal interrupt received, cleaning up");
    expect(processAlive(result.restic)).toBe(false);
    expect(findRestic("backup", root)).toEqual([]);
    expect(locks(repository, PASSWORD)).toEqual([]);
    expect(snapshotIds(repository, PASSWORD)).toEqual([]);

    const next = run(["backup", JOB]);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toMatch(new RegExp(`${JOB}: done, snapshot [0-9a-f]{8}`));
    expect(next.stdout).not.toContain("stale lock");
    expect(snapshotIds(repository, PASSWORD)).toHaveLength(1);
    expect(locks(repository, PASSWORD)).toEqual([]);
  });
});

describe("SIGTERM to a one-shot command reading the repository", () => {
  beforeAll(() => {
    // They read the snapshot the backup case above leaves; this makes one when they run alone (-t).
    if (existsSync(join(repository, "config")) && snapshotIds(repository, PASSWORD).length > 0) return;
    const backup = run(["backup", JOB]);
    expect(backup.status, backup.stdout + backup.stderr).toBe(0);
  });

  it("check --read-data exits 130 and leaves no exclusive lock: a following check passes", async () => {
    const result = await interrupt(["check", JOB, "--read-data"], "check", "SIGTERM");

    expect(result.status, result.output).toBe(130);
    expect(result.signal).toBeNull();
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr).toContain(`${JOB}: check interrupted`);
    expect(processAlive(result.restic)).toBe(false);
    expect(locks(repository, PASSWORD)).toEqual([]);

    const next = run(["check", JOB]);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain(`${JOB}: check passed`);
  });

  it("restore exits 130, says the target may be partial, and leaves no lock", async () => {
    const target = join(root, "restored");
    const result = await interrupt(["restore", JOB, "--target", target], "restore", "SIGTERM");

    expect(result.status, result.output).toBe(130);
    expect(result.signal).toBeNull();
    expect(result.ms).toBeLessThan(10_000);
    expect(result.stderr).toContain(`${JOB}: restore interrupted; the target may hold some of the files`);
    expect(processAlive(result.restic)).toBe(false);
    expect(findRestic("restore", root)).toEqual([]);
    expect(locks(repository, PASSWORD)).toEqual([]);
  });

  // restic 0.14 registers its lock for removal on SIGINT only ~200 ms after writing it, so a signal in
  // that window ends restic with 130 but leaves the (here exclusive) lock; the runner then runs
  // `restic unlock`, which removes it since its holder is gone. Found by this test.
  it("check interrupted just as restic has written its lock leaves no lock either", async () => {
    const result = await interrupt(["check", JOB, "--read-data"], "check", "SIGTERM", () => true, 5);

    expect(result.status, result.output).toBe(130);
    expect(locks(repository, PASSWORD)).toEqual([]);
  });
});
