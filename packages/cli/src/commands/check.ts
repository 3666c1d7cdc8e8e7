import { normalizeReadDataSubset, plural, runCheck } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { UsageError } from "../args/usage-error.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";

export default defineCommand({
  meta: { name: "check", description: "Check the integrity of a job's repository with restic check" },
  args: jobCommandArgs({
    "read-data-subset": {
      type: "string",
      description: "Also read this part of the data: n/t (group n of t), x% or a size such as 500M",
      valueHint: "SUBSET",
    },
    "read-data": { type: "boolean", description: "Read all data (downloads the whole repository)" },
  }),
  async run({ args }) {
    const subset = args["read-data-subset"];
    if (subset !== undefined) {
      try {
        normalizeReadDataSubset(subset);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const opened = await openJob(args);
    const { job, restic } = opened;

    const result = await onJobRepository(opened, "check", args, (signal) =>
      runCheck(job, { restic, readDataSubset: subset, readData: args["read-data"] ?? false, signal }),
    );
    if (result === undefined) return;

    if (args.json) {
      printJson(result);
    } else {
      const read = result.read ? ` (${result.read})` : "";
      console.log(
        result.ok
          ? `${job.name}: check passed, no errors found${read}`
          : `${job.name}: check FAILED: ${plural(result.errors.length, "error")}${read}`,
      );
      for (const error of result.errors) console.log(`  error: ${error}`);
      for (const note of result.notes) console.log(`  note: ${note}`);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  },
});
