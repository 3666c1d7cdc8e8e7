import { createResticProvider, findJob, listSnapshots, plural } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { printJson } from "../render/json.js";
import { snapshotJson, snapshotTable } from "../render/snapshot-table.js";

/**
 * Under the tables: what SIZE counts (the files, not the repository space), and what `-` means. Said
 * once, since a bare SIZE next to restic's "added to the repository" figures was read both ways.
 */
const SIZE_NOTE = "SIZE: total size of the files in the snapshot; FILES: how many files it holds";
const UNRECORDED_NOTE = "-: not recorded; restic records them from 0.17 on, older snapshots lack them";

export default defineCommand({
  meta: {
    name: "snapshots",
    description:
      "List a job's snapshots (files and database dumps), newest first (all jobs when none is named)",
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
        all.push(...snapshots.map((snapshot) => snapshotJson(job.name, snapshot)));
        continue;
      }
      console.log(`${job.name}: ${plural(snapshots.length, "snapshot")}`);
      if (snapshots.length === 0) continue;
      listed = true;
      const table = snapshotTable(snapshots);
      if (table.unrecorded) unrecorded = true;
      for (const text of table.lines) console.log(text);
    }
    if (args.json) {
      printJson(all);
      return;
    }
    if (listed) console.log(SIZE_NOTE);
    if (unrecorded) console.log(UNRECORDED_NOTE);
  },
});
