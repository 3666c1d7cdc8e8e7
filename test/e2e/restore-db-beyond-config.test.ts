import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { argvLeaks } from "../support/process-argv.js";
import { simplebackup, simplebackupAsync, tempDir, write } from "./cli.js";
import { MariaDbServer } from "./servers/mariadb-server.js";
import { PostgresServer } from "./servers/postgres-server.js";

// restore-db where the config no longer serves: a database removed from the config (its snapshots
// remain), and a backup user that may only read, so the load logs in as another user. The snapshots
// are made by a real `simplebackup backup` as that read-only user; one repository and one server of
// each engine serve the whole file.

const temp = tempDir();
const root = temp.path;
const config = join(root, "backup_config.json");
const pg = new PostgresServer(join(root, "pg"));
const maria = new MariaDbServer(join(root, "maria"));
const liteFile = join(root, "notes.db");

const SECRETS = {
  READER_PG_PW: "reader-pg-secret-3f9a1c",
  READER_MARIA_PW: "reader-maria-secret-7be204",
  RESTORER_PG_PW: "restorer-pg-secret-c61d08",
  RESTORER_MARIA_PW: "restorer-maria-secret-94e5ab",
};
const cliEnv = { ...SECRETS };

/** The job as it was (every database) or after the legacy ones were removed from it. */
function writeConfig(withLegacy: boolean): void {
  const pgEntry = (name: string) => ({
    type: "postgresql",
    name,
    host: pg.host,
    port: pg.port,
    username: "reader",
    password_env: "READER_PG_PW",
    // A dump without owners loads as any user that may create tables (docs/databases.md, Restore).
    options: ["--no-owner"],
  });
  const mariaEntry = (name: string) => ({
    type: "mariadb",
    name,
    host: maria.host,
    port: maria.port,
    username: "reader",
    password_env: "READER_MARIA_PW",
  });
  write(config, {
    backupjobs: [
      {
        jobname: "Shop",
        destination: "./repo",
        password: "beyond-config-repo-pass",
        backup_interval: "0 2 * * *",
        databases: [
          pgEntry("orders"),
          ...(withLegacy
            ? [pgEntry("legacy"), mariaEntry("legacy"), { type: "sqlite", name: "notes", path: liteFile }]
            : []),
          mariaEntry("wiki"),
        ],
      },
    ],
  });
}

