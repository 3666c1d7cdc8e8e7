import { createRestic, findJob, listSnapshots, locateRestic, snapshotSize } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatBytes, formatTable, formatTime, plural, shortId } from "../render/format.js";
import { printJson } from "../render/json.js";

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
      if (snapshots.length === 0) continue;
      const rows = snapshots.map((snapshot) => {
        const size = snapshotSize(snapshot);
        return [
          formatTime(snapshot.time),
          shortId(snapshot.id),
          size === undefined ? "-" : formatBytes(size),
          snapshot.paths.join(", "),
        ];
      });
      const columns = [
        { heading: "TIME" },
        { heading: "ID" },
        { heading: "SIZE", align: "right" },
        { heading: "PATHS" },
      ] as const;
      for (const text of formatTable(columns, rows)) console.log(text);
    }
    if (args.json) printJson(all);
  },
});
