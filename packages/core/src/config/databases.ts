import * as z from "zod";
import { expected, isPlainObject, type RawProblem } from "./problems.js";
import { path } from "./schema-fields.js";
import type { DatabasePassword, DatabaseSpec, DatabaseType } from "./types.js";

/*
 * A job's `databases`: each one is dumped with its server's own tool and streamed into restic as a
 * snapshot of its own (docs/databases.md). The schema says what each key is; the rules across keys
 * (a password given once, `all` and `path` only where they mean something, names unique in the job)
 * are checked on the raw input by {@link databaseProblems}, so they are reported with the schema's.
 */

export const DATABASE_TYPES = [
  "postgresql",
  "mariadb",
  "mysql",
  "sqlite",
] as const satisfies readonly DatabaseType[];

/** The name that stands for every database of a server, each dumped on its own. */
export const ALL_DATABASES = "all";

const DATABASE_PASSWORD_KEYS = ["password", "password_file", "password_env"] as const;

const options = z
  .union(
    [
      z.string(expected("extra dump flags")),
      z.array(z.string(expected("one dump flag")).min(1, expected("a non-empty dump flag"))),
    ],
    expected('extra dump flags, such as ["--no-owner"]'),
  )
  .optional()
  .describe(
    'Extra flags for the dump tool (pg_dump, mariadb-dump, sqlite3), e.g. ["--no-owner"]. A string is split at spaces, without quoting. Never a password: use password, password_file or password_env.',
  );

export const databaseSchema = z
  .strictObject(
    {
      type: z
        .enum(DATABASE_TYPES, expected('"postgresql", "mariadb", "mysql" or "sqlite"'))
        .describe("The database engine: postgresql, mariadb, mysql or sqlite."),
      name: z
        .string(expected("a database name"))
        .min(1, expected("a non-empty database name"))
        .optional()
        .describe(
          'The database to dump, or "all" for every database of the server, each dumped on its own (PostgreSQL: all but the templates; MariaDB/MySQL: all but information_schema, performance_schema, sys and mysql). Required except for sqlite, where it defaults to the file name without its extension.',
        ),
      host: z
        .string(expected("a host name or address"))
        .min(1, expected("a non-empty host name or address"))
        .optional()
        .describe("The server's host. Default: the local socket."),
      port: z
        .number(expected("a port number"))
        .int(expected("a whole port number"))
        .min(1, expected("a port number from 1 to 65535"))
        .max(65535, expected("a port number from 1 to 65535"))
        .optional()
        .describe("The server's TCP port. Default: the engine's (5432, 3306)."),
      socket: path("a path to the server's socket")
        .optional()
        .describe(
          "The server's Unix socket: for PostgreSQL the folder that holds it (e.g. /var/run/postgresql), for MariaDB/MySQL the socket file.",
        ),
      username: z
        .string(expected("a user name"))
        .min(1, expected("a non-empty user name"))
        .optional()
        .describe("The database user. Default: the tool's (the user running simplebackup)."),
      password: z
        .string(expected("the database password"))
        .min(1, expected("a non-empty database password"))
        .optional()
        .describe(
          "The database user's password, written in this file. It reaches the dump tool through its environment or a private option file, never its command line. Set at most one of password, password_file, password_env.",
        ),
      password_file: path("a path to a file holding the database password")
        .optional()
        .describe(
          "A file holding the database user's password (its first line), relative to the config file's folder.",
        ),
      password_env: z
        .string(expected("the name of an environment variable holding the database password"))
        .regex(/^[^=\0]+$/, expected("the name of an environment variable holding the database password"))
        .optional()
        .describe("The name of an environment variable holding the database user's password."),
      options,
      path: path("a path to the SQLite database file")
        .optional()
        .describe("The SQLite database file (type sqlite only), relative to the config file's folder."),
    },
    expected('a database object such as {"type": "postgresql", "name": "app"}'),
  )
  .describe("One database to dump into the repository as a snapshot of its own.");

