import { createRestic, findJob, locateRestic, runUnlock } from "@simplebackup/core";
import { defineCommand } from "citty";
import { configArg, loadCliConfig } from "../load-config.js";
import { plural } from "../report-error.js";

export default defineCommand({
  meta: {
    name: "unlock",
    description: "Remove stale locks from a job's repository (locks of running processes stay)",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    json: { type: "boolean", description: "Print the result as JSON" },
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = createRestic(await locateRestic({ configured: config.resticBinary }));
    const result = await runUnlock(job, { restic });
    if (args.json) {
      console.log(JSON.stringify(result, null, 2));
      return;
    }
    const said = result.message ? ` (restic: ${result.message.split("\n").join("; ")})` : "";
    console.log(
      result.before === 0
        ? `${job.name}: the repository had no locks${said}`
        : `${job.name}: removed ${plural(result.removed, "stale lock")} of ${result.before}${said}`,
    );
    if (result.remaining.length === 0) return;
    console.log(`${job.name}: ${plural(result.remaining.length, "lock")} left in place, not stale:`);
    for (const { id, holder } of result.remaining) {
      const who = holder
        ? `PID ${holder.pid} on ${holder.hostname}${holder.username ? ` by ${holder.username}` : ""}, ${holder.exclusive ? "exclusive" : "shared"}, since ${holder.time}`
        : "holder unknown";
      console.log(`  ${id.slice(0, 8)}  ${who}`);
    }
  },
});
