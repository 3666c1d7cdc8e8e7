import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runForget } from "../../src/actions/forget.js";
import { findUnsafeRetention } from "../../src/actions/forget-guard.js";
import { runBackup } from "../../src/backup/run-backup.js";
import type { ForgetGroup, SnapshotRef } from "../../src/restic/commands/forget.js";
import { createRestic } from "../../src/restic/restic.js";
import { appendRunRecord } from "../../src/state/history.js";
import { makeJob } from "../helpers/job.js";
import { RESTIC, resticJson, type SnapshotJson } from "../helpers/restic.js";
import { createTempDir } from "../helpers/tree.js";

/**
 * `simplebackup forget` by hand follows the rule the backups follow: retention only after a complete
 * backup. After a partial run the newest snapshot lacks what older ones hold, so a real forget refuses
 * (RETENTION_UNSAFE) and removes nothing; a dry run says it would refuse.
 */
describe("findUnsafeRetention", () => {
  const job = makeJob({ name: "docs", sources: ["/data/a", "/data/b"] });
  const snapshot = (short_id: string, time: string, paths: string[]) => ({ short_id, time, paths });
  const group = (host: string, ...snapshots: SnapshotRef[]): ForgetGroup => ({
    tags: null,
    host,
    paths: [],
    keep: snapshots.slice(0, 1),
    remove: snapshots.slice(1),
    reasons: [],
  });
  const facts = { host: "laptop", partialSnapshotIds: [] };

  it("is safe when the newest snapshot holds every source", () => {
    const groups = [group("laptop", snapshot("bbbbbbbb", "2026-11-02T00:00:00Z", ["/data/a", "/data/b/"]))];
    expect(findUnsafeRetention(job, groups, facts)).toBeUndefined();
  });

  it("names the source the newest snapshot lacks, whatever order restic lists them in", () => {
    const groups = [
      group(
        "laptop",
        snapshot("aaaaaaaa", "2026-11-01T00:00:00Z", ["/data/a", "/data/b"]),
        snapshot("bbbbbbbb", "2026-11-02T00:00:00Z", ["/data/a"]),
      ),
    ];
    expect(findUnsafeRetention(job, groups, facts)).toMatch(
      /^the newest snapshot of job "docs" \(bbbbbbbb\) does not hold \/data\/b: .*Nothing was removed\. Run a complete backup first \(simplebackup backup docs\)/,
    );
  });

  it("refuses after a run the history records as partial, by full or short id", () => {
    const groups = [group("laptop", snapshot("cccccccc", "2026-11-02T00:00:00Z", ["/data/a", "/data/b"]))];
    expect(findUnsafeRetention(job, groups, { ...facts, partialSnapshotIds: ["cccccccc1234"] })).toMatch(
      /is from a partial backup \(files could not be read\)/,
    );
    expect(findUnsafeRetention(job, groups, { ...facts, partialSnapshotIds: ["cccc"] })).toBeUndefined();
  });

  describe("with the job's database dumps, series of their own", () => {
    const dump = (short_id: string, time: string) => ({
      short_id,
      time,
      paths: ["/docs-postgresql-app.sql"],
      tags: ["simplebackup:docs", "simplebackup-db:postgresql:app"],
    });
    const files = (short_id: string, time: string, paths: string[]) => ({
      ...snapshot(short_id, time, paths),
      tags: ["simplebackup:docs"],
    });

    it("is not fooled by a newer dump that holds none of the sources", () => {
      const groups = [
        group("laptop", files("aaaaaaaa", "2026-11-02T00:00:00Z", ["/data/a", "/data/b"])),
        group("laptop", dump("dddddddd", "2026-11-02T00:01:00Z")),
      ];
      expect(findUnsafeRetention(job, groups, facts)).toBeUndefined();
    });

    it("still sees a file snapshot that lacks a source behind a newer dump", () => {
      const groups = [
        group(
          "laptop",
          files("bbbbbbbb", "2026-11-02T00:00:00Z", ["/data/a"]),
          files("aaaaaaaa", "2026-11-01T00:00:00Z", ["/data/a", "/data/b"]),
        ),
        group("laptop", dump("dddddddd", "2026-11-02T00:01:00Z")),
      ];
      expect(findUnsafeRetention(job, groups, facts)).toMatch(/\(bbbbbbbb\) does not hold \/data\/b/);
    });

    it("still sees a partial file run behind a newer dump", () => {
      const groups = [
        group("laptop", files("cccccccc", "2026-11-02T00:00:00Z", ["/data/a", "/data/b"])),
        group("laptop", dump("dddddddd", "2026-11-02T00:01:00Z")),
      ];
      expect(findUnsafeRetention(job, groups, { ...facts, partialSnapshotIds: ["cccccccc"] })).toMatch(
        /\(cccccccc\) is from a partial backup/,
      );
    });

    it("judges the newest file snapshot across the groups a change of tags made", () => {
      const groups = [
        group("laptop", files("aaaaaaaa", "2026-11-01T00:00:00Z", ["/data/a", "/data/b"])),
        group("laptop", {
          ...files("bbbbbbbb", "2026-11-02T00:00:00Z", ["/data/a"]),
          tags: ["simplebackup:docs", "nas"],
        }),
        group("laptop", dump("dddddddd", "2026-11-03T00:00:00Z")),
      ];
      expect(findUnsafeRetention(job, groups, facts)).toMatch(/\(bbbbbbbb\) does not hold \/data\/b/);
    });

    it("has nothing to judge when only dumps are listed", () => {
      expect(
        findUnsafeRetention(job, [group("laptop", dump("dddddddd", "2026-11-03T00:00:00Z"))], facts),
      ).toBeUndefined();
    });
  });

  it("judges only this host's snapshots, and nothing when there are none", () => {
    const other = [group("server", snapshot("dddddddd", "2026-11-03T00:00:00Z", ["/srv"]))];
    expect(findUnsafeRetention(job, other, facts)).toBeUndefined();
    expect(findUnsafeRetention(job, [], facts)).toBeUndefined();
  });
});

