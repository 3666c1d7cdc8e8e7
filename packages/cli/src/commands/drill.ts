import { type DatabaseDrill, formatBytes, plural, runDrill, shortId } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { UsageError } from "../args/usage-error.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { formatTable } from "../render/format.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";

export default defineCommand({
  meta: {
    name: "drill",
    description:
      "Restore drill: restore random files of the latest snapshot to a temporary folder and compare them with the sources",
  },
  args: jobCommandArgs({
    files: { type: "string", default: "10", description: "How many files to restore", valueHint: "N" },
    seed: {
      type: "string",
      description: "Seed of the random pick, to pick the same files again",
      valueHint: "N",
    },
  }),
  async run({ args }) {
    const files = wholeNumber(args.files, "--files", 1);
    const seed = args.seed === undefined ? undefined : wholeNumber(args.seed, "--seed", 0);
    const opened = await openJob(args);
    const { job, restic } = opened;

    const result = await onJobRepository(opened, "drill", args, (signal) =>
      runDrill(job, { restic, files, seed, signal }),
    );
    if (result === undefined) return;

    if (args.json) {
      printJson(result);
    } else {
      if (result.snapshot) {
        console.log(
          `${job.name}: drill of snapshot ${shortId(result.snapshot.id)} (seed ${result.seed}): ${result.files.length} of ${plural(result.filesInSnapshot, "file")} picked`,
        );
      }
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
      for (const database of result.databases) console.log(`${job.name}: ${describeDatabaseDrill(database)}`);
      const counts = [
        ...(result.snapshot
          ? [
              `${result.matched} matched, ${result.mismatched} mismatched, ${result.skipped} skipped, ${result.unreadable} unreadable`,
            ]
          : []),
        ...(result.databases.length > 0
          ? [
              `${result.databases.filter((database) => database.ok).length} of ${plural(result.databases.length, "database")} loaded`,
            ]
          : []),
      ].join("; ");
      console.log(`${job.name}: drill ${result.ok ? "passed" : "FAILED"}: ${counts}`);
    }
    process.exitCode = result.ok ? EXIT.ok : EXIT.failed;
  },
});

function describeDatabaseDrill(drill: DatabaseDrill): string {
  const { type, name } = drill.database;
  const size = drill.ok ? `, ${formatBytes(drill.bytes)}` : "";
  const dump = drill.snapshot ? ` (snapshot ${shortId(drill.snapshot.id)}${size})` : "";
  const scratch = drill.scratch && !drill.cleanedUp ? `; ${drill.scratch} is left behind` : "";
  return drill.ok
    ? `database ${type}:${name}${dump}: loaded into a scratch database, ${plural(drill.tables, "table")}`
    : `database ${type}:${name}${dump}: FAILED: ${drill.reason ?? "did not load"}${scratch}`;
}

function wholeNumber(text: string, flag: string, min: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min) {
    throw new UsageError(`${flag} must be a whole number of ${min} or more, got "${text}"`);
  }
  return value;
}
