import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BackupJob, DatabaseSpec, DatabaseType } from "../config/types.js";
import { openConnection } from "../databases/connection.js";
import { chooseDatabaseSnapshot, dumpPathOf, restorableDatabases } from "../databases/database-choice.js";
import { findDatabaseTool } from "../databases/dump-tools.js";
import { buildLoadCommand } from "../databases/engines.js";
import { countTables, dropServerDatabase, lastLines, prepareServerTarget } from "../databases/load-target.js";
import { describeToolExit, runClient, startClient, type ToolExit } from "../databases/run-tool.js";
import { isSimplebackupError, SimplebackupError } from "../errors.js";
import type { SnapshotInfo } from "../restic/commands/snapshots.js";
import type { ActionOptions } from "./action-options.js";
import { clientConsumer, streamDump } from "./dump-stream.js";
import type { SnapshotSummary } from "./restore.js";

/** One database's drill: its latest dump loaded into a scratch database, which is then dropped. */
export interface DatabaseDrill {
  readonly database: { readonly type: DatabaseType; readonly name: string };
  /** The dump drilled; undefined when the database has no snapshot yet. */
  readonly snapshot: SnapshotSummary | undefined;
  /** The dump loaded, and held tables if it creates any. */
  readonly ok: boolean;
  /** Tables in the scratch database after the load. */
  readonly tables: number;
  /** The size of the dump. */
  readonly bytes: number;
  /** The scratch database (`simplebackup_drill_…`), or for SQLite the temporary file. */
  readonly scratch: string | undefined;
  /** False when the scratch database could not be dropped: drop it by hand. */
  readonly cleanedUp: boolean;
  /** Why it failed. */
  readonly reason?: string;
}

/** `CREATE TABLE` in pg_dump's, mariadb-dump's and sqlite3's dumps alike. */
const CREATE_TABLE = /CREATE TABLE/i;

/**
 * Drills each database of the job that has a snapshot: its latest dump is streamed into a scratch
 * database (`simplebackup_drill_<random>` on the same server; SQLite: a temporary file) and must load
 * (the client exits 0) and leave tables when it creates any. The scratch database is dropped, and the
 * file removed, whatever happened. A failure is reported in the drill, not thrown; an interruption is.
 */
export async function drillDatabases(
  job: BackupJob,
  options: ActionOptions & { readonly tempDir?: string },
  snapshots: readonly SnapshotInfo[],
): Promise<DatabaseDrill[]> {
  const drills: DatabaseDrill[] = [];
  for (const database of restorableDatabases(job, snapshots)) {
    try {
      drills.push(await drillDatabase(job, options, database, snapshots));
    } catch (error) {
      if (options.signal?.aborted || !isSimplebackupError(error)) throw error;
      drills.push({
        database: { type: database.type, name: database.name },
        snapshot: undefined,
        ok: false,
        tables: 0,
        bytes: 0,
        scratch: undefined,
        cleanedUp: true,
        reason: error.message,
      });
    }
  }
  return drills;
}

async function drillDatabase(
  job: BackupJob,
  options: ActionOptions & { readonly tempDir?: string },
  database: DatabaseSpec,
  snapshots: readonly SnapshotInfo[],
): Promise<DatabaseDrill> {
  const snapshot = chooseDatabaseSnapshot(job, database, snapshots, "latest");
  const path = dumpPathOf(snapshot);
  const tool = await findDatabaseTool(database.type, "client", options.env);
  const opened = await openConnection(database, options.env);
  const { connection } = opened;
  const env = options.env;
  let sawTable = false;
  let tail = "";
  const onChunk = (chunk: Buffer) => {
    if (sawTable) return;
    const text = tail + chunk.toString("latin1");
    sawTable = CREATE_TABLE.test(text);
    tail = text.slice(-16);
  };
  const failure = (exit: ToolExit) =>
    exit.exitCode === 0
      ? undefined
      : new SimplebackupError(
          "DRILL_FAILED",
          `${tool.name} could not load the dump (${describeToolExit(exit)})${lastLines(exit.stderrTail)}`,
        );
  const drilled = (
    fields: Pick<DatabaseDrill, "tables" | "bytes" | "scratch" | "cleanedUp"> & { error?: unknown },
  ) => {
    const { error, ...rest } = fields;
    const reason =
      error !== undefined
        ? error instanceof Error
          ? error.message
          : String(error)
        : sawTable && rest.tables === 0
          ? "the dump creates tables, but none were there after the load"
          : undefined;
    return {
      database: { type: database.type, name: database.name },
      snapshot: { id: snapshot.id, shortId: snapshot.short_id, time: snapshot.time, paths: snapshot.paths },
      ok: reason === undefined,
      ...rest,
      ...(reason ? { reason } : {}),
    };
  };

  try {
    if (database.type === "sqlite") {
      const folder = await mkdtemp(join(options.tempDir ?? tmpdir(), "simplebackup-drill-"));
      const file = join(folder, "scratch.db");
      let bytes = 0;
      try {
        const client = startClient(tool, buildLoadCommand(connection, tool.name, file), env);
        bytes = await streamDump(job, options, snapshot.id, path, clientConsumer(client, failure, onChunk));
        const count = await runClient(
          tool,
          {
            tool: tool.name,
            args: ["-bail", file],
            env: {},
            stdin: "SELECT count(*) FROM sqlite_master WHERE type = 'table';\n",
          },
          env,
        );
        if (count.exitCode !== 0) throw failure(count) as SimplebackupError;
        return drilled({
          tables: Number.parseInt(count.stdout.trim(), 10),
          bytes,
          scratch: file,
          cleanedUp: true,
        });
      } catch (error) {
        if (options.signal?.aborted) throw error;
        return drilled({ tables: 0, bytes, scratch: file, cleanedUp: true, error });
      } finally {
        await rm(folder, { recursive: true, force: true });
      }
    }

    const scratch = `simplebackup_drill_${randomBytes(4).toString("hex")}`;
    const target = await prepareServerTarget(connection, tool, scratch, {
      force: false,
      ...(env ? { env } : {}),
    });
    let bytes = 0;
    let result: { tables: number; error?: unknown };
    try {
      const client = startClient(tool, buildLoadCommand(connection, tool.name, scratch), env);
      bytes = await streamDump(job, options, snapshot.id, path, clientConsumer(client, failure, onChunk));
      result = { tables: await countTables(connection, tool, scratch, env) };
    } catch (error) {
      if (options.signal?.aborted) {
        await dropServerDatabase(connection, tool, scratch, env);
        throw error;
      }
      result = { tables: 0, error };
    }
    // Dropped whatever happened; never a database this drill did not create.
    const dropped = target.created ? await dropServerDatabase(connection, tool, scratch, env) : undefined;
    const cleanedUp = dropped === undefined || dropped.exitCode === 0;
    return drilled({
      ...result,
      bytes,
      scratch,
      cleanedUp,
      ...(cleanedUp || result.error !== undefined
        ? {}
        : {
            error: `the scratch database ${scratch} could not be dropped${lastLines(dropped?.stderrTail ?? "")}; drop it by hand`,
          }),
    });
  } finally {
    await opened.dispose();
  }
}
