import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, resolve } from "node:path";
import {
  ConfigError,
  type CopyStatusReport,
  formatHumanDuration,
  formatLocalTime,
  NO_CHANGES_NO_SNAPSHOT,
  plural,
  RETENTION_SKIPPED_PARTIAL,
  type ResolvedConfig,
  type RunRecordSummary,
  readLastGoodStatus,
  readStatus,
  resolveStateDir,
  type StatusReport,
  shortId,
  stripJsonComments,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { createConfigNotifierHub } from "../notifications.js";
import { printJson } from "../render/json.js";

export default defineCommand({
  meta: {
    name: "status",
    description: "Show each job's schedule, next run and last results (works while the daemon runs)",
  },
  args: {
    ...configArg,
    json: { type: "boolean", description: "Print JSON" },
  },
  async run({ args }) {
    const loaded = await loadOrFallBack(args.config);
    const { report, configError } = loaded;
    // Built only to describe them, with their secrets masked; nothing is sent.
    const hub = loaded.config ? await createConfigNotifierHub(loaded.config) : undefined;
    const notifiers = hub?.describe() ?? [];
    await hub?.close({ timeoutMs: 1_000 });
    if (args.json) {
      printJson({ ...report, notifiers, ...(configError ? { configError } : {}) });
      return;
    }
    if (configError) {
      console.log(`config: ERROR in ${configError.file ?? "the config file"}:`);
      for (const problem of configError.problems) console.log(`  ${problem}`);
      console.log(
        "  a running daemon keeps its last good config; below is its last view (state.json and history). Fix the file; `simplebackup validate` lists every problem.",
      );
    }
    console.log(
      report.daemon
        ? `daemon: running, PID ${report.daemon.pid}, since ${formatLocalTime(report.daemon.startedAt)}`
        : "daemon: not running",
    );
    console.log(`state: ${report.stateDir}`);
    for (const notifier of notifiers) {
      const jobs = notifier.jobs ? ` for ${notifier.jobs.join(", ")}` : "";
      const options = notifier.options ? ` ${JSON.stringify(notifier.options)}` : "";
      console.log(`notifier: ${notifier.name}${jobs} on ${(notifier.on ?? []).join(", ")}${options}`);
    }
    const now = Date.now();
    for (const job of report.jobs) {
      console.log(`\n${job.job}${job.running ? "  (backing up now)" : ""}`);
      console.log(`  schedule:     ${job.schedule ?? "-"}${job.timezone ? ` (${job.timezone})` : ""}`);
      console.log(`  next run:     ${job.nextRunAt ? formatLocalTime(job.nextRunAt) : "-"}`);
      console.log(`  last result:  ${describeRun(job.lastAttempt)}`);
      console.log(`  last success: ${describeRun(job.lastSuccess)}`);
      if (job.lastPartial) console.log(`  last partial: ${describeRun(job.lastPartial)}`);
      if (job.lastAttempt?.errorMessage) {
        console.log(`  last error:   [${job.lastAttempt.errorCode}] ${job.lastAttempt.errorMessage}`);
      }
      for (const failed of job.lastAttempt?.failedDatabases ?? []) {
        // The run's own error already names the first database of a failed run.
        if (failed.message === job.lastAttempt?.errorMessage) continue;
        console.log(`  database failed: [${failed.code}] ${failed.message}`);
      }
      if (job.owed) {
        console.log(`  waiting:      since ${formatLocalTime(job.owed.since)}: ${job.owed.reason}`);
      }
      for (const copy of job.copies) console.log(`  copy to ${copy.target}: ${describeCopy(copy, now)}`);
    }
  },
});

/**
 * `failed at retention at <time>, snapshot 1a2b3c4d`; `success at <time>, no changes, no new snapshot`;
 * `partial …, retention skipped: the backup was partial`.
 */
function describeRun(run: RunRecordSummary | undefined): string {
  if (!run) return "never";
  const stage = run.status === "failed" && run.phase ? ` at ${run.phase}` : "";
  const snapshot = run.snapshotId
    ? `, snapshot ${shortId(run.snapshotId)}`
    : run.unchanged
      ? `, ${NO_CHANGES_NO_SNAPSHOT}`
      : "";
  const retention =
    run.retention?.status === "skipped" && run.retention.reason === "partial"
      ? `, ${RETENTION_SKIPPED_PARTIAL}`
      : "";
  return `${run.status}${stage} at ${formatLocalTime(run.startedAt)}${snapshot}${retention}`;
}

/**
 * `up to date, last copied at <time> (snapshot 1a2b3c4d)`; `2 snapshots behind for 3h 5m; last
 * failure at <time>: [BACKEND_UNAVAILABLE] …`; `never copied`.
 */
function describeCopy(copy: CopyStatusReport, now: number): string {
  const last = copy.lastCopiedAt
    ? `last copied at ${formatLocalTime(copy.lastCopiedAt)}${copy.snapshotId ? ` (snapshot ${shortId(copy.snapshotId)})` : ""}`
    : "never copied";
  const lag =
    copy.behindSince !== undefined
      ? `${plural(copy.behindSnapshots, "snapshot")} behind for ${formatHumanDuration(now - Date.parse(copy.behindSince))}; `
      : copy.lastCopiedAt
        ? "up to date, "
        : "";
  const failure = copy.lastFailure
    ? `; last failure at ${formatLocalTime(copy.lastFailure.at)}: [${copy.lastFailure.code}] ${copy.lastFailure.message}`
    : "";
  return `${lag}${last}${failure}`;
}

interface LoadedStatus {
  readonly config: ResolvedConfig | undefined;
  readonly report: StatusReport;
  readonly configError?: { readonly file: string | undefined; readonly problems: readonly string[] };
}

/**
 * A config with errors does not stop `status`: the daemon goes on with its last good config, and what
 * it last wrote to the state folder is what a person needs to see, next to the error and its place.
 */
async function loadOrFallBack(explicit: string | undefined): Promise<LoadedStatus> {
  let config: ResolvedConfig;
  try {
    config = await loadCliConfig(explicit);
  } catch (error) {
    if (!(error instanceof ConfigError) || error.code !== "CONFIG_INVALID") throw error;
    const stateDir = resolveStateDir({
      configured: await stateDirSetting(error.file),
      env: process.env,
      platform: process.platform,
      homedir: homedir(),
      cwd: process.cwd(),
    });
    const problems = error.problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message));
    return {
      config: undefined,
      report: await readLastGoodStatus(stateDir),
      configError: { file: error.file, problems },
    };
  }
  return { config, report: await readStatus(config) };
}

/** `state_dir` from a file that does not load as a whole, when its JSON still parses. */
async function stateDirSetting(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    const value = JSON.parse(stripJsonComments(await readFile(file, "utf8"))) as { state_dir?: unknown };
    return typeof value.state_dir === "string" ? resolve(dirname(file), value.state_dir) : undefined;
  } catch {
    return undefined;
  }
}
