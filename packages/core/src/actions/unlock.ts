import type { BackupJob } from "../config/types.js";
import {
  buildCatLockArgs,
  buildListLocksArgs,
  buildUnlockArgs,
  type LockInfo,
  parseLockIds,
  parseLockInfo,
} from "../restic/commands/unlock.js";
import { createJobRestic } from "../restic/job-restic.js";
import { type KeptLockReason, whyLockKept } from "../restic/stale-lock.js";
import { type ActionOptions, startTimer } from "./action-options.js";

/** A lock `restic unlock` left in place: its holder is alive, or the lock is too young to call stale. */
export interface RemainingLock {
  readonly id: string;
  /** Who holds it; undefined when it could not be read (it may have just gone). */
  readonly holder: LockInfo | undefined;
  /** Why restic kept it, by its own rule (see {@link KeptLockReason}). */
  readonly reason: KeptLockReason;
}

export interface UnlockResult {
  readonly job: string;
  /** Locks in the repository before. */
  readonly before: number;
  /** Locks that were there before and are gone now. */
  readonly removed: number;
  readonly remaining: readonly RemainingLock[];
  /**
   * What restic printed: 0.14 always says `successfully removed locks`, whatever it removed; 0.15+
   * says `successfully removed 1 locks` when it removed some and nothing otherwise (both measured).
   */
  readonly message: string;
  readonly durationMs: number;
}

/** At most this many remaining locks are read to name their holders; each read is a restic process. */
const MAX_DESCRIBED_LOCKS = 5;

/**
 * Removes the stale locks of the job's repository with `restic unlock` (never `--remove-all`, which
 * would also break a running process's lock). restic decides what is stale: a lock of a process that no
 * longer runs on this host, or one older than 30 minutes. The locks are listed before and after, since
 * 0.14 reports success whether it removed anything or not: `removed` is counted, not read from restic.
 * @throws ResticError when restic fails (wrong password, repository missing, …).
 */
export async function runUnlock(job: BackupJob, options: ActionOptions): Promise<UnlockResult> {
  const elapsed = startTimer(options);
  const now = options.now ?? (() => new Date());
  const restic = createJobRestic(job, options);
  const before = parseLockIds((await restic.runOk(buildListLocksArgs())).stdout);
  const unlock = await restic.runOk(buildUnlockArgs());
  const after = parseLockIds((await restic.runOk(buildListLocksArgs())).stdout);

  const remaining: RemainingLock[] = [];
  for (const [index, id] of after.entries()) {
    if (index >= MAX_DESCRIBED_LOCKS) {
      remaining.push({ id, holder: undefined, reason: "unknown" });
      continue;
    }
    const cat = await restic.run(buildCatLockArgs(id));
    const holder = cat.exitCode === 0 ? parseLockInfo(cat.stdout) : undefined;
    remaining.push({ id, holder, reason: whyLockKept(holder, now()) });
  }
  return {
    job: job.name,
    before: before.length,
    removed: before.filter((id) => !after.includes(id)).length,
    remaining,
    message: [unlock.stdout, unlock.stderr].join("\n").trim(),
    durationMs: elapsed(),
  };
}
