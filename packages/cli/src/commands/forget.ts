import { createRestic, type ForgetSnapshot, findJob, locateRestic, runForget } from "@simplebackup/core";
import { defineCommand } from "citty";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";

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
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = createRestic(await locateRestic({ configured: config.resticBinary }));
    const dryRun = args["dry-run"] ?? false;

    const result = await runInterruptible(`${job.name}: forget interrupted`, (signal) =>
      runForget(job, { restic, dryRun, signal }),
    );
    if (result === undefined) return;

    if (args.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    if (result.keepsEverything) {
      console.log(`${job.name}: no retention rules; the job keeps everything`);
      return;
    }
    console.log(
      dryRun
        ? `${job.name}: dry run, nothing removed: would keep ${result.keep.length}, remove ${result.remove.length}`
        : `${job.name}: kept ${result.keep.length}, removed ${result.remove.length}`,
    );
    for (const snapshot of result.keep)
      console.log(`  keep    ${line(snapshot)}  ${snapshot.reasons.join(", ")}`);
    for (const snapshot of result.remove) console.log(`  remove  ${line(snapshot)}`);
    // prune's own report, without its progress bars.
    for (const text of result.pruneReport.filter((l) => !/^\[\d+:\d+\]/.test(l.trim()))) {
      console.log(`  prune: ${text.trim()}`);
    }
  },
});

function line(snapshot: ForgetSnapshot): string {
  return `${snapshot.shortId}  ${formatTime(snapshot.time)}`;
}

/** `2026-11-25 12:51:25` on this machine's clock (Swedish dates are written the ISO way). */
function formatTime(time: string): string {
  return new Date(time).toLocaleString("sv-SE");
}