export const databasesSchema = z
  .array(databaseSchema, expected("an array of databases"))
  .optional()
  .describe(
    "Databases to back up, each dumped consistently by its server's own tool (pg_dump, mariadb-dump --single-transaction, sqlite3 .dump) and streamed into restic without a temporary file, as a snapshot of its own tagged simplebackup-db:<type>:<name>. The retention keeps the files and each database as separate series. A job may have databases and no sources. Restore with simplebackup restore-db.",
  );

type DatabaseInput = z.infer<typeof databaseSchema>;

/** Resolves a job's databases: password files and SQLite paths relative to the config file's folder. */
export function toDatabases(
  databases: readonly DatabaseInput[] | undefined,
  resolve: (p: string) => string,
): DatabaseSpec[] {
  return (databases ?? []).map((database) => {
    const file = database.path === undefined ? undefined : resolve(database.path);
    return {
      type: database.type,
      name: database.name ?? sqliteName(file ?? ""),
      ...(database.host === undefined ? {} : { host: database.host }),
      ...(database.port === undefined ? {} : { port: database.port }),
      ...(database.socket === undefined ? {} : { socket: resolve(database.socket) }),
      ...(database.username === undefined ? {} : { username: database.username }),
      password: toDatabasePassword(database, resolve),
      options: splitOptions(database.options),
      ...(file === undefined ? {} : { path: file }),
    };
  });
}

function toDatabasePassword(
  input: DatabaseInput,
  resolve: (p: string) => string,
): DatabasePassword | undefined {
  if (input.password !== undefined) return { kind: "literal", value: input.password };
  if (input.password_file !== undefined) return { kind: "file", path: resolve(input.password_file) };
  if (input.password_env !== undefined) return { kind: "env", variable: input.password_env };
  return undefined;
}

function splitOptions(options: DatabaseInput["options"]): string[] {
  if (options === undefined) return [];
  return typeof options === "string" ? options.split(/\s+/).filter((flag) => flag !== "") : [...options];
}

/** `/srv/app/data.db` → `data`: a SQLite database's name when the config gives none. */
function sqliteName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf(".");
  return dot > 0 ? base.slice(0, dot) : base;
}

/** The key naming one database in a job: `postgresql:app`. Tags, events and `--database` use it. */
export function databaseLabel(database: Pick<DatabaseSpec, "type" | "name">): string {
  return `${database.type}:${database.name}`;
}

/** Said when a job has neither sources nor databases: the fix for a job that backs up databases alone. */
const ONLY_DATABASES = ' (a job that backs up only databases lists them in "databases" instead)';

/**
 * Rules across a job's `databases` and its `sources`: at least one of the two, at most one password
 * per database, host or socket (not both), `all` and `path` only where they mean something, no
 * password in `options`, and each database once per job (its snapshots form one retention series,
 * named by type and name; a SQLite file without a name is named by its file name).
 */
export function databaseProblems(job: Record<string, unknown>, jobIndex: number): RawProblem[] {
  const jobPlace = ["backupjobs", jobIndex];
  const databases = Array.isArray(job.databases) ? job.databases : [];
  const problems: RawProblem[] = [];
  const hasSources = Array.isArray(job.sources) && job.sources.length > 0;
  if (job.sources === undefined && databases.length === 0) {
    problems.push({
      path: [...jobPlace, "sources"],
      message: `missing; expected a non-empty array of file or folder paths${ONLY_DATABASES}`,
    });
  } else if (Array.isArray(job.sources) && !hasSources && databases.length === 0) {
    problems.push({
      path: [...jobPlace, "sources"],
      message: `expected a non-empty array of file or folder paths, got an empty array${ONLY_DATABASES}`,
    });
  }
  const firstByLabel = new Map<string, number>();
  for (const [index, database] of databases.entries()) {
    if (!isPlainObject(database)) continue;
    const place = [...jobPlace, "databases", index];
    problems.push(...entryProblems(database, place));
    const label = seriesLabel(database);
    if (label === undefined) continue;
    const first = firstByLabel.get(label);
    if (first === undefined) firstByLabel.set(label, index);
    else {
      const fix =
        database.type === "sqlite"
          ? "give one of the files a name of its own"
          : "list it once (a second server with the same database name goes in a job of its own)";
      problems.push({
        path: [...place, "name"],
        message: `${label} is already listed as databases[${first}]; each database is one retention series in a job, so ${fix}`,
      });
    }
  }
  return problems;
}

