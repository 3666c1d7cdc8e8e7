import { describe, expect, it } from "vitest";
import type { DatabaseSpec } from "../../src/config/types.js";
import {
  buildConnectionProbeCommand,
  buildDumpCommand,
  buildListDatabasesCommand,
  buildLoadCommand,
  buildServerQuery,
  type Connection,
  ENGINE_TOOLS,
  mariadbOptionFile,
  SQLITE_OPEN_CHECK,
  type ToolCommand,
} from "../../src/databases/engines.js";

const PASSWORD = "pa$$ 'w\"ord\\#1";
const OPTION_FILE = "/tmp/simplebackup-db-x/client.cnf";

function database(overrides: Partial<DatabaseSpec> & Pick<DatabaseSpec, "type">): DatabaseSpec {
  return { name: "app", password: { kind: "literal", value: PASSWORD }, options: [], ...overrides };
}

const postgres: Connection = {
  database: database({ type: "postgresql", host: "db.example.com", port: 5433, username: "backup" }),
  password: PASSWORD,
};
/** The `postgres` connection in libpq's variables, as every PostgreSQL command carries it. */
const POSTGRES_ENV = {
  PGDATABASE: "app",
  PGHOST: "db.example.com",
  PGPORT: "5433",
  PGUSER: "backup",
  PGPASSWORD: PASSWORD,
};
const mariadb: Connection = {
  database: database({ type: "mariadb", host: "db.example.com", port: 3307, username: "backup" }),
  password: PASSWORD,
  optionFile: OPTION_FILE,
};
const sqlite: Connection = {
  database: { type: "sqlite", name: "notes", path: "/srv/app/notes.db", password: undefined, options: [] },
  password: undefined,
};

/** Every command each builder makes for a connection: none may carry the password in its arguments. */
function everyCommand(connection: Connection): ToolCommand[] {
  const { dump, client } = ENGINE_TOOLS[connection.database.type];
  const [dumpTool, clientTool] = [dump[0], client[0]];
  if (dumpTool === undefined || clientTool === undefined) throw new Error("no tools");
  const commands = [
    buildDumpCommand(connection, dumpTool),
    buildLoadCommand(connection, clientTool, "app_copy"),
  ];
  if (connection.database.type === "sqlite") return commands;
  return [
    ...commands,
    buildListDatabasesCommand(connection, clientTool),
    buildConnectionProbeCommand(connection, clientTool),
    ...(["exists", "table-count", "create"] as const).map((query) =>
      buildServerQuery(connection, clientTool, query, "app"),
    ),
  ];
}

describe("no password on a command line", () => {
  it.each([
    ["postgresql", postgres],
    ["mariadb", mariadb],
    ["mysql", { ...mariadb, database: { ...mariadb.database, type: "mysql" as const } }],
    ["sqlite", sqlite],
  ])("%s: not in any argument of any command", (_, connection) => {
    for (const command of everyCommand(connection)) {
      for (const arg of command.args) {
        expect(arg).not.toContain(PASSWORD);
        expect(arg).not.toMatch(/^(-p.|--password)/);
      }
    }
  });

  it("postgresql: only in PGPASSWORD, with --no-password so pg_dump never waits for a prompt", () => {
    for (const command of everyCommand(postgres)) {
      expect(command.args[0]).toBe("--no-password");
      expect(Object.entries(command.env).filter(([, value]) => value.includes(PASSWORD))).toEqual([
        ["PGPASSWORD", PASSWORD],
      ]);
    }
  });

  it("mariadb: never in the environment (no MYSQL_PWD), only in the option file", () => {
    for (const command of everyCommand(mariadb)) expect(command.env).toEqual({});
    expect(mariadbOptionFile(mariadb)).toContain("password=");
  });
});

