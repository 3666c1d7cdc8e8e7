import { describe, expect, it } from "vitest";
import { readBackupOutcome, toStats } from "../../src/backup/backup-outcome.js";

// restic 0.18.0 `backup --json --skip-if-unchanged` of a tree equal to its parent's (captured): exit 0,
// a summary with no snapshot_id, ending at Go's zero time with a negative total_duration.
const SKIPPED_018 =
  '{"message_type":"summary","files_new":0,"files_changed":0,"files_unmodified":1,"dirs_new":0,"dirs_changed":0,"dirs_unmodified":4,"data_blobs":0,"tree_blobs":0,"data_added":0,"data_added_packed":0,"total_files_processed":1,"total_bytes_processed":3,"total_duration":-9223372036.854776,"backup_start":"2026-11-30T18:19:14.629809188Z","backup_end":"0001-01-01T00:00:00Z"}';

describe("a backup restic skipped because nothing changed (restic 0.17+)", () => {
  it("is saved work with no snapshot id and no duration, not a failure", () => {
    const outcome = readBackupOutcome({
      exitCode: 0,
      signal: null,
      stdout: `${SKIPPED_018}\n`,
      stderr: "",
      interrupted: false,
    });
    expect(outcome.kind).toBe("saved");
    if (outcome.kind !== "saved") return;
    expect(outcome.summary.snapshot_id).toBeUndefined();
    expect(toStats(outcome.summary)).toMatchObject({
      filesUnmodified: 1,
      dataAdded: 0,
      totalBytesProcessed: 3,
      resticSeconds: 0,
    });
  });
});
