import { describe, expect, it } from "vitest";
import type { DatabaseType } from "../../src/config/types.js";
import {
  buildDatabaseBackupArgs,
  DATABASE_TAG_PREFIX,
  databaseFilePath,
  databaseTag,
  parseDatabaseTags,
} from "../../src/databases/database-series.js";
import { jobTag } from "../../src/restic/job-tag.js";

const ODD_NAMES = [
  "app",
  "all",
  "shop,eu",
  "a/b",
  "../etc",
  "db:prod",
  "my database",
  " leading space",
  "Ünïcödé-データ",
  "emoji 🐘",
  "100%",
  "percent%2C",
  "quote'\"`",
  "tilde~!*()",
  "",
];

describe("databaseTag", () => {
  it("names the usual database readably", () => {
    expect(databaseTag({ type: "postgresql", name: "app" })).toBe("simplebackup-db:postgresql:app");
    expect(databaseTag({ type: "sqlite", name: "my-data_1.2" })).toBe("simplebackup-db:sqlite:my-data_1.2");
  });

  it.each(ODD_NAMES)("keeps %j in one tag restic will not split, with no space", (name) => {
    const tag = databaseTag({ type: "mariadb", name });
    expect(tag.startsWith(`${DATABASE_TAG_PREFIX}mariadb:`)).toBe(true);
    expect(tag).not.toMatch(/[,\s]/);
    expect(tag.slice(DATABASE_TAG_PREFIX.length + "mariadb:".length)).not.toContain(":");
  });

  it.each(ODD_NAMES)("reads %j back from its tag", (name) => {
    for (const type of ["postgresql", "mariadb", "mysql", "sqlite"] as const) {
      expect(parseDatabaseTags([databaseTag({ type, name })])).toEqual({ type, name });
    }
  });

  it("gives different names different tags, including names that differ only by encoding", () => {
    const tags = ODD_NAMES.map((name) => databaseTag({ type: "postgresql", name }));
    expect(new Set(tags).size).toBe(ODD_NAMES.length);
    expect(databaseTag({ type: "postgresql", name: "a,b" })).not.toBe(
      databaseTag({ type: "postgresql", name: "a%2Cb" }),
    );
  });
});

describe("parseDatabaseTags", () => {
  it("finds the database tag among the job's and the user's tags", () => {
    const tags = [jobTag("nightly"), "laptop", databaseTag({ type: "postgresql", name: "shop,eu" })];
    expect(parseDatabaseTags(tags)).toEqual({ type: "postgresql", name: "shop,eu" });
  });

  it.each<[string, readonly string[] | null | undefined]>([
    ["no tags", []],
    ["null tags (restic's JSON for a snapshot without tags)", null],
    ["undefined tags", undefined],
    ["a snapshot of files", [jobTag("nightly"), "laptop"]],
    ["an unknown engine", ["simplebackup-db:oracle:app"]],
    ["no type at all", ["simplebackup-db:app"]],
    ["an empty type", ["simplebackup-db::app"]],
    ["a look-alike prefix", ["simplebackup-dbx:postgresql:app", "simplebackup:postgresql:app"]],
    ["a broken percent-encoding written by hand", ["simplebackup-db:postgresql:100%"]],
    ["a tag in upper case", ["SIMPLEBACKUP-DB:postgresql:app"]],
  ])("ignores %s", (_, tags) => {
    expect(parseDatabaseTags(tags)).toBeUndefined();
  });

  it("skips a foreign look-alike and still finds the real tag after it", () => {
    const tags = [
      "simplebackup-db:oracle:app",
      "simplebackup-db:postgresql:100%",
      "simplebackup-db:mysql:shop",
    ];
    expect(parseDatabaseTags(tags)).toEqual({ type: "mysql", name: "shop" });
  });

  it("keeps a colon in the name, splitting at the first only", () => {
    expect(parseDatabaseTags(["simplebackup-db:sqlite:a:b"])).toEqual({ type: "sqlite", name: "a:b" });
  });
});

describe("databaseFilePath", () => {
  it("puts the dump at the snapshot's root, named by job, engine and database", () => {
    expect(databaseFilePath("nightly", { type: "postgresql", name: "app" })).toBe(
      "/nightly-postgresql-app.sql",
    );
  });

  it.each(ODD_NAMES)("keeps %j in one file name at the root", (name) => {
    const file = databaseFilePath("night/ly job", { type: "mariadb", name });
    expect(file.startsWith("/")).toBe(true);
    expect(file.slice(1)).not.toContain("/");
    expect(file.endsWith(".sql")).toBe(true);
  });

  it("gives different databases of a job different files", () => {
    const files = ODD_NAMES.map((name) => databaseFilePath("nightly", { type: "mysql", name }));
    expect(new Set(files).size).toBe(ODD_NAMES.length);
  });
});

describe("buildDatabaseBackupArgs", () => {
  it("tags the snapshot with the job, the user's tags and the database, then names its file", () => {
    expect(
      buildDatabaseBackupArgs(
        { name: "nightly", tags: ["laptop", "prod"] },
        { type: "postgresql", name: "a/b" },
      ),
    ).toEqual([
      "backup",
      "--json",
      "--tag",
      jobTag("nightly"),
      "--tag",
      "laptop",
      "--tag",
      "prod",
      "--tag",
      "simplebackup-db:postgresql:a%2Fb",
      "--stdin-filename",
      "/nightly-postgresql-a%2Fb.sql",
    ]);
  });

  it("gives each engine of one name its own series", () => {
    const types: DatabaseType[] = ["postgresql", "mariadb", "mysql", "sqlite"];
    const tags = types.map((type) => databaseTag({ type, name: "app" }));
    expect(new Set(tags).size).toBe(4);
  });
});