describe("buildDumpCommand", () => {
  it("postgresql: plain SQL with --clean --if-exists, the connection in PG* variables", () => {
    const withOptions = { ...postgres, database: { ...postgres.database, options: ["--no-owner"] } };
    expect(buildDumpCommand(withOptions, "pg_dump")).toEqual({
      tool: "pg_dump",
      args: ["--no-password", "--clean", "--if-exists", "--no-owner"],
      env: { ...POSTGRES_ENV, PGCONNECT_TIMEOUT: "10" },
    });
  });

  it("postgresql: a socket folder is the host; no password and no user leave their variables out", () => {
    const local: Connection = {
      database: database({ type: "postgresql", socket: "/var/run/postgresql", password: undefined }),
      password: undefined,
    };
    expect(buildDumpCommand(local, "pg_dump").env).toEqual({
      PGDATABASE: "app",
      PGHOST: "/var/run/postgresql",
      PGCONNECT_TIMEOUT: "10",
    });
  });

  it("postgresql: a database name that looks like a flag stays a variable, never an argument", () => {
    const odd = { ...postgres, database: { ...postgres.database, name: "--help" } };
    const command = buildDumpCommand(odd, "pg_dump");
    expect(command.args).not.toContain("--help");
    expect(command.env.PGDATABASE).toBe("--help");
  });

  it("mariadb: --defaults-extra-file first, --single-transaction, the options, then the name after --", () => {
    const withOptions = {
      ...mariadb,
      database: { ...mariadb.database, options: ["--routines", "--events"] },
    };
    expect(buildDumpCommand(withOptions, "mariadb-dump")).toEqual({
      tool: "mariadb-dump",
      args: [
        `--defaults-extra-file=${OPTION_FILE}`,
        "--single-transaction",
        "--routines",
        "--events",
        "--",
        "app",
      ],
      env: {},
    });
  });

  it("mariadb: --no-defaults first without an option file, so no stray my.cnf password is used", () => {
    const { optionFile: _, ...bare } = mariadb;
    expect(buildDumpCommand(bare, "mysqldump").args).toEqual([
      "--no-defaults",
      "--single-transaction",
      "--",
      "app",
    ]);
  });

  it("mariadb: the option file comes first in every command, or the tools refuse it", () => {
    for (const command of everyCommand(mariadb))
      expect(command.args[0]).toBe(`--defaults-extra-file=${OPTION_FILE}`);
  });

  it("sqlite: -bail -readonly, the options, the file, the open check, then .dump", () => {
    const withOptions = { ...sqlite, database: { ...sqlite.database, options: ["-cmd", ".timeout 5000"] } };
    expect(buildDumpCommand(withOptions, "sqlite3")).toEqual({
      tool: "sqlite3",
      args: ["-bail", "-readonly", "-cmd", ".timeout 5000", "/srv/app/notes.db", SQLITE_OPEN_CHECK, ".dump"],
      env: {},
    });
  });
});

describe("mariadbOptionFile", () => {
  it("writes the connection in [client] and the connect timeout for the client only, in [mysql]", () => {
    // mariadb-dump refuses the whole file over a connect-timeout in [client] (exit 7, measured).
    expect(mariadbOptionFile(mariadb)).toBe(
      [
        "[client]",
        'host="db.example.com"',
        'port="3307"',
        'user="backup"',
        `password="pa$$ 'w\\"ord\\\\#1"`,
        "[mysql]",
        'connect-timeout="10"',
        "",
      ].join("\n"),
    );
  });

  it("keeps a line break in a value inside the value, never a line of its own", () => {
    const sneaky = { ...mariadb, password: "x\nhost=evil.example.com\r" };
    const file = mariadbOptionFile(sneaky);
    expect(file).toContain('password="x\\nhost=evil.example.com\\r"');
    expect(file.split("\n").filter((line) => line.startsWith("host="))).toEqual(['host="db.example.com"']);
  });

  it("leaves out what is not given", () => {
    const local: Connection = {
      database: database({ type: "mariadb", socket: "/run/mysqld/mysqld.sock", password: undefined }),
      password: undefined,
    };
    expect(mariadbOptionFile(local)).toBe(
      '[client]\nsocket="/run/mysqld/mysqld.sock"\n[mysql]\nconnect-timeout="10"\n',
    );
  });
});

