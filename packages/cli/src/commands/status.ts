import { type RunRecordSummary, readStatus } from "@simplebackup/core";
import { defineCommand } from "citty";
import { configArg, loadCliConfig } from "../load-config.js";

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
    if (args.json) {
      console.log(JSON.stringify(report, null, 2));
      return;
    }
    console.log(
      report.daemon
        ? `daemon: running, PID ${report.daemon.pid}, since ${report.daemon.startedAt}`
        : "daemon: not running",
    );
    console.log(`state: ${report.stateDir}`);
    for (const job of report.jobs) {
      console.log(`\n${job.job}${job.running ? "  (backing up now)" : ""}`);
      console.log(`  schedule:     ${job.schedule}${job.timezone ? ` (${job.timezone})` : ""}`);
      console.log(`  next run:     ${job.nextRunAt?.toISOString() ?? "-"}`);
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
  const snapshot = run.snapshotId ? `, snapshot ${run.snapshotId}` : "";
  return `${run.status} at ${run.startedAt}${snapshot}`;
}
