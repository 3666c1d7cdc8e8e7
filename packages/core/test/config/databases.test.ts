import path from "node:path";
import { describe, expect, it } from "vitest";
import { databaseLabel, databaseProblems, toDatabases } from "../../src/config/databases.js";
import { resolveConfig } from "../../src/config/load.js";
import { ConfigError, type ConfigProblem } from "../../src/errors.js";
import { configJob } from "../helpers/job.js";

const baseDir = path.resolve("/configs");
const homedir = path.resolve("/home/me");
const JOB = 'backupjobs[0] ("Docs")';
const PG = { type: "postgresql", name: "app", host: "db.example.com" };

function problemsOfJob(overrides: Record<string, unknown>): readonly ConfigProblem[] {
  try {
    resolveConfig({ backupjobs: [configJob(overrides)] }, { baseDir, homedir });
  } catch (error) {
    if (error instanceof ConfigError && error.code === "CONFIG_INVALID") return error.problems;
    throw error;
  }
  throw new Error("expected the config to be rejected");
}

const problemsOfDatabases = (...databases: unknown[]) => problemsOfJob({ databases });

function jobOf(overrides: Record<string, unknown>) {
  const [job] = resolveConfig({ backupjobs: [configJob(overrides)] }, { baseDir, homedir }).jobs;
  if (job === undefined) throw new Error("no job");
  return job;
}

describe("a job's sources and databases", () => {
  it.each<[string, Record<string, unknown>]>([
    ["databases and no sources", { sources: undefined, databases: [PG] }],
    ["databases and empty sources", { sources: [], databases: [PG] }],
    ["sources and databases", { databases: [PG] }],
    ["sources and an empty databases list", { databases: [] }],
  ])("accepts %s", (_, overrides) => {
    expect(() => jobOf(overrides)).not.toThrow();
  });

  it("reads a job of databases only as one with no sources", () => {
    expect(jobOf({ sources: undefined, databases: [PG] }).sources).toEqual([]);
  });

  it("asks for sources or databases when the job has neither", () => {
    const fix = ' (a job that backs up only databases lists them in "databases" instead)';
    expect(problemsOfJob({ sources: undefined })).toEqual([
      {
        path: `${JOB}.sources`,
        message: `missing; expected a non-empty array of file or folder paths${fix}`,
      },
    ]);
    expect(problemsOfJob({ sources: [], databases: [] })).toEqual([
      {
        path: `${JOB}.sources`,
        message: `expected a non-empty array of file or folder paths, got an empty array${fix}`,
      },
    ]);
  });

  it("leaves a sources value of the wrong type to the schema's message", () => {
    expect(problemsOfJob({ sources: "./docs", databases: [PG] })).toEqual([
      { path: `${JOB}.sources`, message: 'expected a non-empty array of file or folder paths, got "./docs"' },
    ]);
  });
});