describe("buildListDatabasesCommand", () => {
  it("postgresql: asks the maintenance database for the databases that take connections, no templates", () => {
    const command = buildListDatabasesCommand(postgres, "psql");
    expect(command.args.slice(0, 5)).toEqual(["--no-password", "-X", "-A", "-t", "-c"]);
    expect(command.args[5]).toMatch(/datallowconn AND NOT datistemplate/);
    expect(command.env.PGDATABASE).toBe("postgres");
  });

  it("mariadb: leaves out the system schemas", () => {
    const command = buildListDatabasesCommand(mariadb, "mariadb");
    expect(command.args.slice(0, 4)).toEqual([`--defaults-extra-file=${OPTION_FILE}`, "-N", "-B", "-e"]);
    expect(command.args[4]).toContain("NOT IN ('information_schema','performance_schema','sys','mysql')");
  });
});

describe("buildConnectionProbeCommand", () => {
  it("postgresql: SELECT 1 into the dump's database with its PG* settings, waiting 3 s for the server", () => {
    expect(buildConnectionProbeCommand(postgres, "psql")).toEqual({
      tool: "psql",
      args: ["--no-password", "-X", "-A", "-t", "-c", "SELECT 1"],
      env: { ...POSTGRES_ENV, PGCONNECT_TIMEOUT: "3" },
    });
  });

  it("mariadb: the dump's option file first, a 3 s connect timeout over the file's 10, the name after --", () => {
    expect(buildConnectionProbeCommand(mariadb, "mariadb")).toEqual({
      tool: "mariadb",
      args: [
        `--defaults-extra-file=${OPTION_FILE}`,
        "--connect-timeout=3",
        "-N",
        "-B",
        "-e",
        "SELECT 1",
        "--",
        "app",
      ],
      env: {},
    });
  });
});

describe("buildLoadCommand", () => {
  it("postgresql: one transaction that stops at the first error, into the target database", () => {
    expect(buildLoadCommand(postgres, "psql", "app_restored")).toMatchObject({
      args: ["--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"],
      env: { PGDATABASE: "app_restored", PGPASSWORD: PASSWORD },
    });
  });

  it("mariadb: the target after --", () => {
    expect(buildLoadCommand(mariadb, "mariadb", "app_restored").args).toEqual([
      `--defaults-extra-file=${OPTION_FILE}`,
      "--",
      "app_restored",
    ]);
  });

  it("sqlite: the target file, without -readonly", () => {
    expect(buildLoadCommand(sqlite, "sqlite3", "/srv/app/restored.db").args).toEqual([
      "-bail",
      "/srv/app/restored.db",
    ]);
  });
});

describe("buildServerQuery", () => {
  it("postgresql: the name travels as a psql variable, quoted by psql, never inside the SQL", () => {
    const name = `x'; DROP DATABASE app; --"`;
    const query = buildServerQuery(postgres, "psql", "create", name);
    expect(query.args).toContain(`name=${name}`);
    expect(query.stdin).toBe('CREATE DATABASE :"name";\n');
    expect(query.env.PGDATABASE).toBe("postgres");
    expect(buildServerQuery(postgres, "psql", "exists", name).stdin).toContain(":'name'");
    expect(buildServerQuery(postgres, "psql", "table-count", "shop").env.PGDATABASE).toBe("shop");
  });

  it("mariadb: the name escaped as a string literal and as an identifier", () => {
    const name = "it's `odd`\\";
    expect(buildServerQuery(mariadb, "mariadb", "exists", name).stdin).toBe(
      "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'it''s `odd`\\\\';\n",
    );
    expect(buildServerQuery(mariadb, "mariadb", "create", name).stdin).toBe(
      "CREATE DATABASE `it's ``odd``\\`;\n",
    );
    expect(buildServerQuery(mariadb, "mariadb", "create", name).args).toEqual([
      `--defaults-extra-file=${OPTION_FILE}`,
      "-N",
      "-B",
    ]);
  });
});

describe("ENGINE_TOOLS", () => {
  it("prefers each engine's own tool names, and names the Debian package", () => {
    expect(ENGINE_TOOLS.mariadb.dump).toEqual(["mariadb-dump", "mysqldump"]);
    expect(ENGINE_TOOLS.mysql.dump).toEqual(["mysqldump", "mariadb-dump"]);
    expect(ENGINE_TOOLS.postgresql).toEqual({
      dump: ["pg_dump"],
      client: ["psql"],
      debianPackage: "postgresql-client",
    });
    expect(ENGINE_TOOLS.sqlite.debianPackage).toBe("sqlite3");
  });
});
