import {
  type BackupEvent,
  type BackupJob,
  type BackupRunResult,
  createResticProvider,
  runRecordedBackup,
  SimplebackupError,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { withInterrupt } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { createConfigNotifierHub } from "../notifications.js";
import { createHumanReporter } from "../render/human-reporter.js";
import { printJsonLine } from "../render/json.js";
import { EXIT } from "../report-error.js";
import { cliStateDir, EXIT_BUSY, isRepositoryBusy, noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: { name: "backup", description: "Back up the named jobs now (all jobs when none is named)" },
  args: {
    ...configArg,
    jobs: {
      type: "positional",
      required: false,
      variadic: true,
      description: "Jobs to back up; none means every job",
      valueHint: "JOB",
    },
    json: { type: "boolean", description: "Print one JSON event per line instead of text" },
    ...noWaitArg,
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const jobs = selectJobs(config.jobs, args.jobs);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();
    const stateDir = cliStateDir(config);
    const report: (event: BackupEvent) => void = args.json
      ? printJsonLine
      : createHumanReporter(process.stdout);
    // One-shot runs notify exactly as the daemon's runs do.
    const hub = await createConfigNotifierHub(config);
    const emit = (event: BackupEvent) => {
      report(event);
      hub?.dispatch(event);
    };

    // A backup reports an interrupt in its result rather than throwing, and the jobs after it never
    // run, so here any signal during the run means exit 130, not only one that cut an action short.
    const results: BackupRunResult[] = [];
    let busy = 0;
    let interrupted: boolean;
    try {
      ({ interrupted } = await withInterrupt(async (signal) => {
        for (const job of jobs) {
          if (signal.aborted) break;
          let result: Awaited<ReturnType<typeof runRecordedBackup>>;
          try {
            result = await onRepository(config, job, "backup", { noWait: args["no-wait"], signal }, () =>
              runRecordedBackup(job, { restic, emit, signal, stateDir, keepLogs: config.keepLogs }),
            );
          } catch (error) {
            if (signal.aborted) break; // stopped while waiting: nothing ran
            if (!isRepositoryBusy(error)) throw error;
            // --no-wait: this job did not run; the others still do.
            console.error(`${job.name}: error [REPOSITORY_BUSY]: ${(error as Error).message}`);
            busy++;
            continue;
          }
          // For people, so on stderr, with --json too: the log is where a failed run's details are.
          if (result.logPath) console.error(`log: ${result.logPath}`);
          results.push(result);
        }
      }));
    } finally {
      await hub?.close({ timeoutMs: 15_000 });
    }
    const code = interrupted ? 130 : exitCodeFor(results);
    process.exitCode = code === EXIT.ok && busy > 0 ? EXIT_BUSY : code;
  },
});

function selectJobs(all: readonly BackupJob[], names: readonly string[]): readonly BackupJob[] {
  if (names.length === 0) return all;
  const unknown = names.filter((name) => !all.some((job) => job.name === name));
  if (unknown.length > 0) {
    throw new SimplebackupError(
      "JOB_NOT_FOUND",
      `no job named ${unknown.map((n) => `"${n}"`).join(", ")}; the config has: ${all.map((job) => `"${job.name}"`).join(", ")}`,
    );
  }
  return names.map((name) => all.find((job) => job.name === name) as BackupJob);
}

function exitCodeFor(results: readonly BackupRunResult[]): number {
  // A run whose retention failed is `failed` too, though its snapshot was made.
  if (results.some((r) => r.status === "failed")) return EXIT.failed;
  if (results.some((r) => r.status === "partial")) return EXIT.partial;
  return EXIT.ok;
}