describe("databaseProblems", () => {
  const place = (index: number, key?: string) => `${JOB}.databases[${index}]${key ? `.${key}` : ""}`;

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "two passwords",
      { ...PG, password: "pw", password_env: "APP_DB_PASSWORD" },
      place(0),
      "set at most one of password, password_file, password_env (found: password, password_env)",
    ],
    [
      "all three passwords",
      { ...PG, password: "pw", password_file: "pw.txt", password_env: "APP_DB_PASSWORD" },
      place(0),
      "set at most one of password, password_file, password_env (found: password, password_file, password_env)",
    ],
    [
      "a server database without a name",
      { type: "mariadb", host: "db.example.com" },
      place(0, "name"),
      'missing; expected the database name, or "all" for every database of the server',
    ],
    [
      "a path on a server database",
      { ...PG, path: "/srv/app.db" },
      place(0, "path"),
      "path is for type sqlite; a postgresql database is reached by host, port or socket",
    ],
    [
      "host and socket",
      { ...PG, socket: "/var/run/postgresql" },
      place(0, "socket"),
      "set host or socket, not both: a server is reached by one of them (remove host to use the socket)",
    ],
    [
      "a SQLite database without a path",
      { type: "sqlite", name: "app" },
      place(0, "path"),
      "missing; expected the path of the SQLite file",
    ],
    [
      "a SQLite database named all",
      { type: "sqlite", name: "all", path: "/srv/app.db" },
      place(0, "name"),
      '"all" is for a server; a SQLite database is one file: list each file as its own entry',
    ],
    [
      "a pg_dump -W",
      { ...PG, options: ["--no-owner", "-W"] },
      place(0, "options"),
      '"-W" would put a password on the command line (or wait for one to be typed): use password, password_file or password_env',
    ],
    [
      "a --password=… in an options string",
      { ...PG, options: "--no-owner --password=hunter2" },
      place(0, "options"),
      '"--password=…" would put a password on the command line (or wait for one to be typed): use password, password_file or password_env',
    ],
    [
      "a MariaDB -p…",
      { type: "mariadb", name: "app", options: ["-phunter2"] },
      place(0, "options"),
      '"-p…" would put a password on the command line (or wait for one to be typed): use password, password_file or password_env',
    ],
    [
      "a MySQL --password",
      { type: "mysql", name: "app", options: ["--password"] },
      place(0, "options"),
      '"--password" would put a password on the command line (or wait for one to be typed): use password, password_file or password_env',
    ],
  ])("reports %s", (_, database, at, message) => {
    expect(problemsOfDatabases(database)).toEqual([{ path: at, message }]);
  });

  it.each(["host", "port", "socket", "username", "password", "password_file", "password_env"])(
    "reports %s on a SQLite database, which is a file",
    (key) => {
      const value = key === "port" ? 5432 : "x";
      expect(problemsOfDatabases({ type: "sqlite", path: "/srv/app.db", [key]: value })).toEqual([
        { path: place(0, key), message: "a SQLite database is a file: remove this key" },
      ]);
    },
  );

  it("keeps pg_dump's -p, the port, and MariaDB's --port", () => {
    expect(() =>
      jobOf({
        databases: [
          { ...PG, options: ["-p", "5433"] },
          { type: "mariadb", name: "app", options: "--port=3307 --skip-lock-tables" },
        ],
      }),
    ).not.toThrow();
  });

  it("reports a database listed twice, naming the first", () => {
    expect(
      problemsOfDatabases(PG, { type: "sqlite", path: "/srv/app.db" }, { ...PG, host: "other" }),
    ).toEqual([
      {
        path: place(2, "name"),
        message:
          "postgresql:app is already listed as databases[0]; each database is one retention series in a job, so list it once (a second server with the same database name goes in a job of its own)",
      },
    ]);
  });

  it("tells two databases of one name on different engines apart", () => {
    expect(() => jobOf({ databases: [PG, { type: "mariadb", name: "app" }] })).not.toThrow();
  });

  it("reports two SQLite files named alike by their file names, which would share one series", () => {
    expect(
      problemsOfDatabases(
        { type: "sqlite", path: "/srv/a/data.db" },
        { type: "sqlite", path: "/srv/b/data.sqlite" },
      ),
    ).toEqual([
      {
        path: place(1, "name"),
        message:
          "sqlite:data is already listed as databases[0]; each database is one retention series in a job, so give one of the files a name of its own",
      },
    ]);
    expect(() =>
      jobOf({
        databases: [
          { type: "sqlite", path: "/srv/a/data.db" },
          { type: "sqlite", name: "b-data", path: "/srv/b/data.db" },
        ],
      }),
    ).not.toThrow();
  });

  it("reports every problem of every database, in the file's order (a missing key last)", () => {
    expect(
      problemsOfDatabases(
        { type: "sqlite", name: "all" },
        { type: "mysql", path: "/x.db", password: "a", password_env: "B" },
      ),
    ).toEqual([
      {
        path: place(0, "name"),
        message: '"all" is for a server; a SQLite database is one file: list each file as its own entry',
      },
      { path: place(0, "path"), message: "missing; expected the path of the SQLite file" },
      {
        path: place(1),
        message: "set at most one of password, password_file, password_env (found: password, password_env)",
      },
      {
        path: place(1, "path"),
        message: "path is for type sqlite; a mysql database is reached by host, port or socket",
      },
      {
        path: place(1, "name"),
        message: 'missing; expected the database name, or "all" for every database of the server',
      },
    ]);
  });

  it("leaves entries that are no objects, and keys of the wrong type, to the schema", () => {
    expect(databaseProblems({ sources: ["/a"], databases: [7, null, "pg"] }, 0)).toEqual([]);
    expect(databaseProblems({ sources: ["/a"], databases: [{ type: 5, name: 5 }] }, 0)).toEqual([]);
    expect(databaseProblems({ sources: ["/a"], databases: "pg" }, 0)).toEqual([]);
  });

  it("reports the schema's problems with the database's place", () => {
    expect(problemsOfDatabases({ type: "oracle", name: "app" })).toEqual([
      {
        path: place(0, "type"),
        message: expect.stringContaining('"postgresql", "mariadb", "mysql" or "sqlite"'),
      },
    ]);
    expect(problemsOfDatabases({ ...PG, port: 70000 })).toEqual([
      { path: place(0, "port"), message: expect.stringContaining("a port number from 1 to 65535") },
    ]);
    expect(problemsOfDatabases({ ...PG, pasword: "x" })).toEqual([
      { path: place(0, "pasword"), message: "unknown key; did you mean `password`?" },
    ]);
  });
});

