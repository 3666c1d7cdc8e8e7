import { databaseLabel } from "../config/databases.js";
import type { DatabaseSpec } from "../config/types.js";
import { SimplebackupError, type SimplebackupErrorCode } from "../errors.js";
import type { ConnectionProbe } from "./connection-probe.js";

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

/** The kind of failure a database tool's stderr lines say, or undefined when they say none we know. */
export function classifyToolLines(lines: readonly string[]): SimplebackupErrorCode | undefined {
  const text = lines.join("\n");
  return DUMP_FAILURES.find(([pattern]) => pattern.test(text))?.[1];
}

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
  const code = classifyToolLines(toolLines) ?? "DATABASE_DUMP_FAILED";
  return failure(code, database, `${tool} failed (${exit})${said(toolLines)}`);
}

/**
 * {@link dumpFailure}, but a failure whose words say no known kind (none at all, when restic 0.17+ exited
 * before passing the tool's stderr on) is then told by a connection check: a server that is down
 * becomes DATABASE_UNREACHABLE (retried), a refused login DATABASE_AUTH_FAILED (never retried). When
 * the check connects, or says nothing we know either, the failure stays DATABASE_DUMP_FAILED.
 */
export async function explainDumpFailure(
  database: DatabaseSpec,
  tool: string,
  toolLines: readonly string[],
  exit: string,
  probe: ConnectionProbe,
): Promise<SimplebackupError> {
  const plain = dumpFailure(database, tool, toolLines, exit);
  if (plain.code !== "DATABASE_DUMP_FAILED") return plain;
  // A check that cannot run must not hide the dump's own failure.
  const checked = await probe().catch(() => undefined);
  const code = checked && classifyToolLines(checked.lines);
  if (!checked || !code) return plain;
  return failure(
    code,
    database,
    `${tool} failed (${exit})${said(toolLines)}; a connection check with ${checked.tool} then failed${said(checked.lines)}`,
  );
}

function failure(code: SimplebackupErrorCode, database: DatabaseSpec, what: string): SimplebackupError {
  const advice = ADVICE[code];
  return new SimplebackupError(
    code,
    `database ${databaseLabel(database)}: ${what}${advice ? `; ${advice}` : ""}; no snapshot was kept of it`,
  );
}

/** `: ` and the tool's most telling line, or nothing when it said nothing. */
function said(lines: readonly string[]): string {
  const words = lastWords(lines);
  return words ? `: ${words}` : "";
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
