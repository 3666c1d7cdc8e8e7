import { homedir } from "node:os";
import { type BackupJob, isSimplebackupError, resolveStateDir, withRepositoryLock } from "@simplebackup/core";

/**
 * The one-shot commands' side of the repository lock (core's state/repository-lock.ts): every command
 * that works on a repository takes its lock in the state folder first, so a `backup` started by hand
 * and the daemon's run (or two commands in two terminals) wait for each other instead of colliding on
 * restic's lock. `snapshots` does not: it only reads, and restic's shared lock lets it run beside a
 * backup.
 */

/** EX_TEMPFAIL (sysexits.h): the repository is busy, try again later; nothing ran. */
export const EXIT_BUSY = 75;

export const noWaitArg = {
  "no-wait": {
    type: "boolean",
    description: `Exit at once (code ${EXIT_BUSY}) when another simplebackup process works on the job's repository, instead of waiting for it`,
  },
} as const;

/** The state folder, resolved as every command resolves it. */
export function cliStateDir(config: { readonly stateDir: string | undefined }): string {
  return resolveStateDir({
    configured: config.stateDir,
    env: process.env,
    platform: process.platform,
    homedir: homedir(),
    cwd: process.cwd(),
  });
}

/**
 * Runs `work` holding the job's repository lock. While another process holds it, says so once on
 * stderr (`waiting for <job> on the same repository (held by PID n, …)`) and waits, or with `noWait`
 * throws REPOSITORY_BUSY (exit 75) before anything ran. The signal ends the wait (INTERRUPTED).
 */
export function onRepository<T>(
  config: { readonly stateDir: string | undefined },
  job: BackupJob,
  command: string,
  options: { readonly noWait?: boolean; readonly signal?: AbortSignal },
  work: () => Promise<T>,
): Promise<T> {
  return withRepositoryLock(
    cliStateDir(config),
    job.repository,
    { job: job.name, activity: `simplebackup ${command}` },
    work,
    {
      wait: options.noWait !== true,
      signal: options.signal,
      onWaiting: (_holder, message) => console.error(`${job.name}: ${message}`),
    },
  );
}

export function isRepositoryBusy(error: unknown): boolean {
  return isSimplebackupError(error) && error.code === "REPOSITORY_BUSY";
}
