import { readdirSync, readFileSync } from "node:fs";

/** A process's argv from /proc/<pid>/cmdline; undefined when it has exited or has none (a kernel thread). */
export function readCmdline(pid: string | number): string[] | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    if (raw === "") return undefined;
    return raw.split("\0").filter((part, index, all) => part !== "" || index < all.length - 1);
  } catch {
    return undefined;
  }
}

export interface ArgvWatch<T> {
  /** Every command line (argv joined by spaces) that held one of the secrets. */
  readonly leaks: string[];
  /** The program names (argv[0] without its folder) of every process seen: proof the watch saw them run. */
  readonly programs: ReadonlySet<string>;
  readonly result: T;
}

/**
 * Reads every process's argv every 2 ms while `work` runs, and returns the command lines that hold
 * any of `secrets`. /proc/<pid>/cmdline is readable by every user of the machine, which is why no
 * secret may ever be on a command line.
 */
export async function argvLeaks<T>(
  secrets: readonly string[],
  work: () => Promise<T>,
): Promise<ArgvWatch<T>> {
  const leaks = new Set<string>();
  const programs = new Set<string>();
  let watching = true;
  const poller = (async () => {
    while (watching) {
      for (const pid of readdirSync("/proc")) {
        if (!/^\d+$/.test(pid)) continue;
        const argv = readCmdline(pid);
        if (!argv) continue;
        programs.add(argv[0]?.split("/").pop() ?? "");
        const line = argv.join(" ");
        if (secrets.some((secret) => line.includes(secret))) leaks.add(line);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  })();
  try {
    const result = await work();
    return { leaks: [...leaks], programs, result };
  } finally {
    watching = false;
    await poller;
  }
}
