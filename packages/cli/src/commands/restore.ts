import {
  describeRestoreShortfall,
  formatBytes,
  formatCount,
  formatLocalTime,
  plural,
  type RestoreProgress,
  runRestore,
  shortId,
} from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";

export default defineCommand({
  meta: {
    name: "restore",
    description:
      "Restore a job's snapshot into an empty folder (each file below its original absolute path there)",
  },
  args: jobCommandArgs({
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
  }),
  async run({ args }) {
    const opened = await openJob(args);
    const { job, restic } = opened;
    const say = (line: string) => {
      if (!args.json) console.log(`${job.name}: ${line}`);
    };

    const result = await onJobRepository(
      opened,
      "restore",
      args,
      (signal) =>
        runRestore(job, {
          restic,
          target: args.target,
          snapshot: args.snapshot,
          include: args.include,
          overwrite: args.overwrite ?? false,
          signal,
          onProgress: (progress) => say(describeProgress(progress)),
        }),
      "; the target may hold some of the files",
    );
    if (result === undefined) return;

    if (args.json) printJson(result);
    const shortfall = describeRestoreShortfall(result);
    if (shortfall) {
      // Not "restored N files": what the target holds includes the files that failed, as restic left them.
      say(`FAILED [${shortfall.code}]: ${shortfall.message}`);
      for (const error of result.errors) say(`  ${error.path}: ${error.message}`);
    } else {
      say(`restored ${plural(result.files, "file")} (${formatBytes(result.bytes)}) into ${result.target}`);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  },
});

function describeProgress(progress: RestoreProgress): string {
  if (progress.kind === "step" && progress.step === "snapshot") {
    const { id, time, paths } = progress.snapshot;
    return `snapshot ${shortId(id)} of ${formatLocalTime(time)} (${paths.join(", ")})`;
  }
  if (progress.kind === "step") return progress.message;
  const { status } = progress;
  const percent = status.percentDone === undefined ? "" : `${(status.percentDone * 100).toFixed(0)}% `;
  // restic counts folders with the files here (the final count above is of files alone).
  const files = `${formatCount(status.filesRestored ?? 0)}/${formatCount(status.totalFiles ?? 0)} files and folders`;
  const bytes = `${formatBytes(status.bytesRestored ?? 0)} of ${formatBytes(status.totalBytes ?? 0)}`;
  return `${status.kind === "summary" ? "restic: " : ""}${percent}${files}, ${bytes}`;
}
