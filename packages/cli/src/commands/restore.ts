import { createResticProvider, findJob, type RestoreProgress, runRestore } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatBytes, formatCount, formatTime, plural, shortId } from "../render/format.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";
import { noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: {
    name: "restore",
    description:
      "Restore a job's snapshot into an empty folder (each file below its original absolute path there)",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    target: { type: "string", required: true, description: "Folder to restore into", valueHint: "DIR" },
    snapshot: {
      type: "string",
      default: "latest",
      description: "Snapshot id (or its start) of the job, or latest",
      valueHint: "ID",
    },
    include: {
      type: "string",
      description: "Restore only paths matching this restic pattern",
      valueHint: "PATH",
      repeatable: true,
    },
    overwrite: { type: "boolean", description: "Restore into a folder that is not empty" },
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  },
  async run({ args }) {
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();
    const say = (line: string) => {
      if (!args.json) console.log(`${job.name}: ${line}`);
    };

    const result = await runInterruptible(
      `${job.name}: restore interrupted; the target may hold some of the files`,
      (signal) =>
        onRepository(config, job, "restore", { noWait: args["no-wait"], signal }, () =>
          runRestore(job, {
            restic,
            target: args.target,
            snapshot: args.snapshot,
            include: args.include,
            overwrite: args.overwrite ?? false,
            signal,
            onProgress: (progress) => say(describeProgress(progress)),
          }),
        ),
    );
    if (result === undefined) return;

    if (args.json) printJson(result);
    say(`restored ${plural(result.files, "file")} (${formatBytes(result.bytes)}) into ${result.target}`);
    if (!result.ok) {
      say(`FAILED: ${plural(result.errors.length, "file")} could not be restored`);
      for (const error of result.errors) say(`  ${error.path}: ${error.message}`);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  },
});

function describeProgress(progress: RestoreProgress): string {
  if (progress.kind === "step" && progress.step === "snapshot") {
    const { id, time, paths } = progress.snapshot;
    return `snapshot ${shortId(id)} of ${formatTime(time)} (${paths.join(", ")})`;
  }
  if (progress.kind === "step") return progress.message;
  const { status } = progress;
  const percent = status.percentDone === undefined ? "" : `${(status.percentDone * 100).toFixed(0)}% `;
  // restic counts folders with the files here (the final count above is of files alone).
  const files = `${formatCount(status.filesRestored ?? 0)}/${formatCount(status.totalFiles ?? 0)} files and folders`;
  const bytes = `${formatBytes(status.bytesRestored ?? 0)} of ${formatBytes(status.totalBytes ?? 0)}`;
  return `${status.kind === "summary" ? "restic: " : ""}${percent}${files}, ${bytes}`;
}
