/*
 * What each database engine is run with, as pure builders: the dump, the listing of a server's
 * databases for `all`, the load of a dump on restore, and the checks around it. Connection settings
 * and the password travel in the tool's environment (PGHOST, PGPASSWORD, …) or in a private option
 * file (MariaDB's --defaults-extra-file), never on argv: a command line is visible to every user of
 * the machine in the process list, and it is written to the run's log.
 */
import type { DatabaseSpec, DatabaseType } from "../config/types.js";

/** A program and its arguments, plus what its environment needs on top of the inherited one. */
export interface ToolCommand {
  /** One of {@link EngineTools.candidates}; the first found on PATH is run. */
  readonly tool: ToolName;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export type ToolName = "pg_dump" | "psql" | "mariadb-dump" | "mysqldump" | "mariadb" | "mysql" | "sqlite3";

/** Which programs an engine needs, the first found of each list is used, and the package that has them. */
export interface EngineTools {
  readonly dump: readonly ToolName[];
  readonly client: readonly ToolName[];
  /** How to install them on Debian/Ubuntu, said when they are missing. */
  readonly debianPackage: string;
}

export const ENGINE_TOOLS: Readonly<Record<DatabaseType, EngineTools>> = {
  postgresql: { dump: ["pg_dump"], client: ["psql"], debianPackage: "postgresql-client" },
  mariadb: {
    dump: ["mariadb-dump", "mysqldump"],
    client: ["mariadb", "mysql"],
    debianPackage: "mariadb-client",
  },
  mysql: {
    dump: ["mysqldump", "mariadb-dump"],
    client: ["mysql", "mariadb"],
    debianPackage: "mariadb-client (or mysql-client)",
  },
  sqlite: { dump: ["sqlite3"], client: ["sqlite3"], debianPackage: "sqlite3" },
};

/**
 * Connection details for a server's tools. For MariaDB/MySQL, `optionFile` is the path of the 0600
 * file {@link mariadbOptionFile} describes, written by the caller before the tool runs.
 */
export interface Connection {
  readonly database: DatabaseSpec;
  /** The password read from the config's source; undefined when the server needs none. */
  readonly password: string | undefined;
  readonly optionFile?: string;
}

/** The libpq environment: host, port, user, password and database, none of them on argv. */
function postgresEnv(connection: Connection, databaseName: string): Record<string, string> {
  const { database, password } = connection;
  return {
    PGDATABASE: databaseName,
    ...((database.socket ?? database.host) ? { PGHOST: database.socket ?? database.host ?? "" } : {}),
    ...(database.port === undefined ? {} : { PGPORT: String(database.port) }),
    ...(database.username === undefined ? {} : { PGUSER: database.username }),
    ...(password === undefined ? {} : { PGPASSWORD: password }),
    // A server that does not answer fails the dump within seconds instead of holding the run.
    PGCONNECT_TIMEOUT: "10",
  };
}

/**
 * The private option file MariaDB's tools read first (`--defaults-extra-file`): the only way to give
 * them a password that is neither on argv nor in MYSQL_PWD, which MySQL 8 deprecates. Values are
 * double-quoted with the option-file escapes, so a quote, backslash, `#` or line break in a password
 * stays in the value (checked with `--print-defaults`).
 */
export function mariadbOptionFile(connection: Connection): string {
  const { database, password } = connection;
  const lines = ["[client]"];
  const add = (key: string, value: string | number | undefined) => {
    if (value !== undefined) lines.push(`${key}=${quoteOptionValue(String(value))}`);
  };
  add("host", database.host);
  add("port", database.port);
  add("socket", database.socket);
  add("user", database.username);
  add("password", password);
  // A server that does not answer fails the listing and the restore within seconds. Only the client
  // reads [mysql]: mariadb-dump knows no connect-timeout and refuses the whole file over it in [client]
  // ("unknown variable 'connect-timeout=10'", exit 7, measured with MariaDB 10.11).
  lines.push("[mysql]");
  add("connect-timeout", 10);
  return `${lines.join("\n")}\n`;
}

function quoteOptionValue(value: string): string {
  const escaped = value
    .replace(/\\/g, "\\\\")
    .replace(/"/g, '\\"')
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r");
  return `"${escaped}"`;
}

function mariadbDefaults(connection: Connection): string[] {
  // Must come first on the command line, or the tools refuse it.
  return connection.optionFile ? [`--defaults-extra-file=${connection.optionFile}`] : ["--no-defaults"];
}

/**
 * The dump of one database, written to stdout as SQL the engine's own client loads again:
 * - PostgreSQL: plain `pg_dump` with `--clean --if-exists`, so a restore over an existing database
 *   replaces what the dump holds; plain SQL also deduplicates in restic, where pg_dump's compressed
 *   custom format would not.
 * - MariaDB/MySQL: `--single-transaction`, consistent for InnoDB without locking the tables; without
 *   `--databases`, so the dump loads into any database name (`restore-db --into`).
 * - SQLite: `.dump`, read in one transaction; `-readonly` so a missing file is an error, never a new
 *   empty database.
 */
export function buildDumpCommand(connection: Connection, tool: ToolName): ToolCommand {
  const { database } = connection;
  switch (database.type) {
    case "postgresql":
      return {
        tool,
        args: ["--no-password", "--clean", "--if-exists", ...database.options],
        env: postgresEnv(connection, database.name),
      };
    case "mariadb":
    case "mysql":
      return {
        tool,
        args: [
          ...mariadbDefaults(connection),
          "--single-transaction",
          ...database.options,
          "--",
          database.name,
        ],
        env: {},
      };
    case "sqlite":
      return {
        tool,
        args: ["-bail", "-readonly", ...database.options, database.path ?? "", SQLITE_OPEN_CHECK, ".dump"],
        env: {},
      };
  }
}

/**
 * Read before `.dump`, printing nothing: `.dump` of a file that is no database writes its error into the
 * dump as a comment and exits 0 (sqlite3 3.40, measured), so a run would keep it as a good dump. This
 * query fails instead ("file is not a database", exit 1), and -bail stops there.
 */
export const SQLITE_OPEN_CHECK = "SELECT 1 FROM sqlite_master LIMIT 0;";

/** The server's databases, one name per line; system databases are left out (docs/databases.md). */
export function buildListDatabasesCommand(connection: Connection, tool: ToolName): ToolCommand {
  const { database } = connection;
  if (database.type === "postgresql") {
    return {
      tool,
      args: [
        "--no-password",
        "-X",
        "-A",
        "-t",
        "-c",
        "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY datname",
      ],
      env: postgresEnv(connection, "postgres"),
    };
  }
  return {
    tool,
    args: [
      ...mariadbDefaults(connection),
      "-N",
      "-B",
      "-e",
      "SELECT schema_name FROM information_schema.schemata WHERE schema_name NOT IN ('information_schema','performance_schema','sys','mysql') ORDER BY schema_name",
    ],
    env: {},
  };
}

/** How long a connection check waits for the server to answer (see {@link buildConnectionProbeCommand}). */
export const PROBE_CONNECT_TIMEOUT_SECONDS = 3;

/**
 * A cheap connection check (`SELECT 1`) with the dump's own settings, into the same database: run when a
 * dump failed without words that say why (restic 0.17+ can exit on the dump's failure before passing its
 * stderr on), so the client's words can say whether the server is down or the login refused. It waits
 * at most {@link PROBE_CONNECT_TIMEOUT_SECONDS} for the server, not the tools' usual 10.
 */
export function buildConnectionProbeCommand(connection: Connection, tool: ToolName): ToolCommand {
  const { database } = connection;
  const timeout = String(PROBE_CONNECT_TIMEOUT_SECONDS);
  if (database.type === "postgresql") {
    return {
      tool,
      args: ["--no-password", "-X", "-A", "-t", "-c", "SELECT 1"],
      env: { ...postgresEnv(connection, database.name), PGCONNECT_TIMEOUT: timeout },
    };
  }
  return {
    tool,
    args: [
      ...mariadbDefaults(connection),
      `--connect-timeout=${timeout}`,
      "-N",
      "-B",
      "-e",
      "SELECT 1",
      "--",
      database.name,
    ],
    env: {},
  };
}

/** Databases that `all` never dumps on their own. */
export const SYSTEM_DATABASES: Readonly<Record<"postgresql" | "mariadb", readonly string[]>> = {
  postgresql: ["template0", "template1"],
  mariadb: ["information_schema", "performance_schema", "sys", "mysql"],
};

/**
 * Loads a dump read from stdin into `target` (a database name; for SQLite, a file): PostgreSQL in one
 * transaction that stops at the first error, so a dump that does not load leaves nothing half-done.
 */
export function buildLoadCommand(connection: Connection, tool: ToolName, target: string): ToolCommand {
  const { database } = connection;
  switch (database.type) {
    case "postgresql":
      return {
        tool,
        args: ["--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
        env: postgresEnv(connection, target),
      };
    case "mariadb":
    case "mysql":
      return { tool, args: [...mariadbDefaults(connection), "--", target], env: {} };
    case "sqlite":
      return { tool, args: ["-bail", target], env: {} };
  }
}

/**
 * SQL run by the server's client, with the database name passed safely: as a psql variable (`:'name'`
 * and `:"name"` quote it), or as a MariaDB string literal and identifier escaped here.
 */
export function buildServerQuery(
  connection: Connection,
  tool: ToolName,
  query: "exists" | "table-count" | "create" | "drop",
  name: string,
): ToolCommand & { readonly stdin: string } {
  const { database } = connection;
  if (database.type === "postgresql") {
    const sql = {
      exists: "SELECT count(*) FROM pg_database WHERE datname = :'name';",
      "table-count":
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p','v','m','S','f') AND n.nspname NOT IN ('pg_catalog','information_schema') AND n.nspname NOT LIKE 'pg_toast%';",
      create: 'CREATE DATABASE :"name";',
      drop: 'DROP DATABASE IF EXISTS :"name";',
    }[query];
    return {
      tool,
      args: ["--no-password", "-X", "-A", "-t", "-q", "-v", "ON_ERROR_STOP=1", "-v", `name=${name}`],
      // The table count is asked inside the database itself; the others from the maintenance database.
      env: postgresEnv(connection, query === "table-count" ? name : "postgres"),
      stdin: `${sql}\n`,
    };
  }
  const literal = `'${name.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
  const identifier = `\`${name.replace(/`/g, "``")}\``;
  const sql = {
    exists: `SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ${literal};`,
    "table-count": `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ${literal};`,
    create: `CREATE DATABASE ${identifier};`,
    drop: `DROP DATABASE IF EXISTS ${identifier};`,
  }[query];
  return { tool, args: [...mariadbDefaults(connection), "-N", "-B"], env: {}, stdin: `${sql}\n` };
}
