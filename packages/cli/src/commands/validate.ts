import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { describeJob } from "../render/describe-job.js";

export default defineCommand({
  meta: { name: "validate", description: "Check the config and print a summary of each job" },
  args: { ...configArg },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    for (const job of config.jobs) console.log(describeJob(job));
    console.log(`config is valid: ${config.jobs.length} job${config.jobs.length === 1 ? "" : "s"}`);
  },
});
