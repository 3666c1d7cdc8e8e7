import { formatBytes, type RestoreDatabaseTarget, runRestoreDatabase, shortId } from "@simplebackup/core";
import { defineCommand } from "../args/define-command.js";
import { UsageError } from "../args/usage-error.js";
import { jobCommandArgs, onJobRepository, openJob } from "../job-command.js";
import { printJson } from "../render/json.js";
import { EXIT } from "../report-error.js";

export default defineCommand({
  meta: {
    name: "restore-db",
    description:
      "Restore a database of a job from its snapshot: the dump is streamed into psql, mariadb or sqlite3 (or a file)",
  },
  args: jobCommandArgs({
    database: {
      type: "string",
      description: "Database of the job (its name, or type:name); needed when the job has several",
      valueHint: "NAME",
    },
    snapshot: {
      type: "string",
      default: "latest",
      description: "Snapshot id (or its start) of that database, or latest",
      valueHint: "ID",
    },
    into: {
      type: "string",
      description: "Load into this database (SQLite: this file) instead of the original",
      valueHint: "NAME",
    },
    "to-file": {
      type: "string",
      description: "Write the dump (SQL) to this new file instead of loading it",
      valueHint: "FILE",
    },
    force: {
      type: "boolean",
      description: "Load into a database that holds tables (SQLite: replace the file, keeping the old one)",
    },
  }),
  async run({ args }) {
    if (args.into !== undefined && args["to-file"] !== undefined) {
      throw new UsageError("--into and --to-file exclude each other: load into a database, or write a file");
    }
    const opened = await openJob(args);
    const { job, restic } = opened;
    const say = (line: string) => {
      if (!args.json) console.log(`${job.name}: ${line}`);
    };

    const result = await onJobRepository(opened, "restore-db", args, (signal) =>
      runRestoreDatabase(job, {
        restic,
        database: args.database,
        snapshot: args.snapshot,
        into: args.into,
        toFile: args["to-file"],
        force: args.force ?? false,
        signal,
        onProgress: (progress) => say(progress.message),
      }),
    );
    if (result === undefined) return;

    if (args.json) printJson(result);
    const { type, name } = result.database;
    say(
      `restored database ${type}:${name} from snapshot ${shortId(result.snapshot.id)}: ${formatBytes(result.bytes)} ${describeTarget(result.target)}`,
    );
    process.exitCode = EXIT.ok;
  },
});

function describeTarget(target: RestoreDatabaseTarget): string {
  switch (target.kind) {
    case "database":
      return `loaded into database "${target.name}"${target.created ? " (created)" : ""}`;
    case "file":
      return `loaded into ${target.path}${target.keptAs ? `; the file that was there is ${target.keptAs}` : ""}`;
    case "dump-file":
      return `written to ${target.path}`;
  }
}
