import { describe, expect, it } from "vitest";
import { snapshotFileCount, snapshotSize } from "../../src/restic/action-output.js";
import { parseSnapshots } from "../../src/restic/output.js";

// `restic snapshots --json` of restic 0.18.0 (captured): 0.17+ stores the backup's summary in the
// snapshot. 0.14 prints the same object without `summary` and `program_version`.
const RESTIC_018 = `[{"time":"2026-11-30T18:15:17.085208529Z","parent":"fd111bc042a2d6bfd7d6bdc6ef555edff4a8b16206e7e3fadb9c76a291da2965","tree":"4d21bf804a4b2931f82b871b0ad2f61a636968abd0a0f2dd41679af0dcc572a3","paths":["/tmp/h3/data/a"],"hostname":"vm","username":"root","tags":["simplebackup:ok"],"program_version":"restic 0.18.0","summary":{"backup_start":"2026-11-30T18:15:17.085208529Z","backup_end":"2026-11-30T18:15:17.646565265Z","files_new":0,"files_changed":0,"files_unmodified":1,"dirs_new":0,"dirs_changed":1,"dirs_unmodified":3,"data_blobs":0,"tree_blobs":1,"data_added":351,"data_added_packed":288,"total_files_processed":1,"total_bytes_processed":4},"id":"813b00979a55d0c2def49871369a16b28a25d7ee20b57ffb1ad75d8d86488329","short_id":"813b0097"}]`;

describe("what a snapshot records about itself", () => {
  it("reads the size and file count restic 0.17+ stored in the snapshot", () => {
    const [snapshot] = parseSnapshots(RESTIC_018);
    expect(snapshot && snapshotSize(snapshot)).toBe(4);
    expect(snapshot && snapshotFileCount(snapshot)).toBe(1);
  });

  it("knows neither for a snapshot of an older restic, nor from a field of the wrong kind", () => {
    expect(snapshotFileCount({})).toBeUndefined();
    expect(snapshotFileCount({ summary: {} })).toBeUndefined();
    expect(snapshotFileCount({ summary: { total_files_processed: "3" } })).toBeUndefined();
    expect(snapshotFileCount({ summary: { total_files_processed: -1 } })).toBeUndefined();
  });
});
