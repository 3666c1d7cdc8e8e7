/*
 * The databases of a run: each dumped by its server's own tool and streamed into a restic snapshot of
 * its own (docs/databases.md). One database failing fails that database, not the others nor the files:
 * the run is then partial. Only an interrupt, or a repository that cannot be created, ends the stage.
 */
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import { ALL_DATABASES, databaseLabel } from "../config/databases.js";
import type { BackupJob, DatabaseSpec } from "../config/types.js";
import { type OpenConnection, openConnection } from "../databases/connection.js";
import { probeConnection } from "../databases/connection-probe.js";
import { buildDatabaseBackupArgs } from "../databases/database-series.js";
import { dumpFailure, explainDumpFailure } from "../databases/dump-failure.js";
import { DumpFeed } from "../databases/dump-feed.js";
import { type FoundTool, findDatabaseTool } from "../databases/dump-tools.js";
import { buildDumpCommand, buildListDatabasesCommand, type Connection } from "../databases/engines.js";
import { describeToolExit, runDatabaseTool } from "../databases/run-tool.js";
import { ResticError, SimplebackupError } from "../errors.js";
import type { BackupStats } from "../events.js";
import { versionAtLeast } from "../restic/commands/version.js";
import type { JobRestic, JobResticResult } from "../restic/job-restic.js";
import type { Restic } from "../restic/restic.js";
import { shortId } from "../short-id.js";
import { readBackupOutcome, toStats } from "./backup-outcome.js";

/** A database that was dumped into its snapshot. */
export interface DatabaseBackup {
  /** `postgresql:app`: the type and the database's name (for `all`, the name of each one dumped). */
  readonly database: string;
  readonly snapshotId: string;
  readonly stats: BackupStats;
}

/** A database that has no new snapshot, and why. */
export interface DatabaseFailure {
  readonly database: string;
  readonly error: SimplebackupError;
}

export interface DatabaseStageResult {
  readonly backups: readonly DatabaseBackup[];
  readonly failures: readonly DatabaseFailure[];
  /** The run cannot go on: interrupted, or the repository could not be created. */
  readonly stop?: { readonly phase: "backup" | "init"; readonly error: SimplebackupError };
}

export interface DatabaseStageOptions {
  readonly restic: JobRestic;
  /** The binary, asked for its version: 0.17+ runs the dump itself (`--stdin-from-command`). */
  readonly resticBinary: Restic;
  /** The environment the dump tools inherit and `password_env` reads from. */
  readonly env: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal;
  readonly log: (line: string) => void;
  /** Each of restic's stdout lines, for progress. */
  readonly onStdoutLine: (line: string) => void;
  /**
   * Creates the repository restic said does not exist (a job of databases only starts here), as the
   * file backup does; returns why it could not.
   */
  readonly initRepository: (notFound: ResticError) => Promise<ResticError | undefined>;
}

/** Dumps every database of the job, one after another, into a snapshot each. */
export async function runDatabaseStage(
  job: BackupJob,
  options: DatabaseStageOptions,
): Promise<DatabaseStageResult> {
  const stage = new DatabaseStage(job, options);
  return stage.run();
}

/** How one database's backup ended: its snapshot, its failure, or the end of the whole stage. */
type DatabaseOutcome =
  | { readonly kind: "saved"; readonly backup: DatabaseBackup }
  | { readonly kind: "failed"; readonly error: SimplebackupError }
  | { readonly kind: "repository-not-found"; readonly error: ResticError };

class DatabaseStage {
  private readonly backups: DatabaseBackup[] = [];
  private readonly failures: DatabaseFailure[] = [];
  private fromCommand: boolean | undefined;
  private initTried = false;
  /**
   * restic itself failed (a locked or unreachable repository, a full disk): every database after
   * would fail the same way, each after as long a wait. They are not tried, and said so.
   */
  private resticFailure: SimplebackupError | undefined;

  constructor(
    private readonly job: BackupJob,
    private readonly options: DatabaseStageOptions,
  ) {}

  async run(): Promise<DatabaseStageResult> {
    const version = await this.options.resticBinary.version();
    this.fromCommand = versionAtLeast(version, "0.17.0");
    for (const database of this.job.databases) {
      const stop = await this.server(database);
      if (stop) return { backups: this.backups, failures: this.failures, stop };
    }
    return { backups: this.backups, failures: this.failures };
  }

