import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseSpec } from "../../packages/core/src/config/types.js";
import { openConnection } from "../../packages/core/src/databases/connection.js";
import { buildDatabaseBackupArgs } from "../../packages/core/src/databases/database-series.js";
import { buildDumpCommand } from "../../packages/core/src/databases/engines.js";
import { simplebackup, tempDir, write } from "./cli.js";
import { MariaDbServer } from "./servers/mariadb-server.js";
import { PostgresServer } from "./servers/postgres-server.js";

// restore-db through the CLI against real servers and real restic: each database's snapshot is made
// by hand the way a run makes it (the dump tool piped into `restic backup --stdin` with the same tags
// and file name), then the data is changed and restored, and table checksums compare before and after.

const PASSWORD = "restore-db-secret-81c3";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const temp = tempDir();
const root = temp.path;
const config = join(root, "backup_config.json");
const repository = join(root, "repo");
const pg = new PostgresServer(join(root, "pg"));
const maria = new MariaDbServer(join(root, "maria"));
const liteFile = join(root, "data", "app.db");

const resticEnv = { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD };

const pgDatabase = (name: string): DatabaseSpec => ({
  type: "postgresql",
  name,
  host: pg.host,
  port: pg.port,
  username: pg.user,
  password: { kind: "env", variable: "RESTORE_DB_PG_PASSWORD" },
  options: [],
});
const mariaDatabase = (): DatabaseSpec => ({
  type: "mariadb",
  name: "shop",
  host: maria.host,
  port: maria.port,
  username: maria.user,
  password: { kind: "literal", value: maria.password },
  options: [],
});
const liteDatabase = (): DatabaseSpec => ({
  type: "sqlite",
  name: "app",
  path: liteFile,
  password: undefined,
  options: [],
});

/** The config's form of a database spec. */
function configEntry(database: DatabaseSpec): Record<string, unknown> {
  const { password, options: _options, ...rest } = database;
  if (password?.kind === "env") return { ...rest, password_env: password.variable };
  if (password?.kind === "literal") return { ...rest, password: password.value };
  return rest;
}

const cliEnv = { RESTORE_DB_PG_PASSWORD: pg.password };

function run(args: string[]) {
  return simplebackup([...args, "--config", config], { env: cliEnv });
}

/** A snapshot of one database as a run makes it: its dump tool piped into `restic backup --stdin`. */
async function snapshotDatabase(
  job: string,
  database: DatabaseSpec,
  dumpName = database.name,
): Promise<string> {
  const tool = { postgresql: "pg_dump", mariadb: "mariadb-dump", mysql: "mysqldump", sqlite: "sqlite3" }[
    database.type
  ] as "pg_dump";
  const opened = await openConnection({ ...database, name: dumpName }, { ...process.env, ...cliEnv });
  try {
    const dump = buildDumpCommand(opened.connection, tool);
    const args = [
      ...buildDatabaseBackupArgs({ name: job, tags: [] }, { ...database, name: dumpName }),
      "--stdin",
    ];
    return await pipeIntoRestic(tool, dump.args, { ...process.env, ...cliEnv, ...dump.env }, args);
  } finally {
    await opened.dispose();
  }
}

/** Any input as a database's snapshot (a dump that will not load). */
function snapshotText(job: string, database: DatabaseSpec, text: string): Promise<string> {
  const args = [...buildDatabaseBackupArgs({ name: job, tags: [] }, database), "--stdin"];
  return pipeIntoRestic("printf", ["%s", text], process.env, args);
}

