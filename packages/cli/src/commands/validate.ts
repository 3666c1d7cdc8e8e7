import {
  type BackupJob,
  ConfigError,
  createPreflightIO,
  maskRepository,
  type PreflightWarning,
  plural,
  runPreflight,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { EXIT } from "../exit-codes.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { describeJob } from "../render/describe-job.js";
import { printJson } from "../render/json.js";

export default defineCommand({
  meta: {
    name: "validate",
    description:
      "Check the config, then what a run needs (password, sources, destination, restic); print a summary of each job",
  },
  args: {
    ...configArg,
    strict: {
      type: "boolean",
      description: "Exit 2 when there are warnings, not only errors (for CI and install scripts)",
    },
    json: { type: "boolean", description: "Print a JSON report (valid, jobs, warnings) on stdout" },
  },
  async run({ args }) {
    let config: Awaited<ReturnType<typeof loadCliConfig>>;
    try {
      config = await loadCliConfig(args.config);
    } catch (error) {
      // The report says "not valid" on stdout; the problems for people still go to stderr.
      if (args.json && error instanceof ConfigError) {
        printJson({ valid: false, file: error.file, problems: error.problems, jobs: [], warnings: [] });
      }
      throw error;
    }
    const findings = await runPreflight(config, createPreflightIO());
    // A blocking finding (a key this restic cannot honour) fails every run whatever else changes: it
    // is refused like a config mistake, with or without --strict.
    const refused = findings.filter((finding) => finding.blocking);
    const warnings = findings.filter((finding) => !finding.blocking);
    const failed = refused.length > 0 || (args.strict && warnings.length > 0);
    if (failed) process.exitCode = EXIT.usage;

    if (args.json) {
      printJson({
        valid: refused.length === 0,
        file: config.file,
        jobs: config.jobs.map(jobReport),
        warnings: findings,
      });
      return;
    }
    for (const job of config.jobs) console.log(describeJob(job));
    for (const finding of refused) console.error(formatFinding("error", finding));
    for (const warning of warnings) console.error(formatFinding("warning", warning));
    if (refused.length > 0) {
      console.log(
        `config is not usable with this restic: ${plural(refused.length, "error")}; every run would fail until ${refused.length === 1 ? "it is" : "they are"} fixed (exit 2)`,
      );
      return;
    }
    const summary = `config is valid: ${plural(config.jobs.length, "job")}`;
    if (warnings.length === 0) {
      console.log(summary);
      return;
    }
    console.log(
      `${summary}, but ${plural(warnings.length, "warning")}: a run would fail or back up less until they are fixed${failed ? " (--strict: exit 2)" : ""}`,
    );
  },
});

/** `warning: backupjobs[0] ("Docs").password_file: …` and its fix, as config errors name their place. */
function formatFinding(kind: "error" | "warning", warning: PreflightWarning): string {
  const place =
    warning.job === undefined
      ? warning.path
      : warning.path.replace(/^backupjobs\[\d+\]/, (job) => `${job} (${JSON.stringify(warning.job)})`);
  return `${kind}: ${place ? `${place}: ` : ""}${warning.message}\n  fix: ${warning.fix}`;
}

/** What the JSON report says about a job: what, where (credentials masked), when. Never a password. */
function jobReport(job: BackupJob) {
  return {
    name: job.name,
    sources: job.sources,
    destination: maskRepository(job.repository),
    schedule: job.schedule,
    timezone: job.timezone ?? null,
    retention: job.retention ?? null,
  };
}
