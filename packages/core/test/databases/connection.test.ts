import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DatabaseSpec } from "../../src/config/types.js";
import { openConnection } from "../../src/databases/connection.js";
import { SimplebackupError } from "../../src/errors.js";

let folder = "";
beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), "simplebackup-connection-"));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

function spec(overrides: Partial<DatabaseSpec> & Pick<DatabaseSpec, "type">): DatabaseSpec {
  return { name: "app", password: undefined, options: [], ...overrides };
}

const mode = async (file: string) => (await stat(file)).mode & 0o777;

describe("openConnection for MariaDB and MySQL", () => {
  it.each(["mariadb", "mysql"] as const)(
    "%s: writes the password into a 0600 option file in a 0700 folder, which dispose removes",
    async (type) => {
      const opened = await openConnection(
        spec({
          type,
          host: "db.example.com",
          username: "backup",
          password: { kind: "literal", value: "s3cret" },
        }),
        {},
      );
      const file = opened.connection.optionFile ?? "";
      expect(opened.connection.password).toBe("s3cret");
      expect(await mode(file)).toBe(0o600);
      expect(await mode(path.dirname(file))).toBe(0o700);
      expect(await readFile(file, "utf8")).toContain('password="s3cret"');

      await opened.dispose();
      await expect(stat(path.dirname(file))).rejects.toMatchObject({ code: "ENOENT" });
      await opened.dispose(); // twice is fine
    },
  );

  it("gives each connection a folder of its own", async () => {
    const database = spec({ type: "mariadb", password: { kind: "literal", value: "pw" } });
    const [a, b] = await Promise.all([openConnection(database, {}), openConnection(database, {})]);
    expect(path.dirname(a.connection.optionFile ?? "")).not.toBe(path.dirname(b.connection.optionFile ?? ""));
    await Promise.all([a.dispose(), b.dispose()]);
  });

  it("writes an option file without a password for a server that needs none, so --no-defaults is not used", async () => {
    const opened = await openConnection(spec({ type: "mariadb", socket: "/run/mysqld/mysqld.sock" }), {});
    expect(opened.connection.password).toBeUndefined();
    expect(await readFile(opened.connection.optionFile ?? "", "utf8")).not.toContain("password");
    await opened.dispose();
  });
});

describe("openConnection for PostgreSQL and SQLite", () => {
  it.each([
    spec({ type: "postgresql", password: { kind: "literal", value: "s3cret" } }),
    spec({ type: "sqlite", name: "notes", path: "/srv/notes.db" }),
  ])("$type: writes no file; the password travels in the environment", async (database) => {
    const opened = await openConnection(database, {});
    expect(opened.connection.optionFile).toBeUndefined();
    expect(opened.connection.password).toBe(database.type === "postgresql" ? "s3cret" : undefined);
    await opened.dispose();
  });
});

describe("the password's sources", () => {
  it("reads password_env from the environment given", async () => {
    const database = spec({ type: "postgresql", password: { kind: "env", variable: "APP_DB_PASSWORD" } });
    const opened = await openConnection(database, { APP_DB_PASSWORD: "from-env" });
    expect(opened.connection.password).toBe("from-env");
  });

  it("reads the first line of password_file, without its line break", async () => {
    const file = path.join(folder, "db.pass");
    await writeFile(file, "first line  \r\nsecond line\n");
    const database = spec({ type: "postgresql", password: { kind: "file", path: file } });
    expect((await openConnection(database, {})).connection.password).toBe("first line  ");
  });

  it.each([
    ["unset", {}],
    ["empty", { APP_DB_PASSWORD: "" }],
  ])(
    "says PASSWORD_UNAVAILABLE, naming the database and the variable, when password_env is %s",
    async (_, env) => {
      const database = spec({
        type: "mariadb",
        name: "shop",
        password: { kind: "env", variable: "APP_DB_PASSWORD" },
      });
      const error = await openConnection(database, env).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SimplebackupError);
      expect(error).toMatchObject({
        code: "PASSWORD_UNAVAILABLE",
        message:
          "database mariadb:shop: password_env names APP_DB_PASSWORD, but that environment variable is unset or empty",
      });
    },
  );

  it("says PASSWORD_UNAVAILABLE, naming the database and the file, when password_file is missing", async () => {
    const file = path.join(folder, "missing.pass");
    const database = spec({ type: "postgresql", name: "shop", password: { kind: "file", path: file } });
    const error = await openConnection(database, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "PASSWORD_UNAVAILABLE",
      message: `database postgresql:shop: cannot read password_file ${file} (ENOENT)`,
    });
  });
});