/** `postgresql:app`, or `sqlite:data` for `/srv/data.db` without a name; undefined while keys are wrong. */
function seriesLabel(database: Record<string, unknown>): string | undefined {
  const { type, name, path: file } = database;
  if (typeof type !== "string") return undefined;
  if (typeof name === "string") return `${type}:${name}`;
  return type === "sqlite" && typeof file === "string" && file !== ""
    ? `${type}:${sqliteName(file)}`
    : undefined;
}

function entryProblems(database: Record<string, unknown>, place: readonly PropertyKey[]): RawProblem[] {
  const problems: RawProblem[] = [];
  const passwords = DATABASE_PASSWORD_KEYS.filter((key) => database[key] !== undefined);
  if (passwords.length > 1) {
    problems.push({
      path: place,
      message: `set at most one of ${DATABASE_PASSWORD_KEYS.join(", ")} (found: ${passwords.join(", ")})`,
    });
  }
  const sqlite = database.type === "sqlite";
  if (sqlite) {
    if (database.path === undefined) {
      problems.push({ path: [...place, "path"], message: "missing; expected the path of the SQLite file" });
    }
    if (database.name === ALL_DATABASES) {
      problems.push({
        path: [...place, "name"],
        message: '"all" is for a server; a SQLite database is one file: list each file as its own entry',
      });
    }
    for (const key of ["host", "port", "socket", "username", ...DATABASE_PASSWORD_KEYS] as const) {
      if (database[key] !== undefined) {
        problems.push({ path: [...place, key], message: "a SQLite database is a file: remove this key" });
      }
    }
  } else if (typeof database.type === "string") {
    if (database.name === undefined) {
      problems.push({
        path: [...place, "name"],
        message: 'missing; expected the database name, or "all" for every database of the server',
      });
    }
    if (database.path !== undefined) {
      problems.push({
        path: [...place, "path"],
        message: `path is for type sqlite; a ${database.type} database is reached by host, port or socket`,
      });
    }
    // pg_dump would take the socket and quietly drop the host; say which one is meant instead.
    if (database.host !== undefined && database.socket !== undefined) {
      problems.push({
        path: [...place, "socket"],
        message:
          "set host or socket, not both: a server is reached by one of them (remove host to use the socket)",
      });
    }
  }
  for (const flag of optionFlags(database.options)) {
    if (!isPasswordFlag(database.type, flag)) continue;
    problems.push({
      path: [...place, "options"],
      // The flag's value may be the password itself: it is not repeated in the message (nor the log).
      message: `${JSON.stringify(withoutValue(flag))} would put a password on the command line (or wait for one to be typed): use password, password_file or password_env`,
    });
  }
  return problems;
}

/**
 * A flag that carries a password, or asks for one: MariaDB's `-p…`/`--password…` would show it to every
 * user of the machine in the process list; pg_dump's `-W`/`--password` would wait for a prompt nobody
 * answers in the daemon. (pg_dump's `-p` is the port, which stays allowed.)
 */
function isPasswordFlag(type: unknown, flag: string): boolean {
  if (/^--password(=|$)/.test(flag)) return true;
  if (type === "postgresql") return flag === "-W";
  return (type === "mariadb" || type === "mysql") && /^-p/.test(flag);
}

function optionFlags(options: unknown): string[] {
  if (typeof options === "string") return options.split(/\s+/);
  return Array.isArray(options) ? options.filter((flag): flag is string => typeof flag === "string") : [];
}

/** `--password=…`, `-p…`: a password flag as a message may show it, its value left out. */
function withoutValue(flag: string): string {
  if (flag.includes("=")) return flag.replace(/=.*$/s, "=…");
  return /^-[^-]./.test(flag) ? `${flag.slice(0, 2)}…` : flag;
}
