import { createRestic, findJob, listSnapshots, locateRestic, snapshotSize } from "@simplebackup/core";
import { defineCommand } from "citty";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatBytes } from "../render/format.js";
import { plural } from "../report-error.js";

export default defineCommand({
  meta: {
    name: "snapshots",
    description: "List a job's snapshots, newest first (all jobs when none is named)",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: false, description: "Job name" },
    json: { type: "boolean", description: "Print JSON" },
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const jobs = args.job ? [findJob(config.jobs, args.job)] : config.jobs;
    const restic = createRestic(await locateRestic({ configured: config.resticBinary }));
    const all = [];
    for (const job of jobs) {
      const snapshots = await listSnapshots(job, { restic });
      if (args.json) {
        // `size` is null for snapshots made before restic 0.17, which did not record it.
        all.push(
          ...snapshots.map((snapshot) => ({
            job: job.name,
            ...snapshot,
            size: snapshotSize(snapshot) ?? null,
          })),
        );
        continue;
      }
      console.log(`${job.name}: ${plural(snapshots.length, "snapshot")}`);
      for (const snapshot of snapshots) {
        const size = snapshotSize(snapshot);
        const sizeText = (size === undefined ? "-" : formatBytes(size)).padStart(10);
        console.log(
          `  ${formatTime(snapshot.time)}  ${snapshot.short_id}  ${sizeText}  ${snapshot.paths.join(", ")}`,
        );
      }
    }
    if (args.json) console.log(JSON.stringify(all, null, 2));
  },
});

/** `2026-11-25 12:51:25` on this machine's clock (Swedish dates are written the ISO way). */
function formatTime(time: string): string {
  return new Date(time).toLocaleString("sv-SE");
}