function pipeIntoRestic(
  program: string,
  programArgs: readonly string[],
  env: NodeJS.ProcessEnv,
  resticArgs: readonly string[],
): Promise<string> {
  return new Promise((resolve, reject) => {
    const source = spawn(program, programArgs, { env, stdio: ["ignore", "pipe", "inherit"] });
    const restic = spawn(RESTIC, resticArgs, { env: resticEnv, stdio: ["pipe", "pipe", "pipe"] });
    source.stdout.pipe(restic.stdin);
    let out = "";
    let err = "";
    restic.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
    });
    restic.stderr.on("data", (chunk: Buffer) => {
      err += chunk;
    });
    restic.on("close", (code) => {
      const summary = out
        .split("\n")
        .map((line) => (line.startsWith("{") ? (JSON.parse(line) as Record<string, unknown>) : {}))
        .find((message) => message.message_type === "summary");
      if (code === 0 && typeof summary?.snapshot_id === "string") resolve(summary.snapshot_id);
      else reject(new Error(`restic backup --stdin exited ${code}: ${err}`));
    });
  });
}

function sqlite(file: string, sql: string): string {
  const result = spawnSync("sqlite3", ["-bail", file], { input: sql, encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim();
}

const snapshots: Record<string, string> = {};

beforeAll(async () => {
  await Promise.all([pg.start(), maria.start()]);
  write(config, {
    backupjobs: [
      {
        jobname: "Pg",
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
        databases: [configEntry(pgDatabase("shop")), configEntry(pgDatabase("crm"))],
      },
      {
        jobname: "PgAll",
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
        databases: [configEntry(pgDatabase("all"))],
      },
      {
        jobname: "Maria",
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
        databases: [configEntry(mariaDatabase())],
      },
      {
        jobname: "Lite",
        destination: "./repo",
        password: PASSWORD,
        backup_interval: "0 2 * * *",
        databases: [configEntry(liteDatabase())],
      },
    ],
  });
  const init = spawnSync(RESTIC, ["init"], { env: resticEnv, encoding: "utf8" });
  expect(init.status, init.stderr).toBe(0);

  await pg.createDatabase("shop");
  await pg.psql(
    `CREATE TABLE items (id int PRIMARY KEY, name text, note text);
     INSERT INTO items SELECT g, 'item ' || g, NULL FROM generate_series(1, 500) g;
     CREATE TABLE orders (id serial PRIMARY KEY, item int REFERENCES items, qty int);
     INSERT INTO orders (item, qty) SELECT g, g % 7 FROM generate_series(1, 300) g;`,
    { database: "shop" },
  );
  await pg.createDatabase("crm");
  await pg.psql("CREATE TABLE people (id int, name text); INSERT INTO people VALUES (1, 'Ada');", {
    database: "crm",
  });
  await maria.createDatabase("shop");
  await maria.sql(
    `CREATE TABLE items (id int PRIMARY KEY, name varchar(40), note text) ENGINE=InnoDB;
     INSERT INTO items SELECT seq, CONCAT('item ', seq), NULL FROM seq_1_to_500;`,
    { database: "shop" },
  );
  write(join(root, "data", ".keep"), "");
  sqlite(
    liteFile,
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('one'), ('two');",
  );

  snapshots.pgShop = await snapshotDatabase("Pg", pgDatabase("shop"));
  snapshots.pgCrm = await snapshotDatabase("Pg", pgDatabase("crm"));
  snapshots.pgAllCrm = await snapshotDatabase("PgAll", pgDatabase("all"), "crm");
  snapshots.maria = await snapshotDatabase("Maria", mariaDatabase());
  snapshots.lite = await snapshotDatabase("Lite", liteDatabase());
}, 180_000);

afterAll(async () => {
  await Promise.all([pg.stop(), maria.stop()]);
  temp.dispose();
});

describe("restore-db, PostgreSQL", () => {
  it("refuses a database that holds tables without --force, then loads over it with --force", async () => {
    const before = await pg.tableChecksums("shop");
    await pg.psql("UPDATE items SET note = 'changed' WHERE id < 50; DROP TABLE orders;", {
      database: "shop",
    });
    expect(await pg.tableChecksums("shop")).not.toEqual(before);

    const refused = run(["restore-db", "Pg", "--database", "shop"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/TARGET_NOT_EMPTY.*database "shop".*not empty.*--into NAME.*--force/);
    expect(refused.stderr).not.toMatch(/\n\s+at /); // no stack trace

    const forced = run(["restore-db", "Pg", "--database", "shop", "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toContain(`snapshot ${snapshots.pgShop?.slice(0, 8)}`);
    expect(forced.stdout).toMatch(
      /restored database postgresql:shop from snapshot \w{8}: .* loaded into database "shop"/,
    );
    expect(await pg.tableChecksums("shop")).toEqual(before);
  });

  it("restores into a new database with --into, and says so in --json", async () => {
    const result = run([
      "restore-db",
      "Pg",
      "--database",
      "postgresql:shop",
      "--into",
      "shop_copy",
      "--json",
    ]);
    expect(result.status, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(parsed).toMatchObject({
      job: "Pg",
      database: { type: "postgresql", name: "shop" },
      target: { kind: "database", name: "shop_copy", created: true },
    });
    expect(parsed.bytes).toBeGreaterThan(10_000);
    expect(await pg.tableChecksums("shop_copy")).toEqual(await pg.tableChecksums("shop"));
  });

  it("restores one database of a job that dumps all, by its real name", async () => {
    const result = run(["restore-db", "PgAll", "--database", "crm", "--into", "crm_copy"]);
    expect(result.status, result.stderr).toBe(0);
    expect(await pg.tableChecksums("crm_copy")).toEqual(await pg.tableChecksums("crm"));
  });

  it("writes the dump to a new 0600 file with --to-file, and never over a file", () => {
    const file = join(root, "shop.sql");
    const result = run(["restore-db", "Pg", "--database", "shop", "--to-file", file]);
    expect(result.status, result.stderr).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, "utf8")).toMatch(/CREATE TABLE public\.items/);

    const again = run(["restore-db", "Pg", "--database", "shop", "--to-file", file]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toMatch(/FILE_EXISTS.*shop\.sql exists/);
  });

  it("names the job's databases when --database is wrong or missing", () => {
    const wrong = run(["restore-db", "Pg", "--database", "shopp"]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toMatch(/no database "shopp".*postgresql:shop, postgresql:crm/);

    const missing = run(["restore-db", "Pg"]);
    expect(missing.status).not.toBe(0);
    expect(missing.stderr).toMatch(/2 databases; name one with --database/);
  });

  it("refuses a snapshot of another database", () => {
    const result = run(["restore-db", "Pg", "--database", "shop", "--snapshot", snapshots.pgCrm as string]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /SNAPSHOT_NOT_FOUND.*is not a snapshot of database postgresql:shop.*database postgresql:crm/,
    );
  });

  it("reports a dump that does not load, and drops the database it created", async () => {
    const id = await snapshotText("Pg", pgDatabase("crm"), "CREATE TABLE fine (id int);\nNOT SQL AT ALL;\n");
    const result = run(["restore-db", "Pg", "--database", "crm", "--snapshot", id, "--into", "crm_broken"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /DATABASE_LOAD_FAILED.*psql failed loading the dump \(exit 3\).*syntax error.*"crm_broken" was dropped again/,
    );
    expect(result.stderr).not.toContain(pg.password);
    expect(await pg.psql("SELECT count(*) FROM pg_database WHERE datname = 'crm_broken';")).toBe("0");
  });
});

describe("restore-db, MariaDB", () => {
  it("round-trips a database with --force and --into", async () => {
    const before = await maria.tableChecksums("shop");
    await maria.sql("UPDATE items SET note = 'changed' WHERE id < 50; DELETE FROM items WHERE id > 400;", {
      database: "shop",
    });
    const refused = run(["restore-db", "Maria"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/TARGET_NOT_EMPTY/);

    const forced = run(["restore-db", "Maria", "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(await maria.tableChecksums("shop")).toEqual(before);

    const copied = run(["restore-db", "Maria", "--into", "shop_copy"]);
    expect(copied.status, copied.stderr).toBe(0);
    expect(await maria.tableChecksums("shop_copy")).toEqual(before);
  });
});

describe("restore-db, SQLite", () => {
  it("swaps the restored file in whole and keeps the old one as .before-restore", () => {
    const before = sqlite(liteFile, "SELECT group_concat(body) FROM notes;");
    sqlite(liteFile, "DELETE FROM notes; INSERT INTO notes (body) VALUES ('changed');");

    const refused = run(["restore-db", "Lite"]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/TARGET_NOT_EMPTY.*app\.db is not empty.*--force/);

    const forced = run(["restore-db", "Lite", "--force"]);
    expect(forced.status, forced.stderr).toBe(0);
    expect(sqlite(liteFile, "SELECT group_concat(body) FROM notes;")).toBe(before);
    expect(sqlite(`${liteFile}.before-restore`, "SELECT group_concat(body) FROM notes;")).toBe("changed");

    const copy = join(root, "data", "copy.db");
    const copied = run(["restore-db", "Lite", "--into", copy]);
    expect(copied.status, copied.stderr).toBe(0);
    expect(sqlite(copy, "SELECT group_concat(body) FROM notes;")).toBe(before);
  });

  it("leaves the file as it was when the dump does not load", async () => {
    const file = join(root, "data", "kept.db");
    sqlite(file, "CREATE TABLE t (x); INSERT INTO t VALUES (42);");
    const id = await snapshotText("Lite", liteDatabase(), "CREATE TABLE ok (x);\nNOT SQL;\n");
    const result = run(["restore-db", "Lite", "--snapshot", id, "--into", file, "--force"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(
      /DATABASE_LOAD_FAILED.*sqlite3 failed loading the dump.*kept\.db is unchanged/,
    );
    expect(sqlite(file, "SELECT x FROM t;")).toBe("42");
    expect(existsSync(`${file}.before-restore`)).toBe(false);
  });
});

describe("drill with databases", () => {
  const scratchDatabases = async () => ({
    pg: await pg.psql("SELECT count(*) FROM pg_database WHERE datname LIKE 'simplebackup_drill_%';"),
    maria: await maria.sql(
      "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name LIKE 'simplebackup_drill_%';",
    ),
  });

  it("loads each database's latest dump into a scratch database and drops it", async () => {
    const result = run(["drill", "Maria", "--json"]);
    expect(result.status, result.stderr).toBe(0);
    const drill = JSON.parse(result.stdout) as { ok: boolean; snapshot: unknown; databases: unknown[] };
    expect(drill.ok).toBe(true);
    expect(drill.snapshot).toBeUndefined(); // a job of databases only drills no files
    expect(drill.databases).toEqual([
      expect.objectContaining({
        database: { type: "mariadb", name: "shop" },
        ok: true,
        tables: 1,
        cleanedUp: true,
        scratch: expect.stringMatching(/^simplebackup_drill_[0-9a-f]{8}$/),
      }),
    ]);
    const all = run(["drill", "PgAll"]);
    expect(all.status, all.stderr).toBe(0);
    expect(all.stdout).toMatch(
      /database postgresql:crm \(snapshot \w{8}, .*\): loaded into a scratch database, 1 table/,
    );
    expect(await scratchDatabases()).toEqual({ pg: "0", maria: "0" });
  });

  it("fails when a dump does not load, names it, and still drops the scratch database", async () => {
    // The latest crm and Lite snapshots are the dumps that do not load, made by the tests above.
    const result = run(["drill", "Pg"]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /database postgresql:shop \(snapshot \w{8}, .*\): loaded into a scratch database, \d+ tables/,
    );
    expect(result.stdout).toMatch(
      /database postgresql:crm .*: FAILED: psql could not load the dump \(exit 3\).*syntax error/,
    );
    expect(result.stdout).toMatch(/drill FAILED: 1 of 2 databases loaded/);
    const lite = run(["drill", "Lite", "--json"]);
    expect(lite.status).toBe(1);
    expect(JSON.parse(lite.stdout).databases[0]).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/sqlite3 could not load/),
    });
    expect(await scratchDatabases()).toEqual({ pg: "0", maria: "0" });
  });
});
