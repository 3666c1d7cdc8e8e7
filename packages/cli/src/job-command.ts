import {
  type BackupJob,
  createResticProvider,
  findJob,
  type ResolvedConfig,
  type Restic,
} from "@simplebackup/core";
import type { StrictArgsDef } from "./args/strict-args.js";
import { runInterruptible } from "./interrupt.js";
import { configArg, loadCliConfig } from "./load-config.js";
import { noWaitArg, onRepository } from "./repository-turn.js";

/**
 * What the commands that run one action on one job's repository (check, drill, forget, restore,
 * unlock) share: the same options around their own, and the same start: the config, the job and
 * restic, then the action holding the repository lock, which Ctrl-C ends with exit 130.
 */

/** The options of a command on one job's repository: `--config`, the job, the command's own
 * options, `--json` and `--no-wait`, in that order (as `--help` lists them). */
export function jobCommandArgs<const T extends StrictArgsDef>(own: T) {
  return {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    ...own,
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  } as const;
}

export interface OpenedJob {
  readonly config: ResolvedConfig;
  readonly job: BackupJob;
  readonly restic: Restic;
}

/** Loads the config (from `--config` or where it is found), finds the job in it, and finds restic. */
export async function openJob(args: {
  readonly config?: string | undefined;
  readonly job: string;
}): Promise<OpenedJob> {
  const config = await loadCliConfig(args.config);
  const job = findJob(config.jobs, args.job);
  const restic = await createResticProvider({ configured: config.resticBinary }).get();
  return { config, job, restic };
}

/**
 * Runs `work` holding the job's repository lock (waiting for it unless `--no-wait`). Ctrl-C ends it:
 * `<job>: <command> interrupted` and what `afterInterrupt` adds go to stderr, the exit code is 130 and
 * the result undefined.
 */
export function onJobRepository<T>(
  { config, job }: OpenedJob,
  command: string,
  args: { readonly "no-wait"?: boolean | undefined },
  work: (signal: AbortSignal) => Promise<T>,
  afterInterrupt = "",
): Promise<T | undefined> {
  return runInterruptible(`${job.name}: ${command} interrupted${afterInterrupt}`, (signal) =>
    onRepository(config, job, command, { noWait: args["no-wait"], signal }, () => work(signal)),
  );
}
