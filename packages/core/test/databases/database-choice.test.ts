import { describe, expect, it } from "vitest";
import type { BackupJob, DatabaseSpec } from "../../src/config/types.js";
import {
  chooseDatabase,
  chooseDatabaseSnapshot,
  dumpPathOf,
  removedDatabases,
  restorableDatabases,
} from "../../src/databases/database-choice.js";
import { databaseFilePath, databaseTag } from "../../src/databases/database-series.js";
import type { SnapshotInfo } from "../../src/restic/commands/snapshots.js";
import { jobTag } from "../../src/restic/job-tag.js";

const spec = (type: DatabaseSpec["type"], name: string): DatabaseSpec => ({
  type,
  name,
  password: undefined,
  options: [],
});

const job = (databases: DatabaseSpec[]) => ({ name: "Shop", databases }) as unknown as BackupJob;

let counter = 0;
/** A snapshot as `snapshots --json` lists one: a dump's when `database` is given, else of files. */
function snapshot(database: Pick<DatabaseSpec, "type" | "name"> | undefined, time: string): SnapshotInfo {
  counter += 1;
  const id = `${counter.toString(16).padStart(2, "0")}${"ab".repeat(31)}`;
  return {
    id,
    short_id: id.slice(0, 8),
    time,
    tree: "t",
    hostname: "h",
    username: "u",
    paths: database ? [databaseFilePath("Shop", database)] : ["/srv/www"],
    tags: database ? [jobTag("Shop"), databaseTag(database)] : [jobTag("Shop")],
  };
}

const app = spec("postgresql", "app");
const shopMaria = spec("mariadb", "shop");
const shopPg = spec("postgresql", "shop");

describe("chooseDatabase", () => {
  it("takes the job's one database without --database", () => {
    expect(chooseDatabase(job([app]), [], undefined)).toEqual({ configured: true, database: app });
  });

  it("needs --database when the job has several, and lists them", () => {
    expect(() => chooseDatabase(job([app, shopMaria]), [], undefined)).toThrow(
      /job "Shop" has 2 databases; name one with --database; its databases: postgresql:app, mariadb:shop/,
    );
  });

  it("finds by name, and asks for type:name when two engines share the name", () => {
    const both = job([shopMaria, shopPg]);
    expect(() => chooseDatabase(both, [], "shop")).toThrow(
      /"shop" names 2 databases of job "Shop"; say which as mariadb:shop or postgresql:shop/,
    );
    expect(chooseDatabase(both, [], "postgresql:shop").database).toBe(shopPg);
  });

  it("names the job's databases when the name is wrong", () => {
    expect(() => chooseDatabase(job([app]), [], "ap")).toThrow(
      expect.objectContaining({
        code: "DATABASE_NOT_FOUND",
        message: 'job "Shop" has no database "ap"; its databases: postgresql:app',
      }),
    );
    expect(() => chooseDatabase(job([]), [], "app")).toThrow(
      /has no database "app" \(it backs up no databases\)/,
    );
  });

  it("expands `all` to the databases its snapshots are tagged with, with the entry's connection", () => {
    const all = { ...spec("postgresql", "all"), host: "db.example", port: 5433 };
    const snapshots = [
      snapshot(spec("postgresql", "crm"), "2026-12-01T01:00:00Z"),
      snapshot(app, "2026-12-01T01:00:01Z"),
    ];
    expect(restorableDatabases(job([all]), snapshots).map((d) => d.name)).toEqual(["app", "crm"]);
    expect(chooseDatabase(job([all]), snapshots, "crm")).toMatchObject({
      configured: true,
      database: { type: "postgresql", name: "crm", host: "db.example", port: 5433 },
    });
    expect(() => chooseDatabase(job([all]), [], undefined)).toThrow(
      /has no database snapshots to restore \(postgresql:all counts the databases its snapshots hold\)/,
    );
  });
});

