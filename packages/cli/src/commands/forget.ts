import { createResticProvider, type ForgetSnapshot, findJob, runForget } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatTable, formatTime, plural, shortId } from "../render/format.js";
import { printJson } from "../render/json.js";
import { cliStateDir, noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: {
    name: "forget",
    description: "Apply a job's retention (forget and prune); with --dry-run, show what it keeps and why",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    "dry-run": { type: "boolean", description: "Only show what would be kept and removed; remove nothing" },
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();
    const dryRun = args["dry-run"] ?? false;

    const result = await runInterruptible(`${job.name}: forget interrupted`, (signal) =>
      onRepository(config, job, "forget", { noWait: args["no-wait"], signal }, () =>
        runForget(job, { restic, dryRun, signal, stateDir: cliStateDir(config) }),
      ),
    );
    if (result === undefined) return;

    if (args.json) {
      printJson(result);
      return;
    }
    if (result.keepsEverything) {
      console.log(`${job.name}: no retention rules; the job keeps everything`);
      return;
    }
    console.log(
      dryRun
        ? `${job.name}: dry run, nothing removed: would keep ${plural(result.keep.length, "snapshot")}, remove ${result.remove.length}`
        : `${job.name}: kept ${plural(result.keep.length, "snapshot")}, removed ${result.remove.length}`,
    );
    const rows = [
      ...result.keep.map((snapshot) => row("keep", snapshot, snapshot.reasons.join(", "))),
      ...result.remove.map((snapshot) => row("remove", snapshot, "")),
    ];
    if (rows.length > 0) {
      const columns = [
        { heading: "ACTION" },
        { heading: "TIME" },
        { heading: "ID" },
        { heading: "KEPT AS", optional: true },
      ];
      for (const text of formatTable(columns, rows)) console.log(text);
    }
    if (result.unsafe) console.log(`${job.name}: a real forget would refuse now: ${result.unsafe}`);
    // prune's own report, without its progress bars.
    for (const text of result.pruneReport.filter((l) => !/^\[\d+:\d+\]/.test(l.trim()))) {
      console.log(`  prune: ${text.trim()}`);
    }
  },
});

function row(action: string, snapshot: ForgetSnapshot, keptAs: string): string[] {
  return [action, formatTime(snapshot.time), shortId(snapshot.shortId), keptAs];
}
