import { formatLocalTime, type KeptLockReason, plural, runUnlock, shortId } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { formatTable } from "../render/format.js";
import { printJson } from "../render/json.js";

export default defineCommand({
  meta: {
    name: "unlock",
    description: "Remove stale locks from a job's repository (locks of running processes stay)",
  },
  args: jobCommandArgs({}),
  async run({ args }) {
    const opened = await openJob(args);
    const { job, restic } = opened;
    // Waits for this machine's own runs on the repository: their restic locks are live, not stale.
    const result = await onJobRepository(opened, "unlock", args, () => runUnlock(job, { restic }));
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
    const rows = result.remaining.map(({ id, holder, reason }) =>
      holder
        ? [
            shortId(id),
            holder.exclusive ? "exclusive" : "shared",
            String(holder.pid),
            holder.hostname,
            holder.username || "-",
            formatLocalTime(holder.time),
            KEPT_BECAUSE[reason],
          ]
        : [shortId(id), "?", "-", "-", "-", "-", KEPT_BECAUSE[reason]],
    );
    const columns = [
      { heading: "LOCK" },
      { heading: "TYPE" },
      { heading: "PID", align: "right" },
      { heading: "HOST" },
      { heading: "USER" },
      { heading: "SINCE" },
      { heading: "KEPT BECAUSE" },
    ] as const;
    for (const text of formatTable(columns, rows)) console.log(text);
  },
});

/** Why restic left a lock, in words: a person decides from this whether to wait or look further. */
const KEPT_BECAUSE: Record<KeptLockReason, string> = {
  "process-running": "its process runs on this machine",
  "other-host": "taken on another machine under 30 min ago",
  unknown: "holder unknown",
};