describe("chooseDatabase, a database removed from the config", () => {
  const legacyPg = spec("postgresql", "legacy");
  const legacyMaria = spec("mariadb", "legacy");
  const snapshots = [
    snapshot(app, "2026-12-01T01:00:00Z"),
    snapshot(legacyPg, "2026-11-01T01:00:00Z"),
    snapshot(legacyPg, "2026-11-02T01:00:00Z"),
    snapshot(undefined, "2026-12-01T00:59:00Z"),
  ];

  it("is found by the name its snapshots' tag holds, with the type the tag says", () => {
    expect(removedDatabases(job([app]), snapshots)).toEqual([{ type: "postgresql", name: "legacy" }]);
    expect(chooseDatabase(job([app]), snapshots, "legacy")).toEqual({
      configured: false,
      database: { type: "postgresql", name: "legacy" },
    });
    expect(chooseDatabase(job([app]), snapshots, "postgresql:legacy").configured).toBe(false);
  });

  it("is not taken without --database: the job's one configured database still is", () => {
    expect(chooseDatabase(job([app]), snapshots, undefined).database).toBe(app);
    expect(() => chooseDatabase(job([]), snapshots, undefined)).toThrow(
      /job "Shop" has no database of its config to restore; name one its snapshots hold with --database; its snapshots also hold postgresql:app, postgresql:legacy, no longer in its config/,
    );
  });

  it("is not one when an `all` entry of its type covers it", () => {
    const all = spec("postgresql", "all");
    expect(removedDatabases(job([all]), snapshots)).toEqual([]);
    expect(chooseDatabase(job([all]), snapshots, "legacy").configured).toBe(true);
  });

  it("asks for type:name when two engines share the name, configured or not", () => {
    const more = [...snapshots, snapshot(legacyMaria, "2026-10-01T01:00:00Z")];
    expect(() => chooseDatabase(job([app]), more, "legacy")).toThrow(
      /"legacy" names 2 databases of job "Shop"; say which as mariadb:legacy or postgresql:legacy/,
    );
    expect(chooseDatabase(job([app]), more, "mariadb:legacy")).toEqual({
      configured: false,
      database: { type: "mariadb", name: "legacy" },
    });
    expect(() => chooseDatabase(job([legacyMaria]), snapshots, "legacy")).toThrow(
      /say which as mariadb:legacy or postgresql:legacy/,
    );
  });

  it("lists the databases the snapshots hold when the name is wrong", () => {
    expect(() => chooseDatabase(job([app]), snapshots, "nope")).toThrow(
      expect.objectContaining({
        code: "DATABASE_NOT_FOUND",
        message:
          'job "Shop" has no database "nope"; its databases: postgresql:app; its snapshots also hold postgresql:legacy, no longer in its config',
      }),
    );
  });
});

describe("chooseDatabaseSnapshot", () => {
  const older = snapshot(app, "2026-11-30T03:00:00Z");
  const newer = snapshot(app, "2026-12-01T03:00:00Z");
  const other = snapshot(shopMaria, "2026-12-02T03:00:00Z");
  const files = snapshot(undefined, "2026-12-03T03:00:00Z");
  const all = [older, other, files, newer];

  it("takes the newest of that database for latest", () => {
    expect(chooseDatabaseSnapshot(job([app]), app, all, "latest")).toBe(newer);
  });

  it("takes an id or the start of one, of that database only", () => {
    expect(chooseDatabaseSnapshot(job([app]), app, all, older.id.slice(0, 6).toUpperCase())).toBe(older);
    expect(() => chooseDatabaseSnapshot(job([app]), app, all, other.short_id)).toThrow(
      /is not a snapshot of database postgresql:app of job "Shop" \(it is a snapshot of database mariadb:shop\)/,
    );
    expect(() => chooseDatabaseSnapshot(job([app]), app, all, files.short_id)).toThrow(
      /\(it is a snapshot of files \(\/srv\/www\)\)/,
    );
    expect(() => chooseDatabaseSnapshot(job([app]), app, all, "ab")).toThrow(/is not a snapshot/);
  });

  it("says when the database has no snapshots yet", () => {
    expect(() => chooseDatabaseSnapshot(job([app]), app, [files], "latest")).toThrow(
      expect.objectContaining({
        code: "SNAPSHOT_NOT_FOUND",
        message: expect.stringMatching(/no snapshots yet/),
      }),
    );
  });
});

describe("dumpPathOf", () => {
  it("is the one path a --stdin snapshot records", () => {
    expect(dumpPathOf(snapshot(app, "2026-12-01T03:00:00Z"))).toBe("/Shop-postgresql-app.sql");
    expect(() => dumpPathOf({ ...snapshot(app, "2026-12-01T03:00:00Z"), paths: ["/a", "/b"] })).toThrow(
      /holds 2 paths/,
    );
  });
});
