import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { DatabaseSpec } from "../config/types.js";
import { SimplebackupError } from "../errors.js";
import { type Connection, mariadbOptionFile } from "./engines.js";

/** A database's connection for its tools, and the removal of the option file it may have written. */
export interface OpenConnection {
  readonly connection: Connection;
  /** Removes the private option file; safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * Reads the database's password from its source and, for MariaDB/MySQL, writes the tools' option file
 * into a folder only this user can enter (0700), the file itself 0600. The caller disposes of it as
 * soon as the tool has run, whatever happened.
 * @throws SimplebackupError PASSWORD_UNAVAILABLE when the password file cannot be read or the variable is unset
 */
export async function openConnection(
  database: DatabaseSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<OpenConnection> {
  const password = await readDatabasePassword(database, env);
  if (database.type !== "mariadb" && database.type !== "mysql") {
    return { connection: { database, password }, dispose: async () => {} };
  }
  const folder = await mkdtemp(path.join(tmpdir(), "simplebackup-db-"));
  const optionFile = path.join(folder, "client.cnf");
  const connection: Connection = { database, password, optionFile };
  try {
    await writeFile(optionFile, mariadbOptionFile(connection), { mode: 0o600, flag: "wx" });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { connection, dispose: () => rm(folder, { recursive: true, force: true }) };
}

async function readDatabasePassword(
  database: DatabaseSpec,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const source = database.password;
  const label = `database ${database.type}:${database.name}`;
  if (source === undefined) return undefined;
  switch (source.kind) {
    case "literal":
      return source.value;
    case "env": {
      const value = env[source.variable];
      if (!value) {
        throw new SimplebackupError(
          "PASSWORD_UNAVAILABLE",
          `${label}: password_env names ${source.variable}, but that environment variable is unset or empty`,
        );
      }
      return value;
    }
    case "file":
      try {
        // The first line, as restic reads its --password-file: an editor's trailing newline is not part of it.
        return (await readFile(source.path, "utf8")).split(/\r?\n/, 1)[0] ?? "";
      } catch (error) {
        throw new SimplebackupError(
          "PASSWORD_UNAVAILABLE",
          `${label}: cannot read password_file ${source.path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
          { cause: error },
        );
      }
  }
}
