import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { DatabaseSpec, DatabaseType } from "../../src/config/types.js";
import { dumpFailure, explainDumpFailure } from "../../src/databases/dump-failure.js";
import type { SimplebackupError } from "../../src/errors.js";
import { isRetryable } from "../../src/scheduler/retry-policy.js";

// Captured from real pg_dump 15, mariadb-dump 10.11 and sqlite3 3.40 runs by fixtures/capture.ts.
const fixtures = new URL("./fixtures/", import.meta.url);

function captured(name: string): { lines: string[]; exit: string } {
  const stderr = readFileSync(new URL(`${name}.stderr.txt`, fixtures), "utf8");
  const rc = readFileSync(new URL(`${name}.rc`, fixtures), "utf8").trim();
  return { lines: stderr.replace(/\n$/, "").split("\n"), exit: `exit ${rc}` };
}

const TOOL: Record<DatabaseType, string> = {
  postgresql: "pg_dump",
  mariadb: "mariadb-dump",
  mysql: "mysqldump",
  sqlite: "sqlite3",
};

function failureOf(name: string): SimplebackupError {
  const type = name.split("-")[0] as DatabaseType;
  const database: DatabaseSpec = { type, name: "shop", password: undefined, options: [] };
  const { lines, exit } = captured(name);
  return dumpFailure(database, TOOL[type], lines, exit);
}

describe("dumpFailure on what the real tools print", () => {
  it.each([
    ["postgresql-wrong-password", "DATABASE_AUTH_FAILED"],
    ["postgresql-unknown-user", "DATABASE_AUTH_FAILED"],
    ["postgresql-no-password", "DATABASE_AUTH_FAILED"],
    ["mariadb-wrong-password", "DATABASE_AUTH_FAILED"],
    ["mariadb-no-password", "DATABASE_AUTH_FAILED"],
    ["postgresql-missing-database", "DATABASE_NOT_FOUND"],
    ["mariadb-missing-database", "DATABASE_NOT_FOUND"],
    ["sqlite-missing-file", "DATABASE_NOT_FOUND"],
    ["sqlite-not-a-database", "DATABASE_NOT_FOUND"],
    ["postgresql-refused", "DATABASE_UNREACHABLE"],
    ["postgresql-no-socket", "DATABASE_UNREACHABLE"],
    ["mariadb-refused", "DATABASE_UNREACHABLE"],
    ["mariadb-no-socket", "DATABASE_UNREACHABLE"],
    ["postgresql-bad-option", "DATABASE_DUMP_FAILED"],
    ["mariadb-bad-option", "DATABASE_DUMP_FAILED"],
  ])("classifies %s as %s", (name, code) => {
    expect(failureOf(name).code).toBe(code);
  });

  it.each([
    [
      "postgresql-wrong-password",
      'database postgresql:shop: pg_dump failed (exit 1): error: connection to server at "127.0.0.1", port <port> failed: FATAL:  password authentication failed for user "admin"; check the database\'s username and password (or password_file, password_env); no snapshot was kept of it',
    ],
    [
      "mariadb-missing-database",
      "database mariadb:shop: mariadb-dump failed (exit 2): Got error: 1049: \"Unknown database 'nope'\" when selecting the database; check the database's name (or path), or remove it from the job; no snapshot was kept of it",
    ],
    [
      "postgresql-refused",
      'database postgresql:shop: pg_dump failed (exit 1): error: connection to server at "127.0.0.1", port <port> failed: Connection refused; is the database server running, and are host, port or socket right?; no snapshot was kept of it',
    ],
    [
      "sqlite-not-a-database",
      "database sqlite:shop: sqlite3 failed (exit 26): Error: in prepare, file is not a database (26); check the database's name (or path), or remove it from the job; no snapshot was kept of it",
    ],
  ])("names the database, the tool's words and the fix for %s", (name, message) => {
    // The port is the one the capture found free.
    expect(failureOf(name).message.replace(/port \d+/, "port <port>")).toBe(message);
  });

  it("says the bad option, not pg_dump's hint to try --help, and drops Debian's full path to the tool", () => {
    expect(failureOf("postgresql-bad-option").message).toBe(
      "database postgresql:shop: pg_dump failed (exit 1): unrecognized option '--no-such-option'; no snapshot was kept of it",
    );
    expect(failureOf("mariadb-bad-option").message).toBe(
      "database mariadb:shop: mariadb-dump failed (exit 2): unknown option '--no-such-option'; no snapshot was kept of it",
    );
  });
});

