import { createResticProvider, findJob, runUnlock } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatTable, formatTime, plural, shortId } from "../render/format.js";
import { printJson } from "../render/json.js";
import { noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: {
    name: "unlock",
    description: "Remove stale locks from a job's repository (locks of running processes stay)",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();
    // Waits for this machine's own runs on the repository: their restic locks are live, not stale.
    const result = await runInterruptible(`${job.name}: unlock interrupted`, (signal) =>
      onRepository(config, job, "unlock", { noWait: args["no-wait"], signal }, () =>
        runUnlock(job, { restic }),
      ),
    );
    if (result === undefined) return;
    if (args.json) {
      printJson(result);
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
    const rows = result.remaining.map(({ id, holder }) =>
      holder
        ? [
            shortId(id),
            holder.exclusive ? "exclusive" : "shared",
            String(holder.pid),
            holder.hostname,
            holder.username || "-",
            formatTime(holder.time),
          ]
        : [shortId(id), "?", "-", "-", "-", "holder unknown"],
    );
    const columns = [
      { heading: "LOCK" },
      { heading: "TYPE" },
      { heading: "PID", align: "right" },
      { heading: "HOST" },
      { heading: "USER" },
      { heading: "SINCE" },
    ] as const;
    for (const text of formatTable(columns, rows)) console.log(text);
  },
});
