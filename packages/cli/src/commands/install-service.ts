import { existsSync } from "node:fs";
import path from "node:path";
import { defineCommand } from "../args/define-command.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { EXIT } from "../report-error.js";
import { planInstall } from "../service/plan.js";
import {
  choosePlatform,
  currentHost,
  formatStep,
  platformArg,
  runSteps,
  simplebackupBin,
  writeServiceFile,
} from "../service/run-plan.js";

export default defineCommand({
  meta: {
    name: "install-service",
    description:
      "Run the daemon at login: a systemd user unit (Linux), a launchd agent (macOS) or a scheduled task (Windows)",
  },
  args: { ...configArg, ...platformArg },
  async run({ args }) {
    const platform = choosePlatform(args.platform, args.print === true);
    if (!isPlatform(platform)) {
      console.error(platform);
      process.exitCode = EXIT.usage;
      return;
    }
    // A service that starts with a broken config would fail at every login: check it first.
    const config = await loadCliConfig(args.config);
    const configFile = config.file ?? path.resolve(args.config ?? "backup_config.json");
    const plan = planInstall(currentHost(platform), {
      node: process.execPath,
      bin: simplebackupBin(),
      config: configFile,
      // Task Scheduler starts programs with the user's own environment; systemd and launchd do not, and
      // restic is often in a folder (Homebrew, ~/.local/bin) their default PATH lacks.
      env: platform === "win32" || !process.env.PATH ? {} : { PATH: process.env.PATH },
    });

    if (args.print) {
      process.stdout.write(plan.file.content);
      console.error(`\nWould write ${plan.file.path}, then run:`);
      for (const step of [...plan.before, ...plan.after]) console.error(`  ${formatStep(step, platform)}`);
      return;
    }

    const replacing = existsSync(plan.file.path);
    if (!runSteps(plan.before, plan)) return failed();
    await writeServiceFile(plan);
    console.log(`${replacing ? "Replaced" : "Wrote"} ${plan.file.path}`);
    if (!runSteps(plan.after, plan)) return failed();
    console.log(`\nsimplebackup now runs at login with ${configFile}.`);
    console.log(`  logs:   ${plan.logs}`);
    console.log("  status: simplebackup status");
    console.log("  remove: simplebackup uninstall-service");
    if (platform === "linux") {
      console.log("  On a server, `loginctl enable-linger $USER` starts it at boot without a login.");
    }
  },
});

function isPlatform(value: string): value is "linux" | "darwin" | "win32" {
  return value === "linux" || value === "darwin" || value === "win32";
}

function failed(): void {
  process.exitCode = EXIT.failed;
}
