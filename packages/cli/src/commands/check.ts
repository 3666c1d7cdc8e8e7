import { createResticProvider, findJob, normalizeReadDataSubset, runCheck } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { UsageError } from "../args/usage-error.js";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { plural } from "../render/format.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";
import { noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: { name: "check", description: "Check the integrity of a job's repository with restic check" },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    "read-data-subset": {
      type: "string",
      description: "Also read this part of the data: n/t (group n of t), x% or a size such as 500M",
      valueHint: "SUBSET",
    },
    "read-data": { type: "boolean", description: "Read all data (downloads the whole repository)" },
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  },
  async run({ args }) {
    const subset = args["read-data-subset"];
    if (subset !== undefined) {
      try {
        normalizeReadDataSubset(subset);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
    }
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();

    const result = await runInterruptible(`${job.name}: check interrupted`, (signal) =>
      onRepository(config, job, "check", { noWait: args["no-wait"], signal }, () =>
        runCheck(job, { restic, readDataSubset: subset, readData: args["read-data"] ?? false, signal }),
      ),
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
