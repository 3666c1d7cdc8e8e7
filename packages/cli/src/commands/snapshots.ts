import { createRestic, listSnapshots, locateRestic, SimplebackupError } from "@simplebackup/core";
import { defineCommand } from "citty";
import { configArg, loadCliConfig } from "../load-config.js";

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
    const jobs = args.job ? config.jobs.filter((job) => job.name === args.job) : config.jobs;
    if (jobs.length === 0) {
      throw new SimplebackupError("JOB_NOT_FOUND", `no job named "${args.job}"`);
    }
    const restic = createRestic(await locateRestic({ configured: config.resticBinary }));
    const all = [];
    for (const job of jobs) {
      const snapshots = await listSnapshots(job, { restic });
      if (args.json) {
        all.push(...snapshots.map((snapshot) => ({ job: job.name, ...snapshot })));
        continue;
      }
      console.log(`${job.name}: ${snapshots.length} snapshot${snapshots.length === 1 ? "" : "s"}`);
      for (const snapshot of snapshots) {
        const time = new Date(snapshot.time).toISOString().replace("T", " ").slice(0, 19);
        console.log(`  ${snapshot.short_id}  ${time}  ${snapshot.paths.join(", ")}`);
      }
    }
    if (args.json) console.log(JSON.stringify(all, null, 2));
  },
});