  /** One `databases` entry: one database, or with `all` each of the server's. */
  private async server(database: DatabaseSpec): Promise<DatabaseStageResult["stop"]> {
    const { env } = this.options;
    if (this.resticFailure) {
      this.fail(database, notTried(database, this.resticFailure));
      return undefined;
    }
    let tool: FoundTool;
    let open: OpenConnection;
    try {
      tool = await findDatabaseTool(database.type, "dump", env);
      open = await openConnection(database, env);
    } catch (error) {
      this.fail(database, asError(error));
      return undefined;
    }
    try {
      const names =
        database.name === ALL_DATABASES ? await this.listDatabases(open.connection) : [database.name];
      if (names instanceof SimplebackupError) {
        this.fail(database, names);
        return undefined;
      }
      for (const name of names) {
        const one: Connection = { ...open.connection, database: { ...database, name } };
        if (this.resticFailure) {
          this.fail(one.database, notTried(one.database, this.resticFailure));
          continue;
        }
        const stop = await this.database(one, tool);
        if (stop) return stop;
      }
      return undefined;
    } finally {
      await open.dispose();
    }
  }

  /** The databases of the server, for `all`, without its system ones; a failure when none or unreadable. */
  private async listDatabases(connection: Connection): Promise<string[] | SimplebackupError> {
    const { database } = connection;
    let client: FoundTool;
    try {
      client = await findDatabaseTool(database.type, "client", this.options.env);
    } catch (error) {
      return asError(error);
    }
    const listed = await runDatabaseTool(client, buildListDatabasesCommand(connection, client.name), {
      env: this.options.env,
    });
    if (listed.exitCode !== 0) {
      return dumpFailure(database, client.name, listed.stderrLines, describeToolExit(listed));
    }
    const names = listed.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
    this.options.log(`database ${databaseLabel(database)}: ${names.length} databases (${names.join(", ")})`);
    if (names.length > 0) return names;
    return new SimplebackupError(
      "DATABASE_NOT_FOUND",
      `database ${databaseLabel(database)}: the server lists no database to dump; check the username's rights`,
    );
  }

  /** One database into its snapshot, creating the repository first if that is what it lacks. */
  private async database(connection: Connection, tool: FoundTool): Promise<DatabaseStageResult["stop"]> {
    const { database } = connection;
    const unreadable = await unreadableSqliteFile(database);
    if (unreadable) {
      this.fail(database, unreadable);
      return undefined;
    }
    let outcome = await this.backup(connection, tool);
    if (outcome.kind === "repository-not-found" && !this.initTried) {
      this.initTried = true;
      const initError = await this.options.initRepository(outcome.error);
      if (initError) return { phase: "init", error: initError };
      outcome = await this.backup(connection, tool);
    }
    if (outcome.kind === "saved") {
      this.backups.push(outcome.backup);
      const { snapshotId, stats } = outcome.backup;
      this.options.log(
        `database ${databaseLabel(database)}: snapshot ${shortId(snapshotId)}, ${stats.totalBytesProcessed} bytes dumped, ${stats.dataAdded} bytes added`,
      );
      return undefined;
    }
    const { error } = outcome;
    if (error.code === "INTERRUPTED") return { phase: "backup", error };
    this.fail(database, error);
    if (error instanceof ResticError) this.resticFailure = error;
    return undefined;
  }

