import { readdirSync, readFileSync } from "node:fs";

/*
 * Chromium runs as a tree of processes (browser, zygotes, GPU, network service, renderers), each
 * with the profile's --user-data-dir on its command line, so a fresh profile folder names one
 * browser's processes and no other's: that is how the launcher finds the browser's pid and how a test
 * proves nothing was left behind. Linux only (/proc), like Debian's chromium. Debian's build also
 * starts two crashpad handlers that name no profile and leave the process group; they watch the
 * browser and quit with it (--disable-crashpad-for-testing would drop them, but then no page loaded).
 */

/** Pids of the running processes whose command line names `userDataDir`; exited (zombie) ones are not. */
export function processesOfProfile(userDataDir: string): number[] {
  const flag = `--user-data-dir=${userDataDir}`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const argv = readProc(pid, "cmdline")?.split("\0");
    if (argv?.includes(flag) && isRunning(pid)) pids.push(pid);
  }
  return pids;
}

/** The browser process of the profile: the one of its processes that is no child `--type=`. */
export function browserPidOfProfile(userDataDir: string): number | undefined {
  return processesOfProfile(userDataDir).find(
    (pid) =>
      !readProc(pid, "cmdline")
        ?.split("\0")
        .some((arg) => arg.startsWith("--type=")),
  );
}

/**
 * Whether `pid` is a process that has not exited. A zombie has exited: children of a killed browser are
 * handed to pid 1, which in a container is often no init and never reaps them.
 */
export function isRunning(pid: number): boolean {
  const stat = readProc(pid, "stat");
  if (stat === undefined) return false;
  // The state follows the command name in parentheses, which may itself hold spaces and parentheses.
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return state !== "Z" && state !== "X";
}

/** SIGKILLs each pid that still runs; a pid that exited meanwhile is no error. */
export function killAll(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // ESRCH: it exited between the listing and the kill.
    }
  }
}

function readProc(pid: number, file: "cmdline" | "stat"): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined; // the process exited while /proc was read
  }
}
