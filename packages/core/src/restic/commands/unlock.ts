// `restic unlock`, and what it takes to say which locks remain afterwards: `list locks` (their ids)
// and `cat lock` (one lock's holder).
import * as z from "zod";
import { textLines } from "../output-lines.js";

/** `restic unlock` removes only stale locks; `--remove-all` would also break a live process's lock. */
export function buildUnlockArgs(): string[] {
  return ["unlock"];
}

/** The ids of the repository's lock files, read without taking a lock of our own. */
export function buildListLocksArgs(): string[] {
  return ["list", "locks", "--no-lock"];
}

/** The lock ids `list locks` printed, one 64-hex id per line. */
export function parseLockIds(stdout: string): string[] {
  return textLines(stdout)
    .map((line) => line.trim())
    .filter((line) => /^[0-9a-f]{64}$/.test(line));
}

/** One lock file as JSON (holder PID, host, time, exclusive), read without taking a lock. */
export function buildCatLockArgs(lockId: string): string[] {
  if (!/^[0-9a-f]{64}$/.test(lockId)) throw new RangeError(`Not a lock id: ${JSON.stringify(lockId)}`);
  return ["cat", "lock", lockId, "--no-lock"];
}

/** A lock file's content, as `cat lock` prints it. */
export interface LockInfo {
  readonly time: string;
  readonly exclusive: boolean;
  readonly hostname: string;
  readonly username: string;
  readonly pid: number;
}

const lockSchema = z.object({
  time: z.string(),
  exclusive: z.boolean().optional(),
  hostname: z.string(),
  username: z.string().optional(),
  pid: z.number(),
});

/** Parses `cat lock` output (pretty-printed JSON); undefined when it is not a lock. */
export function parseLockInfo(stdout: string): LockInfo | undefined {
  try {
    const parsed = lockSchema.safeParse(JSON.parse(stdout));
    if (!parsed.success) return undefined;
    const { exclusive, username, ...rest } = parsed.data;
    return { ...rest, exclusive: exclusive ?? false, username: username ?? "" };
  } catch {
    return undefined;
  }
}