describe("toDatabases", () => {
  const resolve = (p: string) =>
    p.startsWith("~/") ? path.join(homedir, p.slice(2)) : path.resolve(baseDir, p);
  const one = (input: Parameters<typeof toDatabases>[0]) => toDatabases(input, resolve)[0];

  it("reads no databases as none", () => {
    expect(toDatabases(undefined, resolve)).toEqual([]);
    expect(jobOf({}).databases).toEqual([]);
  });

  it("keeps a server's connection keys and leaves out the ones not given", () => {
    expect(
      one([{ type: "postgresql", name: "app", host: "db.example.com", port: 5433, username: "backup" }]),
    ).toEqual({
      type: "postgresql",
      name: "app",
      host: "db.example.com",
      port: 5433,
      username: "backup",
      password: undefined,
      options: [],
    });
    const bare = one([{ type: "mariadb", name: "all" }]);
    expect(Object.keys(bare ?? {}).sort()).toEqual(["name", "options", "password", "type"]);
  });

  it.each<[string, Record<string, string>, unknown]>([
    ["password", { password: "s3cret" }, { kind: "literal", value: "s3cret" }],
    [
      "password_file relative",
      { password_file: "secrets/db.pass" },
      { kind: "file", path: path.join(baseDir, "secrets/db.pass") },
    ],
    [
      "password_file under ~",
      { password_file: "~/.db.pass" },
      { kind: "file", path: path.join(homedir, ".db.pass") },
    ],
    ["password_env", { password_env: "APP_DB_PASSWORD" }, { kind: "env", variable: "APP_DB_PASSWORD" }],
  ])("reads %s as its password source", (_, keys, password) => {
    expect(one([{ type: "postgresql", name: "app", ...keys }])?.password).toEqual(password);
    expect(
      jobOf({ databases: [{ type: "postgresql", name: "app", ...keys }] }).databases[0]?.password,
    ).toEqual(password);
  });

  it.each<[unknown, string[]]>([
    ["--no-owner", ["--no-owner"]],
    [
      "  --no-owner   --no-privileges\t--schema=public ",
      ["--no-owner", "--no-privileges", "--schema=public"],
    ],
    ["", []],
    [
      ["--no-owner", "--exclude-table=audit log"],
      ["--no-owner", "--exclude-table=audit log"],
    ],
    [[], []],
    [undefined, []],
  ])("splits the options %j into %j", (options, flags) => {
    expect(one([{ type: "postgresql", name: "app", options } as never])?.options).toEqual(flags);
  });

  it("resolves a socket and a SQLite path against the config file's folder, and ~", () => {
    expect(one([{ type: "mariadb", name: "app", socket: "run/mysqld.sock" }])?.socket).toBe(
      path.join(baseDir, "run/mysqld.sock"),
    );
    expect(one([{ type: "sqlite", path: "~/app/notes.sqlite3" }])).toMatchObject({
      path: path.join(homedir, "app/notes.sqlite3"),
      name: "notes",
    });
  });

  it.each([
    ["/srv/app/data.db", "data"],
    ["/srv/app/data.backup.db", "data.backup"],
    ["/srv/app/.hidden", ".hidden"],
    ["/srv/app/plain", "plain"],
  ])("names a SQLite file %s without a name %s", (file, name) => {
    expect(one([{ type: "sqlite", path: file }])?.name).toBe(name);
  });

  it("keeps a SQLite database's own name over its file's", () => {
    expect(one([{ type: "sqlite", name: "notes", path: "/srv/app/data.db" }])?.name).toBe("notes");
  });

  it("labels a database by its type and name", () => {
    expect(databaseLabel({ type: "postgresql", name: "app" })).toBe("postgresql:app");
  });
});
