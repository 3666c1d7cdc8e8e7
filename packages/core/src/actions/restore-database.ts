import { open, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { databaseLabel } from "../config/databases.js";
import type { BackupJob, DatabasePassword, DatabaseSpec, DatabaseType } from "../config/types.js";
import { openConnection } from "../databases/connection.js";
import {
  chooseDatabase,
  chooseDatabaseSnapshot,
  type DatabaseChoice,
  dumpPathOf,
} from "../databases/database-choice.js";
import { findDatabaseTool } from "../databases/dump-tools.js";
import { buildLoadCommand } from "../databases/engines.js";
import {
  commitFileTarget,
  discardFileTarget,
  dropServerDatabase,
  type FileTarget,
  lastLines,
  prepareFileTarget,
  prepareServerTarget,
  type ServerTarget,
} from "../databases/load-target.js";
import { describeToolExit, startClient, type ToolExit } from "../databases/run-tool.js";
import { SimplebackupError } from "../errors.js";
import { formatLocalTime } from "../format/local-time.js";
import { buildSnapshotsArgs, parseSnapshots, type SnapshotInfo } from "../restic/commands/snapshots.js";
import { createJobRestic } from "../restic/job-restic.js";
import { shortId } from "../short-id.js";
import { type ActionOptions, readOutput, startTimer } from "./action-options.js";
import { clientConsumer, type DumpConsumer, streamDump } from "./dump-stream.js";
import type { SnapshotSummary } from "./restore.js";

export interface RunRestoreDatabaseOptions extends ActionOptions {
  /**
   * One of the job's databases: its name, or `type:name` when two engines share it; for a `name: "all"`
   * entry, the name of one database it dumped. Needed when the job has more than one.
   */
  readonly database?: string;
  /** A snapshot of that database, by id or unique id prefix, or `latest`. @default "latest" */
  readonly snapshot?: string;
  /** Load into this database (SQLite: this file) instead of the database's own. */
  readonly into?: string;
  /** Write the dump (SQL) to this new file, mode 0600, instead of loading it. */
  readonly toFile?: string;
  /** Load into a database that holds tables, or over a SQLite file that is not empty. @default false */
  readonly force?: boolean;
  /**
   * Log in to the server as this user instead of the database entry's own: a backup user that may only
   * read cannot create or load a database. Not for SQLite, which has no login.
   */
  readonly login?: DatabaseLogin;
  readonly onProgress?: (progress: RestoreDatabaseProgress) => void;
}

/** Another login for the load, with its password; it travels as the entry's would, never on argv. */
export interface DatabaseLogin {
  readonly username: string;
  readonly password: DatabasePassword;
}

export interface RestoreDatabaseProgress {
  readonly step: "snapshot" | "target" | "load";
  readonly message: string;
}

/** Where the dump went. */
export type RestoreDatabaseTarget =
  | { readonly kind: "database"; readonly name: string; readonly created: boolean }
  | { readonly kind: "file"; readonly path: string; readonly keptAs?: string }
  | { readonly kind: "dump-file"; readonly path: string };

export interface RestoreDatabaseResult {
  readonly job: string;
  readonly database: { readonly type: DatabaseType; readonly name: string };
  readonly snapshot: SnapshotSummary;
  readonly target: RestoreDatabaseTarget;
  /** The size of the dump that was loaded (or written). */
  readonly bytes: number;
  readonly durationMs: number;
}

/**
 * Restores one database of a job from one of its snapshots: `restic dump` streamed into the engine's
 * client (psql, mariadb, sqlite3), never through a temporary file. The target is made ready first: a
 * missing database is created, one that holds tables is refused unless `force`. PostgreSQL loads in
 * one transaction that stops at the first error; a SQLite file is loaded beside the target and swapped
 * in whole, the old one kept as `<file>.before-restore`. A database created here is dropped again when
 * the load fails.
 * @throws SimplebackupError DATABASE_NOT_FOUND, SNAPSHOT_NOT_FOUND, TARGET_NOT_EMPTY, FILE_EXISTS,
 * DATABASE_TOOL_MISSING, DATABASE_NOT_CONFIGURED (a database only the snapshots still name, loaded
 * into a server), DATABASE_LOGIN_UNSUPPORTED, PASSWORD_UNAVAILABLE before anything is loaded;
 * DATABASE_LOAD_FAILED when the client failed; ResticError when restic failed.
 */
export async function runRestoreDatabase(
  job: BackupJob,
  options: RunRestoreDatabaseOptions,
): Promise<RestoreDatabaseResult> {
  const elapsed = startTimer(options);
  const snapshots = await listJobSnapshots(job, options);
  const choice = chooseDatabase(job, snapshots, options.database);
  const { database } = choice;
  const snapshot = chooseDatabaseSnapshot(job, database, snapshots, options.snapshot ?? "latest");
  const path = dumpPathOf(snapshot);
  // Refused before a byte is read: a load this restore cannot log in for.
  const to = options.toFile
    ? ({ kind: "file", file: resolve(options.toFile) } as const)
    : ({ kind: "load", database: databaseToLoad(job, choice, options) } as const);
  const step = (name: RestoreDatabaseProgress["step"], message: string) =>
    options.onProgress?.({ step: name, message });
  step(
    "snapshot",
    `database ${databaseLabel(database)}: snapshot ${shortId(snapshot.id)} of ${formatLocalTime(snapshot.time)} (${path})`,
  );

  const loaded =
    to.kind === "file"
      ? await dumpToFile(job, options, snapshot, path, to.file, step)
      : await loadDump(job, options, to.database, snapshot, path, step);
  return {
    job: job.name,
    database: { type: database.type, name: database.name },
    snapshot: { id: snapshot.id, shortId: snapshot.short_id, time: snapshot.time, paths: snapshot.paths },
    ...loaded,
    durationMs: elapsed(),
  };
}

type Step = (name: RestoreDatabaseProgress["step"], message: string) => void;

/**
 * The settings a load logs in with: the entry's own, or its user and password swapped for `login`
 * (host, port and socket stay the entry's). A database the config no longer lists has none, so it can
 * only be written to a file, or loaded into a SQLite file named with `into`.
 * @throws SimplebackupError DATABASE_NOT_CONFIGURED, DATABASE_LOGIN_UNSUPPORTED
 */
function databaseToLoad(
  job: BackupJob,
  choice: DatabaseChoice,
  options: Pick<RunRestoreDatabaseOptions, "into" | "login">,
): DatabaseSpec {
  const { database } = choice;
  const label = databaseLabel(database);
  if (options.login && database.type === "sqlite") {
    throw new SimplebackupError(
      "DATABASE_LOGIN_UNSUPPORTED",
      `database ${label} is a SQLite file, which has no login; restore without --login (the file is written with this user's rights)`,
    );
  }
  if (choice.configured) {
    const { login } = options;
    return login
      ? { ...choice.database, username: login.username, password: login.password }
      : choice.database;
  }
  if (database.type === "sqlite") {
    if (options.into !== undefined) return { ...database, password: undefined, options: [] };
    throw new SimplebackupError(
      "DATABASE_NOT_CONFIGURED",
      `database ${label} is no longer in job "${job.name}"'s config: only its snapshots remain, and nothing says where its file was; name the file to load into with --into FILE, or write the dump with --to-file FILE`,
    );
  }
  throw new SimplebackupError(
    "DATABASE_NOT_CONFIGURED",
    `database ${label} is no longer in job "${job.name}"'s config: only its snapshots remain, and nothing says how to reach its server or log in to it; write the dump with --to-file FILE and load it by hand (${HAND_LOAD[database.type]}), or add the database back to the job's databases`,
  );
}

/** How a person loads a dump written with `--to-file`, said when simplebackup cannot load it itself. */
const HAND_LOAD: Readonly<Record<Exclude<DatabaseType, "sqlite">, string>> = {
  postgresql: "createdb NAME, then psql -X -v ON_ERROR_STOP=1 --single-transaction -d NAME -f FILE",
  mariadb: "mariadb -e 'CREATE DATABASE NAME', then mariadb NAME < FILE",
  mysql: "mysql -e 'CREATE DATABASE NAME', then mysql NAME < FILE",
};

/** The job's snapshots, newest first. */
export async function listJobSnapshots(job: BackupJob, options: ActionOptions): Promise<SnapshotInfo[]> {
  const args = buildSnapshotsArgs(job.name);
  const { stdout } = await createJobRestic(job, options).runOk(args);
  return readOutput(args, () => parseSnapshots(stdout)).sort(
    (a, b) => Date.parse(b.time) - Date.parse(a.time),
  );
}

async function dumpToFile(
  job: BackupJob,
  options: ActionOptions,
  snapshot: SnapshotInfo,
  dumpPath: string,
  file: string,
  step: Step,
): Promise<{ target: RestoreDatabaseTarget; bytes: number }> {
  // Created here, private (a dump holds every row), and never over a file that exists.
  const handle = await open(file, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
    throw new SimplebackupError("FILE_EXISTS", `${file} exists; name a new file for --to-file`);
  });
  step("load", `writing the dump to ${file}`);
  const output = handle.createWriteStream();
  const consumer: DumpConsumer = {
    input: output,
    done: new Promise((settle) => {
      output.on("error", (error) =>
        settle(new SimplebackupError("DATABASE_LOAD_FAILED", `cannot write ${file}: ${error.message}`)),
      );
      output.on("close", () => settle(undefined));
    }),
    stop: () => output.destroy(),
  };
  try {
    const bytes = await streamDump(job, options, snapshot.id, dumpPath, consumer);
    return { target: { kind: "dump-file", path: file }, bytes };
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
}

async function loadDump(
  job: BackupJob,
  options: RunRestoreDatabaseOptions,
  database: DatabaseSpec,
  snapshot: SnapshotInfo,
  dumpPath: string,
  step: Step,
): Promise<{ target: RestoreDatabaseTarget; bytes: number }> {
  const tool = await findDatabaseTool(database.type, "client", options.env);
  const opened = await openConnection(database, options.env);
  try {
    const { connection } = opened;
    const force = options.force ?? false;
    const target: ServerTarget | FileTarget =
      database.type === "sqlite"
        ? await prepareFileTarget(resolve(sqliteFile(database, options.into)), force)
        : await prepareServerTarget(connection, tool, options.into ?? database.name, {
            force,
            ...(options.env ? { env: options.env } : {}),
          });
    step("target", describeTarget(target));

    const loadInto = target.kind === "file" ? target.loadInto : target.name;
    const client = startClient(tool, buildLoadCommand(connection, tool.name, loadInto), options.env);
    const consumer = clientConsumer(client, (exit) =>
      exit.exitCode === 0 ? undefined : loadFailure(database, tool.name, target, exit),
    );
    step("load", `loading with ${tool.name}${options.login ? ` as ${options.login.username}` : ""}`);
    let bytes: number;
    try {
      bytes = await streamDump(job, options, snapshot.id, dumpPath, consumer);
    } catch (error) {
      if (target.kind === "file") await discardFileTarget(target);
      else if (target.created) await dropServerDatabase(connection, tool, target.name, options.env);
      throw error;
    }
    if (target.kind === "file") await commitFileTarget(target);
    return {
      target:
        target.kind === "file"
          ? { kind: "file", path: target.path, ...(target.keptAs ? { keptAs: target.keptAs } : {}) }
          : { kind: "database", name: target.name, created: target.created },
      bytes,
    };
  } finally {
    await opened.dispose();
  }
}

function sqliteFile(database: DatabaseSpec, into: string | undefined): string {
  const file = into ?? database.path;
  if (file) return file;
  throw new SimplebackupError(
    "DATABASE_NOT_FOUND",
    `database ${databaseLabel(database)} has no path; name the file to restore into with --into FILE`,
  );
}

function describeTarget(target: ServerTarget | FileTarget): string {
  if (target.kind === "database") {
    return `into database "${target.name}"${target.created ? " (created)" : " (exists, empty or forced)"}`;
  }
  return `into ${target.path}${target.keptAs ? ` (the file there is kept as ${target.keptAs})` : ""}`;
}

/** The client's failure, with what it left behind. */
function loadFailure(
  database: DatabaseSpec,
  tool: string,
  target: ServerTarget | FileTarget,
  exit: ToolExit,
): SimplebackupError {
  const left =
    target.kind === "file"
      ? `${target.path} is unchanged`
      : target.created
        ? `database "${target.name}" was dropped again`
        : database.type === "postgresql"
          ? `nothing was loaded into "${target.name}" (one transaction)`
          : `database "${target.name}" may hold part of the dump`;
  return new SimplebackupError(
    "DATABASE_LOAD_FAILED",
    `database ${databaseLabel(database)}: ${tool} failed loading the dump (${describeToolExit(exit)})${lastLines(exit.stderrTail)}; ${left}`,
  );
}