describe("dumpFailure", () => {
  const database: DatabaseSpec = { type: "postgresql", name: "app", password: undefined, options: [] };

  it("says a dump that died without a word by its exit alone", () => {
    const error = dumpFailure(database, "pg_dump", [], "signal SIGKILL");
    expect(error.code).toBe("DATABASE_DUMP_FAILED");
    expect(error.message).toBe(
      "database postgresql:app: pg_dump failed (signal SIGKILL); no snapshot was kept of it",
    );
  });

  it("takes the last error line over the notes after it", () => {
    const lines = [
      "pg_dump: error: query failed: out of memory",
      "pg_dump: detail: Failed on request of size 8192.",
    ];
    expect(dumpFailure(database, "pg_dump", lines, "exit 1").message).toContain(
      ": detail: Failed on request",
    );
    expect(dumpFailure(database, "pg_dump", ["first", "", "  last words  ", ""], "exit 1").message).toContain(
      "(exit 1): last words;",
    );
  });

  it("cuts a very long line", () => {
    const message = dumpFailure(database, "pg_dump", [`error: ${"x".repeat(1000)}`], "exit 1").message;
    expect(message).toContain(`${"x".repeat(293)}…`);
    expect(message.length).toBeLessThan(450);
  });

  it("classifies a server that went away during the dump as unreachable", () => {
    const lines = [
      'pg_dump: error: Dumping the contents of table "items" failed: PQgetResult() failed.',
      "pg_dump: detail: Error message from server: server closed the connection unexpectedly",
    ];
    expect(dumpFailure(database, "pg_dump", lines, "exit 1").code).toBe("DATABASE_UNREACHABLE");
  });
});

describe("explainDumpFailure: a dump that failed without telling why asks a connection check", () => {
  const database: DatabaseSpec = { type: "postgresql", name: "app", password: undefined, options: [] };
  // What psql 15 and mariadb 10.11 print for a connection check against a closed port / a wrong password.
  const refused = [
    'psql: error: connection to server at "127.0.0.1", port 1 failed: Connection refused',
    "\tIs the server running on that host and accepting TCP/IP connections?",
  ];
  const wrongPassword = [
    'psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed for user "admin"',
  ];
  const mariadbDenied = [
    "ERROR 1045 (28000): Access denied for user 'admin'@'localhost' (using password: YES)",
  ];

  /** A probe that answers `lines` as `tool` (undefined: it connected), counting its calls. */
  function probeSaying(lines: readonly string[] | undefined, tool = "psql") {
    const probe = Object.assign(
      async () => {
        probe.calls += 1;
        return lines && { tool, lines };
      },
      { calls: 0 },
    );
    return probe;
  }

  it.each([
    ["a refused connection", refused, "psql", "DATABASE_UNREACHABLE"],
    ["a refused password", wrongPassword, "psql", "DATABASE_AUTH_FAILED"],
    ["MariaDB's access denied", mariadbDenied, "mariadb", "DATABASE_AUTH_FAILED"],
  ])("takes the code of %s from the check's words", async (_, lines, tool, code) => {
    const probe = probeSaying(lines, tool);
    const error = await explainDumpFailure(database, "pg_dump", [], "exit 1", probe);
    expect(probe.calls).toBe(1);
    expect(error.code).toBe(code);
    expect(isRetryable(error.code)).toBe(code === "DATABASE_UNREACHABLE");
  });

  it("says the dump's exit, the check's last words and the fix", async () => {
    const error = await explainDumpFailure(database, "pg_dump", [], "exit 1", probeSaying(refused));
    expect(error.message).toBe(
      'database postgresql:app: pg_dump failed (exit 1); a connection check with psql then failed: error: connection to server at "127.0.0.1", port 1 failed: Connection refused; is the database server running, and are host, port or socket right?; no snapshot was kept of it',
    );
  });

  it("keeps the dump's own words before the check's when they said no known kind", async () => {
    const error = await explainDumpFailure(
      database,
      "pg_dump",
      ["pg_dump: error: something odd"],
      "exit 1",
      probeSaying(refused),
    );
    expect(error.code).toBe("DATABASE_UNREACHABLE");
    expect(error.message).toContain(
      "pg_dump failed (exit 1): error: something odd; a connection check with psql",
    );
  });

  it.each([
    ["connected (the server is fine)", undefined],
    ["says nothing", []],
    ["says words of no known kind", ["psql: error: out of memory"]],
  ])("stays DATABASE_DUMP_FAILED, as dumpFailure says it, when the check %s", async (_, lines) => {
    const error = await explainDumpFailure(database, "pg_dump", [], "exit 1", probeSaying(lines));
    expect(error.code).toBe("DATABASE_DUMP_FAILED");
    expect(error.message).toBe(dumpFailure(database, "pg_dump", [], "exit 1").message);
  });

  it("stays DATABASE_DUMP_FAILED when the check itself throws", async () => {
    const error = await explainDumpFailure(database, "pg_dump", [], "exit 1", async () => {
      throw new Error("spawn failed");
    });
    expect(error.code).toBe("DATABASE_DUMP_FAILED");
  });

  it("never asks when the dump's own words say the kind", async () => {
    const probe = probeSaying(refused);
    const { lines, exit } = captured("postgresql-wrong-password");
    const error = await explainDumpFailure(database, "pg_dump", lines, exit, probe);
    expect(error.code).toBe("DATABASE_AUTH_FAILED");
    expect(probe.calls).toBe(0);
  });
});
