import {
  type BackupScheduler,
  createResticProvider,
  runUnlock,
  SimplebackupError,
  type UnlockResult,
} from "@simplebackup/core";

export interface UnlockNowOptions {
  /** Aborting stops restic (SIGINT): the person who asked went away. */
  readonly signal?: AbortSignal;
}

/** What the daemon's `unlock` needs: its scheduler (for the config in use), restic and the clock. */
export interface UnlockerSetup {
  readonly scheduler: BackupScheduler;
  readonly env: NodeJS.ProcessEnv;
  readonly resticBinary: string | undefined;
  readonly now: () => number;
}

/**
 * The daemon's unlock on demand: `restic unlock` (never `--remove-all`) on a job's repository now,
 * with the locks before and after and why each remaining one was kept. It does not wait for the
 * repository's turn, unlike the CLI's `unlock`: a backup of hours would hold the request that long,
 * and restic keeps a running process's lock anyway, which the result then names with its holder.
 * One unlock per repository at a time: a second (two clicks, two jobs on one repository) is refused
 * with REPOSITORY_BUSY rather than run twice.
 */
export function createUnlocker(
  setup: UnlockerSetup,
): (jobName: string, options?: UnlockNowOptions) => Promise<UnlockResult> {
  // The config's restic_binary is read at each lookup, as the scheduler's own provider does.
  const restic = createResticProvider({
    configured: () => setup.resticBinary ?? setup.scheduler.config?.resticBinary,
    env: setup.env,
  });
  /** The repositories being unlocked, each with the job it was asked for. */
  const inFlight = new Map<string, string>();

  return async (jobName, options = {}) => {
    const job = setup.scheduler.config?.jobs.find((candidate) => candidate.name === jobName);
    if (!job) throw new SimplebackupError("JOB_NOT_FOUND", `no job named "${jobName}"`);
    const running = inFlight.get(job.repository);
    if (running !== undefined) {
      const whose = running === job.name ? "" : ` (asked for "${running}", which shares it)`;
      throw new SimplebackupError(
        "REPOSITORY_BUSY",
        `an unlock of the repository of "${job.name}" is running already${whose}`,
      );
    }
    // Taken before the first await: a second request in the same tick sees it.
    inFlight.set(job.repository, job.name);
    try {
      return await runUnlock(job, {
        restic: await restic.get(),
        env: setup.env,
        now: () => new Date(setup.now()),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } finally {
      inFlight.delete(job.repository);
    }
  };
}
