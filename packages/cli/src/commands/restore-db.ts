import {
  type DatabaseLogin,
  formatBytes,
  type RestoreDatabaseTarget,
  runRestoreDatabase,
  shortId,
} from "@simplebackup/core";
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
      description:
        "Database of the job (its name, or type:name), or one only its snapshots still name; needed when the job has several",
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
    login: {
      type: "string",
      description: "Log in to the server as this user instead of the database's own (needs --password-env)",
      valueHint: "USER",
    },
    "password-env": {
      type: "string",
      description: "Environment variable that holds the --login user's password",
      valueHint: "VAR",
    },
  }),
  async run({ args }) {
    if (args.into !== undefined && args["to-file"] !== undefined) {
      throw new UsageError("--into and --to-file exclude each other: load into a database, or write a file");
    }
    const login = readLogin(args, process.env);
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
        ...(login ? { login } : {}),
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

/**
 * `--login USER --password-env VAR`: the user to load as, its password read from that variable by the
 * restore (and handed to the client as the entry's own would be: PGPASSWORD or a 0600 option file).
 * A password is never taken on the command line, where every user of the machine can read it.
 */
function readLogin(
  args: {
    readonly login?: string | undefined;
    readonly "password-env"?: string | undefined;
    readonly "to-file"?: string | undefined;
  },
  env: NodeJS.ProcessEnv,
): DatabaseLogin | undefined {
  const { login, "password-env": variable } = args;
  if (login === undefined) {
    if (variable === undefined) return undefined;
    throw new UsageError(`--password-env goes with --login USER: it holds that user's password`);
  }
  if (variable === undefined) {
    throw new UsageError(
      `--login ${login} needs --password-env VAR, the environment variable that holds ${login}'s password (a password is never taken on the command line)`,
    );
  }
  if (args["to-file"] !== undefined) {
    throw new UsageError("--login is for loading into a server; --to-file writes a file and logs in nowhere");
  }
  if (!env[variable]) {
    throw new UsageError(
      `--password-env ${variable}: that environment variable is unset or empty; set it to ${login}'s password`,
    );
  }
  return { username: login, password: { kind: "env", variable } };
}

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
