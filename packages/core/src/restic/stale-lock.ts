import { hostname } from "node:os";
import type { LockHolder } from "../restic/classify.js";
import { isAlive } from "../system/process-alive.js";

/**
 * Whether a lock restic complained about may be removed. Only a lock whose holder is gone qualifies:
 * same host and a PID that no longer exists, or older than `staleAfterMs`. A live lock is never removed;
 * `restic unlock` (without --remove-all) applies the same rule again on its side.
 */
export function isStaleLock(
  holder: LockHolder,
  staleAfterMs: number,
  host: string = hostname(),
  isRunning: (pid: number) => boolean = isAlive,
): boolean {
  if (holder.host === host && !isRunning(holder.pid)) return true;
  return holder.ageSeconds !== undefined && holder.ageSeconds * 1000 > staleAfterMs;
}
