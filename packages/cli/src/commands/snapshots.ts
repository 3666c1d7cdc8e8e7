import {
  createResticProvider,
  findJob,
  formatBytes,
  formatCount,
  formatLocalTime,
  listSnapshots,
  plural,
  shortId,
  snapshotFileCount,
  snapshotSize,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatTable } from "../render/format.js";
import { printJson } from "../render/json.js";

/**
 * Under the tables: what SIZE counts (the files, not the repository space), and what `-` means. Said
 * once, since a bare SIZE next to restic's "added to the repository" figures was read both ways.
 */
const SIZE_NOTE = "SIZE: total size of the files in the snapshot; FILES: how many files it holds";
const UNRECORDED_NOTE = "-: not recorded; restic records them from 0.17 on, older snapshots lack them";

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
    const restic = await createResticProvider({ configured: config.resticBinary }).get();
    const all = [];
    let listed = false;
    let unrecorded = false;
    for (const job of jobs) {
      const snapshots = await listSnapshots(job, { restic });
      if (args.json) {
        // `size` and `files` are null for snapshots made before restic 0.17, which did not record them.
        all.push(
          ...snapshots.map((snapshot) => ({
            job: job.name,
            ...snapshot,
            size: snapshotSize(snapshot) ?? null,
            files: snapshotFileCount(snapshot) ?? null,
          })),
        );
        continue;
      }
      console.log(`${job.name}: ${plural(snapshots.length, "snapshot")}`);
      if (snapshots.length === 0) continue;
      listed = true;
      const rows = snapshots.map((snapshot) => {
        const size = snapshotSize(snapshot);
        const files = snapshotFileCount(snapshot);
        if (size === undefined || files === undefined) unrecorded = true;
        return [
          formatLocalTime(snapshot.time),
          shortId(snapshot.id),
          size === undefined ? "-" : formatBytes(size),
          files === undefined ? "-" : formatCount(files),
          snapshot.paths.join(", "),
        ];
      });
      const columns = [
        { heading: "TIME" },
        { heading: "ID" },
        { heading: "SIZE", align: "right" },
        { heading: "FILES", align: "right" },
        { heading: "PATHS" },
      ] as const;
      for (const text of formatTable(columns, rows)) console.log(text);
    }
    if (args.json) {
      printJson(all);
      return;
    }
    if (listed) console.log(SIZE_NOTE);
    if (unrecorded) console.log(UNRECORDED_NOTE);
  },
});
