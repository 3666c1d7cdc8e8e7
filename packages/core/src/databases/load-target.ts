/*
 * Where a restored dump is loaded, made ready before restic reads a byte and tidied after: a server's
 * database (created when missing, refused when it holds tables unless forced, dropped again when a
 * load into it failed) or a SQLite file (loaded beside it, then swapped in whole).
 */
import { randomBytes } from "node:crypto";
import { constants, copyFile, link, open, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { databaseLabel } from "../config/databases.js";
import type { DatabaseSpec } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import type { FoundTool } from "./dump-tools.js";
import { buildServerQuery, type Connection } from "./engines.js";
import { describeToolExit, runClient, type ToolExit } from "./run-tool.js";

/** A server's database, ready for the load. */
export interface ServerTarget {
  readonly kind: "database";
  readonly name: string;
  /** Made by this restore: dropped again if the load fails. */
  readonly created: boolean;
}

/**
 * Makes `name` ready on the database's server: created when it does not exist; an existing one must
 * hold no tables, unless `force` (the dump then replaces the tables it holds).
 * @throws SimplebackupError TARGET_NOT_EMPTY; DATABASE_LOAD_FAILED when the server cannot be asked
 */
export async function prepareServerTarget(
  connection: Connection,
  tool: FoundTool,
  name: string,
  options: { readonly force: boolean; readonly env?: NodeJS.ProcessEnv },
): Promise<ServerTarget> {
  const ask = (query: ServerQuestion) => askServer(connection, tool, query, name, options.env);
  if ((await ask("exists")) === 0) {
    await ask("create");
    return { kind: "database", name, created: true };
  }
  const tables = await ask("table-count");
  if (tables > 0 && !options.force) {
    throw new SimplebackupError(
      "TARGET_NOT_EMPTY",
      `database "${name}" on the ${connection.database.type} server is not empty (${tables === 1 ? "1 table" : `${tables} tables`}); restore into a new database with --into NAME, or pass --force to load the dump over it (its tables of the same name are replaced)`,
    );
  }
  return { kind: "database", name, created: false };
}

/**
 * Drops a database this restore or a drill created; the exit says whether it went. A name is dropped
 * only when this process created it: never a database that held anything before.
 */
export function dropServerDatabase(
  connection: Connection,
  tool: FoundTool,
  name: string,
  env?: NodeJS.ProcessEnv,
): Promise<ToolExit> {
  return runClient(tool, buildServerQuery(connection, tool.name, "drop", name), env);
}

/** How many tables a database holds, asked inside it. */
export function countTables(
  connection: Connection,
  tool: FoundTool,
  name: string,
  env?: NodeJS.ProcessEnv,
): Promise<number> {
  return askServer(connection, tool, "table-count", name, env);
}

type ServerQuestion = "exists" | "table-count" | "create";

/** Runs one of the server queries; its answer as a number (a count; NaN for `create`). */
async function askServer(
  connection: Connection,
  tool: FoundTool,
  query: ServerQuestion,
  name: string,
  env: NodeJS.ProcessEnv | undefined,
): Promise<number> {
  const exit = await runClient(tool, buildServerQuery(connection, tool.name, query, name), env);
  if (exit.exitCode !== 0) {
    throw serverFailure(connection.database, tool, `${QUERY_WORDS[query]} "${name}"`, exit);
  }
  return Number.parseInt(exit.stdout.trim(), 10);
}

function serverFailure(
  database: DatabaseSpec,
  tool: FoundTool,
  doing: string,
  exit: ToolExit,
): SimplebackupError {
  return new SimplebackupError(
    "DATABASE_LOAD_FAILED",
    `database ${databaseLabel(database)}: ${tool.name} could not ${doing} (${describeToolExit(exit)})${lastLines(exit.stderrTail)}`,
  );
}

const QUERY_WORDS = {
  exists: "look for database",
  "table-count": "count the tables of",
  create: "create database",
} as const;

/** `: <the tool's last lines>`, or nothing when it said nothing. */
export function lastLines(stderrTail: string, count = 3): string {
  const lines = stderrTail
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  return lines.length === 0 ? "" : `: ${lines.slice(-count).join(" / ")}`;
}

/** A SQLite file to restore into: the dump is loaded into `loadInto` beside it, then swapped in. */
export interface FileTarget {
  readonly kind: "file";
  /** The database file, absolute. */
  readonly path: string;
  /** A new file in the same folder, with the target's mode. */
  readonly loadInto: string;
  /** Where the file that was there is kept (`<file>.before-restore`); undefined when there was none. */
  readonly keptAs: string | undefined;
}

/**
 * Makes a SQLite file ready: a file that is there and not empty needs `force`, and is then kept as
 * `<file>.before-restore`, which must not exist yet. A file with a `-wal` or `-journal` beside it is
 * refused: an application has it open (or crashed with it), and swapping the file under it would mix
 * its journal into the restored one.
 * @throws SimplebackupError TARGET_NOT_EMPTY, FILE_EXISTS
 */
export async function prepareFileTarget(path: string, force: boolean): Promise<FileTarget> {
  for (const journal of [`${path}-wal`, `${path}-journal`]) {
    if (await exists(journal)) {
      throw new SimplebackupError(
        "TARGET_NOT_EMPTY",
        `${journal} exists: ${path} is in use (or was not closed cleanly); stop the application using it, or restore into another file with --into FILE`,
      );
    }
  }
  const current = await stat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (current?.isDirectory()) {
    throw new SimplebackupError("TARGET_NOT_EMPTY", `${path} is a folder; name a database file`);
  }
  let keptAs: string | undefined;
  if (current && current.size > 0) {
    if (!force) {
      throw new SimplebackupError(
        "TARGET_NOT_EMPTY",
        `${path} is not empty; restore into another file with --into FILE, or pass --force to replace it (it is kept as ${path}.before-restore)`,
      );
    }
    keptAs = `${path}.before-restore`;
    if (await exists(keptAs)) {
      throw new SimplebackupError(
        "FILE_EXISTS",
        `${keptAs} exists, from an earlier restore; move or remove it, then restore again`,
      );
    }
  }
  const loadInto = join(dirname(path), `.${basename(path)}.restoring-${randomBytes(4).toString("hex")}`);
  // Restored data is as private as the file it replaces, and private when there was none.
  const handle = await open(loadInto, "wx", current ? current.mode & 0o777 : 0o600);
  await handle.close();
  return { kind: "file", path, loadInto, keptAs };
}

/**
 * Swaps the loaded file in: the old one stays reachable as `keptAs` (a hard link, so the swap is one
 * rename and the path is never missing), then the new one is renamed over it.
 */
export async function commitFileTarget(target: FileTarget): Promise<void> {
  if (target.keptAs) {
    await link(target.path, target.keptAs).catch(() =>
      copyFile(target.path, target.keptAs as string, constants.COPYFILE_EXCL),
    );
  }
  await rename(target.loadInto, target.path);
}

/** Removes what a failed load into a file left beside the target; the target itself is untouched. */
export async function discardFileTarget(target: FileTarget): Promise<void> {
  await rm(target.loadInto, { force: true });
  await rm(`${target.loadInto}-journal`, { force: true });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
