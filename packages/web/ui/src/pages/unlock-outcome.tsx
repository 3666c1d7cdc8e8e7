import { formatLocalTime, relativeTime } from "../format";
import { useNow } from "../hooks";
import type { UnlockView } from "../types";

type KeptLock = UnlockView["remaining"][number];

/** What an unlock did, in one sentence: the counts restic's own message does not give on 0.14. */
export function unlockSummary(result: UnlockView): string {
  if (result.before === 0) return "The repository had no locks: nothing to remove.";
  const removed =
    result.removed === 0
      ? "No lock was stale; none removed"
      : `Removed ${result.removed} stale lock${result.removed === 1 ? "" : "s"}`;
  const left = result.remaining.length;
  return left === 0
    ? `${removed}. The repository has no locks now.`
    : `${removed}; ${left} lock${left === 1 ? "" : "s"} left in place (below).`;
}

/** Why restic kept a lock, for a person deciding what to do next. */
function whyKept(lock: KeptLock): string {
  switch (lock.reason) {
    case "process-running":
      return "its process still runs on this machine (a backup, check or other restic command of this repository is in progress); it goes away when that ends";
    case "other-host":
      return "it was taken on another machine less than 30 minutes ago, and restic cannot see whether that process still runs; if that machine is down, Unlock removes it 30 minutes after it was taken";
    default:
      return lock.holder
        ? "restic did not call it stale (the clocks of the machines may disagree)"
        : "its holder could not be read (the lock may have just been removed)";
  }
}

/** The locks an unlock left, each with its holder (host, PID, user, since when, kind) and why it stays. */
export function UnlockOutcome({ result }: { readonly result: UnlockView }) {
  const now = useNow();
  if (result.remaining.length === 0) return null;
  return (
    <div class="notice-box unlock-outcome" role="status">
      <p>Locks left in place:</p>
      <ul>
        {result.remaining.map((lock) => (
          <li key={lock.id}>
            <code>{lock.id.slice(0, 8)}</code>{" "}
            {lock.holder ? (
              <>
                {lock.holder.exclusive ? "exclusive" : "shared"} lock of PID {lock.holder.pid} on host{" "}
                <strong>{lock.holder.hostname}</strong>
                {lock.holder.username ? ` (user ${lock.holder.username})` : ""}, taken{" "}
                {relativeTime(lock.holder.time, now)} ({formatLocalTime(lock.holder.time)})
              </>
            ) : (
              "holder unknown"
            )}
            . Kept because {whyKept(lock)}.
          </li>
        ))}
      </ul>
    </div>
  );
}
