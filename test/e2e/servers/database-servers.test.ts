import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MariaDbServer } from "./mariadb-server.js";
import { PostgresServer } from "./postgres-server.js";
import { runCommand } from "./server-process.js";

// The harnesses the database backup tests stand on: a real server each, private to this file.
const root = mkdtempSync(join(tmpdir(), "simplebackup-db-servers-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("PostgresServer", () => {
  const server = new PostgresServer(join(root, "postgres"));
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("serves a database whose table checksums follow the rows, not their order", async () => {
    await server.createDatabase("shop");
    await server.psql(
      `CREATE TABLE items (id int PRIMARY KEY, name text, note text);
       INSERT INTO items SELECT g, 'item ' || g, NULL FROM generate_series(1, 200) g;
       CREATE TABLE items_reversed (LIKE items);
       INSERT INTO items_reversed SELECT * FROM items ORDER BY id DESC;`,
      { database: "shop" },
    );
    const before = await server.tableChecksums("shop");
    expect(Object.keys(before)).toEqual(["items", "items_reversed"]);
    expect(before.items).toMatch(/^[0-9a-f]{32}$/);
    expect(before.items_reversed).toBe(before.items);
    expect(await server.tableChecksums("shop")).toEqual(before);

    await server.psql("UPDATE items SET note = 'changed' WHERE id = 7;", { database: "shop" });
    const after = await server.tableChecksums("shop");
    expect(after.items).not.toBe(before.items);
    expect(after.items_reversed).toBe(before.items_reversed);
  });

  it("refuses a wrong password over TCP", async () => {
    expect(await server.psql("SELECT current_user;")).toBe(server.user);
    const wrong = { ...server.clientEnv(), PGPASSWORD: "not-the-password" };
    const args = ["-X", "-h", server.host, "-p", String(server.port), "-U", server.user, "-d", "postgres"];
    await expect(
      runCommand(join(server.binDir, "psql"), [...args, "-c", "SELECT 1"], { env: wrong }),
    ).rejects.toThrow(/password authentication failed/);
  });

  it("comes back with its data after kill(), and stop() leaves no process behind", async () => {
    const before = await server.tableChecksums("shop");
    const killed = server.pid ?? 0;
    await server.kill();
    expect(isRunning(killed)).toBe(false);

    await server.start();
    expect(await server.tableChecksums("shop")).toEqual(before);

    const pid = server.pid ?? 0;
    const backends = childrenOf(pid);
    expect(backends.length).toBeGreaterThan(0); // checkpointer, walwriter, ...
    await server.stop();
    expect(server.pid).toBeUndefined();
    expect([pid, ...backends].filter(isRunning)).toEqual([]);
  });
});

describe("MariaDbServer", () => {
  const server = new MariaDbServer(join(root, "mariadb"));
  beforeAll(() => server.start());
  afterAll(() => server.stop());

  it("serves a database whose table checksums follow the rows, not their order", async () => {
    await server.createDatabase("shop");
    await server.sql(
      `CREATE TABLE items (id int PRIMARY KEY, name varchar(40), note text) ENGINE=InnoDB;
       INSERT INTO items SELECT seq, CONCAT('item ', seq), NULL FROM seq_1_to_200;
       CREATE TABLE items_reversed (id int, name varchar(40), note text) ENGINE=Aria;
       INSERT INTO items_reversed SELECT * FROM items ORDER BY id DESC;`,
      { database: "shop" },
    );
    const before = await server.tableChecksums("shop");
    expect(Object.keys(before)).toEqual(["items", "items_reversed"]);
    expect(before.items).toMatch(/^[0-9a-f]{32}$/);
    expect(before.items_reversed).toBe(before.items);
    expect(await server.tableChecksums("shop")).toEqual(before);

    await server.sql("UPDATE items SET note = 'changed' WHERE id = 7;", { database: "shop" });
    const after = await server.tableChecksums("shop");
    expect(after.items).not.toBe(before.items);
    expect(after.items_reversed).toBe(before.items_reversed);
    // NULL and the text 'NULL' are different contents.
    await server.sql("UPDATE items SET note = NULL WHERE id = 7;", { database: "shop" });
    expect((await server.tableChecksums("shop")).items).toBe(before.items);
    await server.sql("UPDATE items SET note = 'NULL' WHERE id = 7;", { database: "shop" });
    expect((await server.tableChecksums("shop")).items).not.toBe(before.items);
  });

  it("refuses a wrong password over TCP", async () => {
    expect(await server.sql("SELECT CURRENT_USER();")).toBe(`${server.user}@127.0.0.1`);
    const wrong = { ...server.clientEnv(), MYSQL_PWD: "not-the-password" };
    const args = [
      "--no-defaults",
      "--protocol=TCP",
      "-h",
      server.host,
      "-P",
      String(server.port),
      "-u",
      server.user,
    ];
    await expect(runCommand("mariadb", [...args, "-e", "SELECT 1"], { env: wrong })).rejects.toThrow(
      /Access denied for user/,
    );
  });

  it("comes back with its data after kill(), and stop() leaves no process behind", async () => {
    const before = await server.tableChecksums("shop");
    const killed = server.pid ?? 0;
    await server.kill();
    expect(isRunning(killed)).toBe(false);

    await server.start();
    expect(await server.tableChecksums("shop")).toEqual(before);

    const pid = server.pid ?? 0;
    await server.stop();
    expect(server.pid).toBeUndefined();
    expect(isRunning(pid)).toBe(false);
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The processes whose parent is `pid`, from /proc (postgres runs one per backend and helper). */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // it ended while we looked
      }
    })
    .map(Number);
}
