import { type ForgetSnapshot, formatLocalTime, plural, runForget, shortId } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { formatTable } from "../render/format.js";
import { printJson } from "../render/json.js";
import { cliStateDir } from "../repository-turn.js";

export default defineCommand({
  meta: {
    name: "forget",
    description: "Apply a job's retention (forget and prune); with --dry-run, show what it keeps and why",
  },
  args: jobCommandArgs({
    "dry-run": { type: "boolean", description: "Only show what would be kept and removed; remove nothing" },
  }),
  async run({ args }) {
    const opened = await openJob(args);
    const { config, job, restic } = opened;
    const dryRun = args["dry-run"] ?? false;

    const result = await onJobRepository(opened, "forget", args, (signal) =>
      runForget(job, { restic, dryRun, signal, stateDir: cliStateDir(config) }),
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
  return [action, formatLocalTime(snapshot.time), shortId(snapshot.shortId), keptAs];
}
