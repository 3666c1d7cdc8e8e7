import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runForget } from "../../src/actions/forget.js";
import type { RetentionPolicy } from "../../src/config/types.js";
import { resticJson, resticRun, type SnapshotJson } from "../helpers/restic.js";
import { createTestRepository } from "../helpers/test-repository.js";

const PASSWORD = "forget-secret-3e8a";
const fixture = createTestRepository("forget", PASSWORD);
const { temp, source, repository, restic } = fixture;
const job = (name: string, retention?: RetentionPolicy) => fixture.job(name, { retention });

function snapshotsOf(name: string): SnapshotJson[] {
  return resticJson<SnapshotJson[]>(repository, PASSWORD, ["snapshots", "--tag", `simplebackup:${name}`]);
}

// Five snapshots over four days: keep-last 1 and keep-daily 2 keep the 4th (last, daily) and the later
// one of the 3rd (daily), and remove the other three.
const TIMES = [
  "2024-03-01 10:00:00",
  "2024-03-02 10:00:00",
  "2024-03-03 10:00:00",
  "2024-03-03 12:00:00",
  "2024-03-04 10:00:00",
];

beforeAll(() => {
  mkdirSync(source);
  writeFileSync(join(source, "a.txt"), "alpha");
  expect(resticRun(repository, PASSWORD, ["init"]).status).toBe(0);
  for (const time of TIMES) {
    const result = resticRun(repository, PASSWORD, [
      "backup",
      "-q",
      "--tag",
      "simplebackup:docs",
      "--time",
      time,
      source,
    ]);
    expect(result.status, result.stderr).toBe(0);
  }
  const other = resticRun(repository, PASSWORD, [
    "backup",
    "-q",
    "--tag",
    "simplebackup:other",
    "--time",
    TIMES[0] as string,
    source,
  ]);
  expect(other.status, other.stderr).toBe(0);
});
afterAll(() => temp.dispose());

describe("runForget against a real restic", () => {
  const docs = job("docs", { last: 1, days: 2 });

  it("previews the retention with the reason for each kept snapshot, and removes nothing", async () => {
    const result = await runForget(docs, { restic, dryRun: true });
    expect(result).toMatchObject({ dryRun: true, keepsEverything: false, pruneReport: [] });
    expect(result.keep.map((s) => [s.time.slice(0, 16), s.reasons])).toEqual([
      ["2024-03-04T10:00", ["last snapshot", "daily snapshot"]],
      ["2024-03-03T12:00", ["daily snapshot"]],
    ]);
    expect(result.remove.map((s) => s.time.slice(0, 16))).toEqual([
      "2024-03-03T10:00",
      "2024-03-02T10:00",
      "2024-03-01T10:00",
    ]);
    for (const snapshot of [...result.keep, ...result.remove]) expect(snapshot.id).toMatch(/^[0-9a-f]{64}$/);
    expect(snapshotsOf("docs")).toHaveLength(5);
  });

  it("says a job without retention keeps everything, without running restic", async () => {
    const calls: string[] = [];
    const result = await runForget(job("docs"), { restic, dryRun: true, log: (line) => calls.push(line) });
    expect(result).toMatchObject({ keepsEverything: true, keep: [], remove: [] });
    expect(calls).toEqual([]);
  });

  it("applies the retention for real to the job's own snapshots, and prunes", async () => {
    const result = await runForget(docs, { restic });
    expect(result.dryRun).toBe(false);
    expect(result.keep).toHaveLength(2);
    expect(result.remove).toHaveLength(3);
    expect(result.pruneReport.join("\n")).toMatch(/done/);
    expect(
      snapshotsOf("docs")
        .map((s) => s.time.slice(0, 16))
        .sort(),
    ).toEqual(["2024-03-03T12:00", "2024-03-04T10:00"]);
    expect(snapshotsOf("other")).toHaveLength(1);
  });
});