  /** `restic backup` of one dump: restic 0.17+ runs the tool itself; older restic reads our pipe. */
  private async backup(connection: Connection, tool: FoundTool): Promise<DatabaseOutcome> {
    const { job, options } = this;
    const { database } = connection;
    const command = buildDumpCommand(connection, tool.name);
    const backupArgs = buildDatabaseBackupArgs(job, database);
    options.log(`database ${databaseLabel(database)}: ${tool.name} into restic`);

    let args: string[];
    let result: JobResticResult;
    let toolFailure: { readonly lines: readonly string[]; readonly exit: string } | undefined;
    if (this.fromCommand) {
      args = [...backupArgs, "--stdin-from-command", "--", tool.path, ...command.args];
      // restic passes the tool's stderr on as `subprocess <command>: <line>`, and says how it ended.
      const prefix = `subprocess ${tool.path}: `;
      const lines: string[] = [];
      result = await options.restic.run(args, {
        env: command.env,
        onStdoutLine: options.onStdoutLine,
        onStderrLine: (line) => {
          if (line.startsWith(prefix)) lines.push(line.slice(prefix.length));
        },
      });
      const status = /command failed: exit status (\d+)/.exec(result.stderr)?.[1];
      if (status !== undefined) toolFailure = { lines, exit: `exit ${status}` };
    } else {
      args = [...backupArgs, "--stdin"];
      const feed = await DumpFeed.create(tool, command, {
        env: options.env,
        onStderrLine: (line) => options.log(`${tool.name}: ${line}`),
      });
      result = await options.restic.run(args, {
        stdin: feed.input,
        signal: feed.failed,
        onStdoutLine: options.onStdoutLine,
      });
      const failed = await feed.finish();
      if (failed) toolFailure = { lines: failed.stderrLines, exit: describeToolExit(failed) };
    }

    const interrupted = options.signal?.aborted === true;
    const outcome = readBackupOutcome(result);
    if (outcome.kind === "saved" && outcome.summary.snapshot_id && (toolFailure || interrupted)) {
      // Never seen, but a snapshot of a dump that did not end well must not pass for a backup.
      await this.forgetTruncated(outcome.summary.snapshot_id);
    }
    if (interrupted) return { kind: "failed", error: options.restic.error({ ...result, interrupted }, args) };
    if (toolFailure) {
      // Runs inside server(), before it disposes of MariaDB's option file, which the check reads too.
      const probe = () => probeConnection(connection, options.env);
      const error = await explainDumpFailure(database, tool.name, toolFailure.lines, toolFailure.exit, probe);
      return { kind: "failed", error };
    }
    if (outcome.kind === "saved" && outcome.summary.snapshot_id) {
      const backup = {
        database: databaseLabel(database),
        snapshotId: outcome.summary.snapshot_id,
        stats: toStats(outcome.summary),
      };
      return { kind: "saved", backup };
    }
    const error = options.restic.error(
      result,
      args,
      outcome.kind === "failed" ? outcome.messages : undefined,
    );
    if (error.code === "REPO_NOT_FOUND") return { kind: "repository-not-found", error };
    return {
      kind: "failed",
      error: new ResticError(error.code, `database ${databaseLabel(database)}: ${error.message}`, {
        command: error.command,
        exitCode: error.exitCode,
        stderrTail: error.stderrTail,
        cause: error,
      }),
    };
  }

  private async forgetTruncated(snapshotId: string): Promise<void> {
    const args = ["forget", "--", snapshotId];
    const result = await this.options.restic.run(args);
    this.options.log(
      result.exitCode === 0
        ? `removed snapshot ${shortId(snapshotId)}: its dump did not end well`
        : `could not remove snapshot ${shortId(snapshotId)} of a dump that did not end well: remove it with restic forget ${snapshotId}`,
    );
  }

  private fail(database: DatabaseSpec, error: SimplebackupError): void {
    this.failures.push({ database: databaseLabel(database), error });
  }
}

/** The failure of a database not tried because restic failed on the one before. */
function notTried(database: DatabaseSpec, cause: SimplebackupError): SimplebackupError {
  return new SimplebackupError(
    cause.code,
    `database ${databaseLabel(database)}: not tried, restic failed before it (${cause.message})`,
    { cause },
  );
}

function asError(error: unknown): SimplebackupError {
  if (error instanceof SimplebackupError) return error;
  return new SimplebackupError(
    "DATABASE_DUMP_FAILED",
    error instanceof Error ? error.message : String(error),
    {
      cause: error,
    },
  );
}

/**
 * A SQLite file that cannot be read fails before restic starts. Said by sqlite3 through restic 0.17+'s
 * `--stdin-from-command`, its words can be lost: restic may exit on the command's failure before it
 * has passed on the command's stderr (seen once under load), and the failure would then read as a
 * mere DATABASE_DUMP_FAILED.
 */
async function unreadableSqliteFile(database: DatabaseSpec): Promise<SimplebackupError | undefined> {
  if (database.type !== "sqlite" || database.path === undefined) return undefined;
  try {
    await access(database.path, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    return new SimplebackupError(
      "DATABASE_NOT_FOUND",
      `database ${databaseLabel(database)}: cannot read ${database.path} (${code}); check the database's path, or remove it from the job; no snapshot was kept of it`,
    );
  }
}
