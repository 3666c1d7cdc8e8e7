import { type RunRecordSummary, readStatus } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { createConfigNotifierHub } from "../notifications.js";
import { formatTime, shortId } from "../render/format.js";
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
    const config = await loadCliConfig(args.config);
    const report = await readStatus(config);
    // Built only to describe them, with their secrets masked; nothing is sent.
    const hub = await createConfigNotifierHub(config);
    const notifiers = hub?.describe() ?? [];
    await hub?.close({ timeoutMs: 1_000 });
    if (args.json) {
      printJson({ ...report, notifiers });
      return;
    }
    console.log(
      report.daemon
        ? `daemon: running, PID ${report.daemon.pid}, since ${formatTime(report.daemon.startedAt)}`
        : "daemon: not running",
    );
    console.log(`state: ${report.stateDir}`);
    for (const notifier of notifiers) {
      const jobs = notifier.jobs ? ` for ${notifier.jobs.join(", ")}` : "";
      const options = notifier.options ? ` ${JSON.stringify(notifier.options)}` : "";
      console.log(`notifier: ${notifier.name}${jobs} on ${(notifier.on ?? []).join(", ")}${options}`);
    }
    for (const job of report.jobs) {
      console.log(`\n${job.job}${job.running ? "  (backing up now)" : ""}`);
      console.log(`  schedule:     ${job.schedule}${job.timezone ? ` (${job.timezone})` : ""}`);
      console.log(`  next run:     ${job.nextRunAt ? formatTime(job.nextRunAt) : "-"}`);
      console.log(`  last result:  ${describeRun(job.lastAttempt)}`);
      console.log(`  last success: ${describeRun(job.lastSuccess)}`);
      if (job.lastAttempt?.errorMessage) {
        console.log(`  last error:   [${job.lastAttempt.errorCode}] ${job.lastAttempt.errorMessage}`);
      }
    }
  },
});

function describeRun(run: RunRecordSummary | undefined): string {
  if (!run) return "never";
  const snapshot = run.snapshotId ? `, snapshot ${shortId(run.snapshotId)}` : "";
  return `${run.status} at ${formatTime(run.startedAt)}${snapshot}`;
}
