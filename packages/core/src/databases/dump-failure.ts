import { databaseLabel } from "../config/databases.js";
import type { DatabaseSpec } from "../config/types.js";
import { SimplebackupError, type SimplebackupErrorCode } from "../errors.js";

/**
 * What a dump tool's error lines mean, by the words PostgreSQL's and MariaDB's clients print (seen in
 * the tests against real servers): a refused login never gets better by retrying (and retrying could
 * lock the account), a missing database needs the config changed, a server that is down may be back
 * at the next try.
 */
const DUMP_FAILURES: readonly (readonly [RegExp, SimplebackupErrorCode])[] = [
  [
    /password authentication failed|no password supplied|Access denied for user|authentication failed/i,
    "DATABASE_AUTH_FAILED",
  ],
  [
    /database "[^"]*" does not exist|Unknown database|unable to open database file|file is not a database/i,
    "DATABASE_NOT_FOUND",
  ],
  [
    /could not connect|Connection refused|Can't connect|Lost connection|server closed the connection|connection to server .* failed|timeout expired|terminating connection|Got error: 20(02|03|06|13)/i,
    "DATABASE_UNREACHABLE",
  ],
];

/** The fix said after each kind of failure. */
const ADVICE: Partial<Record<SimplebackupErrorCode, string>> = {
  DATABASE_AUTH_FAILED: "check the database's username and password (or password_file, password_env)",
  DATABASE_NOT_FOUND: "check the database's name (or path), or remove it from the job",
  DATABASE_UNREACHABLE: "is the database server running, and are host, port or socket right?",
};

/**
 * The failure of one database's dump, named by the database and the tool's own last words.
 * @param toolLines what the dump tool wrote on stderr
 * @param exit how it ended, e.g. `exit 1`
 */
export function dumpFailure(
  database: DatabaseSpec,
  tool: string,
  toolLines: readonly string[],
  exit: string,
): SimplebackupError {
  const text = toolLines.join("\n");
  const code = DUMP_FAILURES.find(([pattern]) => pattern.test(text))?.[1] ?? "DATABASE_DUMP_FAILED";
  const said = lastWords(toolLines);
  const advice = ADVICE[code];
  return new SimplebackupError(
    code,
    `database ${databaseLabel(database)}: ${tool} failed (${exit})${said ? `: ${said}` : ""}${advice ? `; ${advice}` : ""}; no snapshot was kept of it`,
  );
}

/**
 * The tool's most telling line: its last error line, else its last line that is not a hint; without
 * the tool's prefix, which Debian's wrappers write as a full path (`/usr/lib/postgresql/15/bin/pg_dump:`).
 */
function lastWords(lines: readonly string[]): string {
  const meaningful = lines
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^\S*pg_dump: hint:/.test(line));
  const error = [...meaningful].reverse().find((line) => /error|fatal|denied|failed|option/i.test(line));
  const line = error ?? meaningful.at(-1) ?? "";
  const trimmed = line.replace(
    /^(?:\S*\/)?(?:pg_dump|psql|mariadb-dump|mysqldump|mariadb|mysql|sqlite3):\s*/,
    "",
  );
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}
