import { describe, expect, it } from "vitest";
import type { BackupJob, DatabaseSpec } from "../../src/config/types.js";
import {
  chooseDatabase,
  chooseDatabaseSnapshot,
  dumpPathOf,
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
    expect(chooseDatabase(job([app]), [], undefined)).toBe(app);
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
    expect(chooseDatabase(both, [], "postgresql:shop")).toBe(shopPg);
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
      type: "postgresql",
      name: "crm",
      host: "db.example",
      port: 5433,
    });
    expect(() => chooseDatabase(job([all]), [], undefined)).toThrow(
      /has no database snapshots to restore \(postgresql:all counts the databases its snapshots hold\)/,
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
