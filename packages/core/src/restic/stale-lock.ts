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

/** restic's own age limit: a lock older than this is stale, wherever its holder runs (lock.go). */
export const RESTIC_STALE_LOCK_AFTER_MS = 30 * 60_000;

/**
 * Why `restic unlock` left a lock in place, by restic's own rule (stale: older than 30 minutes, or
 * taken on this host by a process that is gone):
 * - `process-running`: taken on this host by a process that still runs (a backup in progress);
 * - `other-host`: taken on another machine less than 30 minutes ago. restic cannot see processes
 *   there, and a running restic refreshes its lock every 5 minutes, so a fresh lock may well be live;
 * - `unknown`: the holder could not be read (the lock may have just gone), or restic kept a lock
 *   this rule calls stale (clocks apart, or a PID seen from another PID namespace).
 */
export type KeptLockReason = "process-running" | "other-host" | "unknown";

/** Which {@link KeptLockReason} explains a lock that is still there after `restic unlock`. */
export function whyLockKept(
  holder: { readonly hostname: string; readonly pid: number; readonly time: string } | undefined,
  now: Date,
  host: string = hostname(),
  isRunning: (pid: number) => boolean = isAlive,
): KeptLockReason {
  if (!holder) return "unknown";
  const age = now.getTime() - Date.parse(holder.time);
  if (Number.isNaN(age) || age > RESTIC_STALE_LOCK_AFTER_MS) return "unknown";
  if (holder.hostname !== host) return "other-host";
  return isRunning(holder.pid) ? "process-running" : "unknown";
}
