import { formatLocalTime, type ListedSnapshot } from "@simplebackup/core";
import { describe, expect, it } from "vitest";
import { snapshotJson, snapshotTable } from "../src/render/snapshot-table.js";

/** As restic 0.18 lists them (0.17+ records the summary); the dump's path is databaseFilePath's. */
const files: ListedSnapshot = {
  id: "07e0d60b6c1f3e0a9d1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071",
  short_id: "07e0d60b",
  time: "2026-11-25T12:51:25.1+01:00",
  tree: "aa",
  paths: ["/home/me/docs"],
  hostname: "laptop",
  username: "me",
  tags: ["simplebackup:nightly"],
  summary: { total_bytes_processed: 1_258_291, total_files_processed: 12 },
};
const dump: ListedSnapshot = {
  ...files,
  id: "1ad4e0b52c1f3e0a9d1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071",
  short_id: "1ad4e0b5",
  time: "2026-11-25T12:51:27.3+01:00",
  paths: ["/nightly-postgresql-app.sql"],
  tags: ["simplebackup:nightly", "simplebackup-db:postgresql:app"],
  summary: { total_bytes_processed: 2048, total_files_processed: 1 },
  database: { type: "postgresql", name: "app" },
};

describe("snapshotTable", () => {
  it("names the database of each dump in its own column, blank for the files", () => {
    const { lines, unrecorded } = snapshotTable([dump, files]);
    expect(lines).toEqual([
      "  TIME                        ID            SIZE  FILES  DATABASE        PATHS",
      `  ${formatLocalTime(dump.time)}  1ad4e0b5  2.00 KiB      1  postgresql:app  /nightly-postgresql-app.sql`,
      `  ${formatLocalTime(files.time)}  07e0d60b  1.20 MiB     12                  /home/me/docs`,
    ]);
    expect(unrecorded).toBe(false);
  });

  it("shows no database column for a job with no dumps, and says when restic did not record sizes", () => {
    const { lines, unrecorded } = snapshotTable([{ ...files, summary: undefined }]);
    expect(lines[0]).toBe("  TIME                        ID        SIZE  FILES  PATHS");
    expect(lines[1]).toMatch(/ 07e0d60b +- +- {2}\/home\/me\/docs$/);
    expect(unrecorded).toBe(true);
  });
});

describe("snapshotJson", () => {
  it("carries the database as {type, name}, null for the files", () => {
    expect(snapshotJson("nightly", dump)).toMatchObject({
      job: "nightly",
      short_id: "1ad4e0b5",
      database: { type: "postgresql", name: "app" },
      size: 2048,
      files: 1,
    });
    expect(snapshotJson("nightly", { ...files, summary: undefined })).toMatchObject({
      database: null,
      size: null,
      files: null,
    });
  });
});
