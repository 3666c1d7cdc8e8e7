import { describe, expect, it } from "vitest";
import {
  buildSnapshotsArgs,
  parseSnapshots,
  snapshotFileCount,
  snapshotSize,
} from "../../../src/restic/commands/snapshots.js";
import { CAPTURES } from "../fixtures.js";

const LAB = "/tmp/simplebackup-restic-lab";

describe("buildSnapshotsArgs", () => {
  it.each([
    [buildSnapshotsArgs(), ["snapshots", "--json"]],
    [buildSnapshotsArgs("docs"), ["snapshots", "--json", "--tag", "simplebackup:docs"]],
  ])("%j", (args, expected) => {
    expect(args).toEqual(expected);
  });
});

describe.each(CAPTURES)("parseSnapshots on restic $version captures", (capture) => {
  it("reads snapshots --json", () => {
    const snapshots = parseSnapshots(capture.run("snapshots").stdout);
    expect(snapshots).toHaveLength(3);
    const base = {
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      short_id: expect.stringMatching(/^[0-9a-f]{8}$/),
      time: expect.any(String),
      tree: expect.stringMatching(/^[0-9a-f]{64}$/),
      paths: [`${LAB}/src`],
      hostname: "vm",
      username: "root",
      tags: ["simplebackup:docs"],
    };
    if (capture.atLeast("0.17.0")) {
      // 0.16+ records the program version, 0.17+ the backup summary in the snapshot.
      expect(snapshots[0]).toEqual({
        ...base,
        program_version: "restic 0.18.0",
        summary: expect.objectContaining({
          files_new: 9,
          total_bytes_processed: 15028,
          data_added_packed: expect.any(Number),
        }),
      });
    } else {
      expect(snapshots[0]).toEqual(base);
    }
    expect(snapshots[1]?.parent).toBe(snapshots[0]?.id);
    expect(snapshots[2]?.tags).toBeUndefined();
  });

  it("reads both jobs after a forget", () => {
    const snapshots = parseSnapshots(capture.run("snapshots-after-forget").stdout);
    const byJob = (tag: string) => snapshots.filter((s) => s.tags?.includes(tag)).length;
    expect([byJob("simplebackup:A"), byJob("simplebackup:B")]).toEqual([4, 6]);
  });

  it("reads `[]` (no snapshot has the tag, exit 0) as no snapshots", () => {
    const run = capture.run("snapshots-no-match");
    expect(run.exitCode).toBe(0);
    expect(parseSnapshots(run.stdout)).toEqual([]);
  });
});

describe("parseSnapshots", () => {
  it("reads empty output as no snapshots", () => {
    expect(parseSnapshots("")).toEqual([]);
  });

  it("derives short_id when a version leaves it out", () => {
    const [snapshot] = parseSnapshots(
      JSON.stringify([
        { id: "0123456789abcdef", time: "t", tree: "x", paths: [], hostname: "h", username: "u" },
      ]),
    );
    expect(snapshot?.short_id).toBe("01234567");
  });

  it.each(["Fatal: wrong password", "{}", '[{"id":"x"}]'])("throws a readable error for %j", (stdout) => {
    expect(() => parseSnapshots(stdout)).toThrow(/restic snapshots --json printed/);
  });
});

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

describe.each(CAPTURES)("snapshotSize on restic $version captures", (capture) => {
  it("knows a snapshot's size from 0.17's snapshot summary, not before", () => {
    const [first] = parseSnapshots(capture.run("snapshots").stdout);
    expect(first && snapshotSize(first)).toBe(capture.atLeast("0.17.0") ? 15028 : undefined);
  });
});

describe("snapshotSize", () => {
  it("is unknown without a numeric summary size", () => {
    expect(snapshotSize({})).toBeUndefined();
    expect(snapshotSize({ summary: { total_bytes_processed: "2048" } })).toBeUndefined();
  });
});