function sqlite(file: string, sql: string): string {
  const result = spawnSync("sqlite3", ["-bail", file], { input: sql, encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

function run(args: string[], env: NodeJS.ProcessEnv = cliEnv) {
  return simplebackup([...args, "--config", config], { env });
}

const before: Record<string, Record<string, string>> = {};

beforeAll(async () => {
  await Promise.all([pg.start(), maria.start()]);
  await pg.psql(
    `CREATE ROLE reader LOGIN PASSWORD '${SECRETS.READER_PG_PW}';
     GRANT pg_read_all_data TO reader;
     CREATE ROLE restorer LOGIN CREATEDB PASSWORD '${SECRETS.RESTORER_PG_PW}';`,
  );
  for (const name of ["orders", "legacy"]) await pg.createDatabase(name);
  await pg.psql(
    `CREATE TABLE orders (id int PRIMARY KEY, item text, qty int);
     INSERT INTO orders SELECT g, 'item ' || g, g % 9 FROM generate_series(1, 300) g;`,
    { database: "orders" },
  );
  await pg.psql(
    `CREATE TABLE customers (id int PRIMARY KEY, name text);
     INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 200) g;
     CREATE TABLE notes (customer int REFERENCES customers, body text);
     INSERT INTO notes VALUES (1, 'first'), (2, 'it''s quoted');`,
    { database: "legacy" },
  );
  const account = (user: string) => ["127.0.0.1", "localhost"].map((host) => `'${user}'@'${host}'`);
  await maria.sql(
    [
      ...account("reader").flatMap((who) => [
        `CREATE USER ${who} IDENTIFIED BY '${SECRETS.READER_MARIA_PW}';`,
        `GRANT SELECT, SHOW VIEW, TRIGGER ON *.* TO ${who};`,
      ]),
      ...account("restorer").flatMap((who) => [
        `CREATE USER ${who} IDENTIFIED BY '${SECRETS.RESTORER_MARIA_PW}';`,
        `GRANT CREATE, DROP, ALTER, INDEX, SELECT, INSERT, UPDATE, DELETE, LOCK TABLES, REFERENCES, CREATE VIEW, TRIGGER ON *.* TO ${who};`,
      ]),
      "CREATE DATABASE legacy;",
      "USE legacy;", // the seq_1_to_N tables are found in the current database
      "CREATE TABLE legacy.pages (id int PRIMARY KEY, title varchar(60)) ENGINE=InnoDB;",
      "INSERT INTO legacy.pages SELECT seq, CONCAT('page ', seq) FROM seq_1_to_150;",
      "CREATE DATABASE wiki;",
      "USE wiki;",
      "CREATE TABLE wiki.pages (id int PRIMARY KEY, title varchar(60), body text) ENGINE=InnoDB;",
      "INSERT INTO wiki.pages SELECT seq, CONCAT('wiki ', seq), REPEAT('x', seq) FROM seq_1_to_250;",
    ].join("\n"),
  );
  sqlite(liteFile, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('kept'), ('also kept');");
  before.pgOrders = await pg.tableChecksums("orders");
  before.pgLegacy = await pg.tableChecksums("legacy");
  before.mariaLegacy = await maria.tableChecksums("legacy");
  before.mariaWiki = await maria.tableChecksums("wiki");

  writeConfig(true);
  const backup = run(["backup", "Shop"]);
  expect(backup.status, backup.stdout + backup.stderr).toBe(0);

  // Last month: the legacy databases left the config, then their servers.
  writeConfig(false);
  await pg.psql("DROP DATABASE legacy;");
  await maria.sql("DROP DATABASE legacy;");
  rmSync(liteFile);
}, 180_000);

afterAll(async () => {
  await Promise.all([pg.stop(), maria.stop()]);
  temp.dispose();
});

describe("restore-db, a database removed from the config", () => {
  it("writes its dump with --to-file, by the type its snapshots' tag names, and it loads by hand", async () => {
    const ambiguous = run(["restore-db", "Shop", "--database", "legacy", "--to-file", join(root, "x.sql")]);
    expect(ambiguous.status).toBe(1);
    expect(ambiguous.stderr).toMatch(
      /DATABASE_NOT_FOUND.*"legacy" names 2 databases of job "Shop"; say which as mariadb:legacy or postgresql:legacy/,
    );

    const pgFile = join(root, "legacy-pg.sql");
    const pgOut = run(["restore-db", "Shop", "--database", "postgresql:legacy", "--to-file", pgFile]);
    expect(pgOut.status, pgOut.stderr).toBe(0);
    expect(pgOut.stdout).toMatch(/restored database postgresql:legacy from snapshot \w{8}: .* written to/);
    expect(statSync(pgFile).mode & 0o777).toBe(0o600);
    await pg.createDatabase("legacy_back");
    await pg.psql(readFileSync(pgFile, "utf8"), { database: "legacy_back" });
    expect(await pg.tableChecksums("legacy_back")).toEqual(before.pgLegacy);

    const mariaFile = join(root, "legacy-maria.sql");
    const mariaOut = run(["restore-db", "Shop", "--database", "mariadb:legacy", "--to-file", mariaFile]);
    expect(mariaOut.status, mariaOut.stderr).toBe(0);
    expect(statSync(mariaFile).mode & 0o777).toBe(0o600);
    await maria.createDatabase("legacy_back");
    await maria.sql(readFileSync(mariaFile, "utf8"), { database: "legacy_back" });
    expect(await maria.tableChecksums("legacy_back")).toEqual(before.mariaLegacy);
  });

  it("refuses to load it into a server, naming --to-file and the config as the fixes", () => {
    const refused = run(["restore-db", "Shop", "--database", "postgresql:legacy", "--into", "legacy_new"]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(
      /DATABASE_NOT_CONFIGURED.*postgresql:legacy is no longer in job "Shop"'s config.*--to-file FILE.*psql .*add the database back/,
    );
    expect(refused.stdout).toBe("");
  });

  it("loads a removed SQLite database only into a file named with --into, and never with --login", () => {
    const nowhere = run(["restore-db", "Shop", "--database", "notes"]);
    expect(nowhere.status).toBe(1);
    expect(nowhere.stderr).toMatch(
      /DATABASE_NOT_CONFIGURED.*nothing says where its file was; name the file to load into with --into FILE/,
    );

    const file = join(root, "notes-back.db");
    const loaded = run(["restore-db", "Shop", "--database", "notes", "--into", file]);
    expect(loaded.status, loaded.stderr).toBe(0);
    expect(sqlite(file, "SELECT group_concat(body, '|') FROM notes;")).toBe("kept|also kept");

    const login = run([
      "restore-db",
      "Shop",
      "--database",
      "notes",
      "--into",
      join(root, "other.db"),
      "--login",
      "restorer",
      "--password-env",
      "RESTORER_PG_PW",
    ]);
    expect(login.status).toBe(1);
    expect(login.stderr).toMatch(/DATABASE_LOGIN_UNSUPPORTED.*SQLite file, which has no login/);
  });

  it("lists the databases that have snapshots when the name is unknown", () => {
    const unknown = run(["restore-db", "Shop", "--database", "ledger"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(
      /no database "ledger"; its databases: postgresql:orders, mariadb:wiki; its snapshots also hold mariadb:legacy, postgresql:legacy, sqlite:notes, no longer in its config/,
    );
  });
});

describe("restore-db --login", () => {
  it("loads as another user when the entry's own may only read, with no password on any argv", async () => {
    const readOnly = run(["restore-db", "Shop", "--database", "orders", "--into", "orders_ro"]);
    expect(readOnly.status).toBe(1);
    expect(readOnly.stderr).toMatch(/DATABASE_LOAD_FAILED.*permission denied to create database/);

    const env = { ...cliEnv };
    const watched = await argvLeaks(Object.values(SECRETS), async () => {
      const login = ["--login", "restorer", "--config", config];
      const pgRun = await simplebackupAsync(
        [
          "restore-db",
          "Shop",
          "--database",
          "orders",
          "--into",
          "orders_copy",
          ...login,
          "--password-env",
          "RESTORER_PG_PW",
        ],
        env,
      ).done;
      const mariaRun = await simplebackupAsync(
        [
          "restore-db",
          "Shop",
          "--database",
          "wiki",
          "--into",
          "wiki_copy",
          ...login,
          "--password-env",
          "RESTORER_MARIA_PW",
        ],
        env,
      ).done;
      return { pgRun, mariaRun };
    });
    const { pgRun, mariaRun } = watched.result;
    expect(pgRun.status, pgRun.stderr).toBe(0);
    expect(pgRun.stdout).toMatch(/loading with psql as restorer/);
    expect(mariaRun.status, mariaRun.stderr).toBe(0);
    expect(mariaRun.stdout).toMatch(/loading with (mariadb|mysql) as restorer/);
    // The watch saw the restore's processes: restic and both clients.
    for (const program of ["restic", "psql", "mariadb"]) expect(watched.programs).toContain(program);
    expect(watched.leaks).toEqual([]);
    for (const secret of Object.values(SECRETS)) {
      expect(pgRun.stdout + pgRun.stderr + mariaRun.stdout + mariaRun.stderr).not.toContain(secret);
    }

    expect(await pg.tableChecksums("orders_copy")).toEqual(before.pgOrders);
    expect(
      await pg.psql("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public';", {
        database: "orders_copy",
      }),
    ).toBe("restorer");
    expect(await maria.tableChecksums("wiki_copy")).toEqual(before.mariaWiki);
  });

  it.each([
    [["--login", "restorer"], /--login restorer needs --password-env VAR/],
    [["--password-env", "RESTORER_PG_PW"], /--password-env goes with --login USER/],
    [
      ["--login", "restorer", "--password-env", "NOT_SET_ANYWHERE"],
      /NOT_SET_ANYWHERE: that environment variable is unset or empty/,
    ],
    [
      ["--login", "restorer", "--password-env", "RESTORER_PG_PW", "--to-file", "x.sql"],
      /--to-file writes a file and logs in nowhere/,
    ],
    [["--type", "postgresql"], /unknown flag --type/],
  ])("refuses %j with exit 2 before anything runs", (flags, message) => {
    const result = run(["restore-db", "Shop", "--database", "orders", ...flags]);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toContain(SECRETS.RESTORER_PG_PW);
  });
});