describe("runForget after a partial backup, with real restic", () => {
  const PASSWORD = "forget-guard-secret-71c2";
  const restic = createRestic(RESTIC);
  const temp = createTempDir("sb-forget-guard-");
  const root = temp.path;
  const [a, b] = [join(root, "a"), join(root, "b")];
  const repository = join(root, "repo");
  const stateDir = join(root, "state");
  const job = makeJob({
    name: "two",
    sources: [a, b],
    repository,
    password: { kind: "literal", value: PASSWORD },
    retention: { last: 1 },
  });
  const snapshots = () =>
    resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots", "--tag", "simplebackup:two"]);

  beforeAll(async () => {
    mkdirSync(a);
    mkdirSync(b);
    writeFileSync(join(a, "a.txt"), "alpha");
    writeFileSync(join(b, "only-copy.txt"), "the drive's file");
    expect((await runBackup(job, { restic })).status).toBe("success");
    // The drive of b is unplugged: the run is partial, and its retention is skipped.
    rmSync(b, { recursive: true });
    const partial = await runBackup(job, { restic });
    expect(partial.status).toBe("partial");
    expect(snapshots()).toHaveLength(2);
  }, 60_000);
  afterAll(() => temp.dispose());

  it("a dry run says a real forget would refuse, and removes nothing", async () => {
    const result = await runForget(job, { restic, dryRun: true });
    expect(result.unsafe).toMatch(/does not hold .*\/b: forget now could remove the only snapshots/);
    expect(result.remove).toHaveLength(1);
    expect(snapshots()).toHaveLength(2);
  });

  it("a real forget refuses with RETENTION_UNSAFE and removes nothing", async () => {
    await expect(runForget(job, { restic })).rejects.toMatchObject({ code: "RETENTION_UNSAFE" });
    expect(snapshots()).toHaveLength(2);
    expect(snapshots().some((s) => s.paths.includes(b))).toBe(true);
  });

  it("refuses after a run the history records as partial even when every source is in the snapshot", async () => {
    mkdirSync(b);
    writeFileSync(join(b, "only-copy.txt"), "the drive's file");
    const complete = await runBackup(job, { restic });
    expect(complete.status).toBe("success");
    expect(snapshots()).toHaveLength(1); // its own retention ran: last 1
    const newest = snapshots()[0] as SnapshotJson;
    // As if that run had found unreadable files: the history is what says so.
    await appendRunRecord(stateDir, {
      job: "two",
      runId: "r1",
      startedAt: newest.time,
      finishedAt: newest.time,
      status: "partial",
      snapshotId: newest.short_id,
      durationMs: 1,
    });
    await expect(runForget(job, { restic, stateDir })).rejects.toMatchObject({
      code: "RETENTION_UNSAFE",
      message: expect.stringContaining("is from a partial backup"),
    });
    const done = await runForget(job, { restic });
    expect(done.unsafe).toBeUndefined();
    expect(done.keep).toHaveLength(1);
  });
});
