import { createResticProvider, findJob, runDrill } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { UsageError } from "../args/usage-error.js";
import { runInterruptible } from "../interrupt.js";
import { configArg, loadCliConfig } from "../load-config.js";
import { formatBytes, formatTable, plural, shortId } from "../render/format.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";
import { noWaitArg, onRepository } from "../repository-turn.js";

export default defineCommand({
  meta: {
    name: "drill",
    description:
      "Restore drill: restore random files of the latest snapshot to a temporary folder and compare them with the sources",
  },
  args: {
    ...configArg,
    job: { type: "positional", required: true, description: "Job name" },
    files: { type: "string", default: "10", description: "How many files to restore", valueHint: "N" },
    seed: {
      type: "string",
      description: "Seed of the random pick, to pick the same files again",
      valueHint: "N",
    },
    json: { type: "boolean", description: "Print the result as JSON" },
    ...noWaitArg,
  },
  async run({ args }) {
    const files = wholeNumber(args.files, "--files", 1);
    const seed = args.seed === undefined ? undefined : wholeNumber(args.seed, "--seed", 0);
    const config = await loadCliConfig(args.config);
    const job = findJob(config.jobs, args.job);
    const restic = await createResticProvider({ configured: config.resticBinary }).get();

    const result = await runInterruptible(`${job.name}: drill interrupted`, (signal) =>
      onRepository(config, job, "drill", { noWait: args["no-wait"], signal }, () =>
        runDrill(job, { restic, files, seed, signal }),
      ),
    );
    if (result === undefined) return;

    if (args.json) {
      printJson(result);
    } else {
      console.log(
        `${job.name}: drill of snapshot ${shortId(result.snapshot.id)} (seed ${result.seed}): ${result.files.length} of ${plural(result.filesInSnapshot, "file")} picked`,
      );
      const rows = result.files.map((file) => [
        file.status === "matched" || file.status === "skipped" ? file.status : file.status.toUpperCase(),
        formatBytes(file.size),
        file.path,
        file.reason ?? "",
      ]);
      const columns = [
        { heading: "RESULT" },
        { heading: "SIZE", align: "right" },
        { heading: "FILE" },
        { heading: "NOTE", optional: true },
      ] as const;
      if (rows.length > 0) for (const text of formatTable(columns, rows)) console.log(text);
      const counts = `${result.matched} matched, ${result.mismatched} mismatched, ${result.skipped} skipped, ${result.unreadable} unreadable`;
      console.log(`${job.name}: drill ${result.ok ? "passed" : "FAILED"}: ${counts}`);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  },
});

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a whole number of ${min} or more, got "${text}"`);
  }
  return value;
}
