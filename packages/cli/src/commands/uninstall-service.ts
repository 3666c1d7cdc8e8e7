import { existsSync } from "node:fs";
import { defineCommand } from "../args/define-command.js";
import { EXIT } from "../report-error.js";
import { planUninstall } from "../service/plan.js";
import {
  choosePlatform,
  currentHost,
  formatStep,
  platformArg,
  removeServiceFile,
  runSteps,
} from "../service/run-plan.js";

export default defineCommand({
  meta: { name: "uninstall-service", description: "Stop the daemon started at login and remove its service" },
  args: { ...platformArg },
  async run({ args }) {
    const platform = choosePlatform(args.platform, args.print === true);
    if (platform !== "linux" && platform !== "darwin" && platform !== "win32") {
      console.error(platform);
      process.exitCode = EXIT.usage;
      return;
    }
    const plan = planUninstall(currentHost(platform));

    if (args.print) {
      for (const step of plan.before) console.log(formatStep(step, platform));
      console.log(
        `${platform === "win32" ? "del" : "rm"} ${formatStep({ argv: [plan.file.path] }, platform)}`,
      );
      for (const step of plan.after) console.log(formatStep(step, platform));
      return;
    }

    if (!existsSync(plan.file.path)) {
      console.log(`The service is not installed (no ${plan.file.path}); nothing to do.`);
      return;
    }
    if (!runSteps(plan.before, plan)) {
      process.exitCode = EXIT.failed;
      return;
    }
    await removeServiceFile(plan);
    console.log(`Removed ${plan.file.path}`);
    runSteps(plan.after, plan);
    console.log("The daemon no longer starts at login. Run history and logs are kept.");
  },
});
