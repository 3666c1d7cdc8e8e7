import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  appendRunRecord,
  type RunHistoryRecord,
  readHistory,
  visitJobHistory,
} from "../../src/state/history.js";
import { jobHistoryDir } from "../../src/state/history-files.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-history-");
});
afterEach(() => dir.dispose());

/** Run `n` of a job; `month` (`2026-11`) is the month it finished in. */
function record(
  job: string,
  n: number,
  extra: Partial<RunHistoryRecord> = {},
  month = "2026-11",
): RunHistoryRecord {
  const second = String(n % 60).padStart(2, "0");
  return {
    job,
    runId: `run-${n}`,
    startedAt: `${month}-25T10:00:${second}.000Z`,
    finishedAt: `${month}-25T10:01:${second}.000Z`,
    status: "success",
    durationMs: 60_000,
    ...extra,
  };
}

const monthPath = (job: string, month = "2026-11") => join(jobHistoryDir(dir.path, job), `${month}.jsonl`);

describe("run history", () => {
  it("reads back what was appended, by finish time, one JSON line each in the job's month file", async () => {
    const failed = record("Docs", 2, { status: "failed", errorCode: "REPO_LOCKED", errorMessage: "locked" });
    const success = record("Photos", 1, { snapshotId: "abc", stats: { filesNew: 3, dataAdded: 1024 } });
    await appendRunRecord(dir.path, success);
    await appendRunRecord(dir.path, failed);
    await appendRunRecord(dir.path, record("Photos", 3));

    expect(await readHistory(dir.path)).toEqual({
      records: [success, failed, record("Photos", 3)],
      skipped: 0,
    });
    expect(readFileSync(monthPath("Photos"), "utf8").split("\n")).toEqual([
      JSON.stringify(success),
      JSON.stringify(record("Photos", 3)),
      "",
    ]);
    expect(readdirSync(join(dir.path, "history")).sort()).toEqual(
      [jobHistoryDir(dir.path, "Docs"), jobHistoryDir(dir.path, "Photos")]
        .map((p) => p.split("/").at(-1))
        .sort(),
    );
  });

  it("filters by job and keeps the newest `limit`, also across jobs", async () => {
    for (let n = 1; n <= 5; n++) await appendRunRecord(dir.path, record(n % 2 ? "Photos" : "Docs", n));
    const photos = await readHistory(dir.path, { job: "Photos", limit: 2 });
    expect(photos.records.map((r) => r.runId)).toEqual(["run-3", "run-5"]);
    const all = await readHistory(dir.path, { limit: 3 });
    expect(all.records.map((r) => r.runId)).toEqual(["run-3", "run-4", "run-5"]);
  });

  it("is empty when nothing ran yet, for every query", async () => {
    expect(await readHistory(dir.path)).toEqual({ records: [], skipped: 0 });
    expect(await readHistory(dir.path, { job: "Photos", limit: 5 })).toEqual({ records: [], skipped: 0 });
  });

  it("tolerates a last line torn by a crash, and appends after it on a line of its own", async () => {
    await appendRunRecord(dir.path, record("Photos", 1));
    appendFileSync(monthPath("Photos"), JSON.stringify(record("Photos", 2)).slice(0, 30));

    expect(await readHistory(dir.path)).toEqual({ records: [record("Photos", 1)], skipped: 1 });
    expect(await readHistory(dir.path, { job: "Photos", limit: 5 })).toEqual({
      records: [record("Photos", 1)],
      skipped: 1,
    });

    await appendRunRecord(dir.path, record("Photos", 3));
    expect(await readHistory(dir.path)).toEqual({
      records: [record("Photos", 1), record("Photos", 3)],
      skipped: 1,
    });
  });

  it("skips and counts garbage lines", async () => {
    await appendRunRecord(dir.path, record("Photos", 0));
    writeFileSync(
      monthPath("Photos"),
      [
        "hello",
        JSON.stringify(record("Photos", 1)),
        "[1,2]",
        JSON.stringify({ job: "Photos", runId: "x" }),
        JSON.stringify({ ...record("Photos", 2), status: "exploded" }),
        "",
        JSON.stringify(record("Photos", 3)),
        "",
      ].join("\n"),
    );
    expect(await readHistory(dir.path)).toEqual({
      records: [record("Photos", 1), record("Photos", 3)],
      skipped: 4,
    });
  });

  it("visits a job's runs in a range one by one, oldest first, reading only the months it spans", async () => {
    for (const month of ["2026-09", "2026-10", "2026-11"]) {
      await appendRunRecord(dir.path, record("Photos", 1, {}, month));
      await appendRunRecord(dir.path, record("Photos", 2, {}, month));
      await appendRunRecord(dir.path, record("Docs", 1, {}, month));
    }
    appendFileSync(monthPath("Photos", "2026-10"), "torn {\n");
    const seen: string[] = [];
    const visited = await visitJobHistory(
      dir.path,
      { job: "Photos", since: "2026-10-25T10:01:02.000Z", until: "2026-11-25T10:01:02.000Z" },
      (run) => seen.push(`${run.job} ${run.finishedAt}`),
    );
    expect(seen).toEqual(["Photos 2026-10-25T10:01:02.000Z", "Photos 2026-11-25T10:01:01.000Z"]);
    expect(visited).toEqual({ skipped: 1 });
    // What readHistory returns for the same range, one record at a time.
    const read = await readHistory(dir.path, {
      job: "Photos",
      since: "2026-10-25T10:01:02.000Z",
      until: "2026-11-25T10:01:02.000Z",
    });
    expect(read.records.map((run) => `${run.job} ${run.finishedAt}`)).toEqual(seen);
    await expect(
      visitJobHistory(dir.path, { job: "Photos", since: "last week" }, () => {}),
    ).rejects.toMatchObject({
      code: "HISTORY_QUERY_INVALID",
    });
  });

  it("keeps a year: a new month's first run removes the job's months before the 12 previous ones", async () => {
    const months = Array.from(
      { length: 15 },
      (_, i) => `${2025 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`,
    );
    for (const [n, month] of months.entries()) {
      await appendRunRecord(dir.path, record("Photos", n, {}, month));
      await appendRunRecord(dir.path, record("Docs", n, {}, "2025-01"));
    }
    const kept = readdirSync(jobHistoryDir(dir.path, "Photos")).sort();
    // 2026-03 and the twelve months before it.
    expect(kept).toEqual(months.slice(2).map((month) => `${month}.jsonl`));
    // Another job's history is its own: one old month, the newest it has, stays.
    expect(readdirSync(jobHistoryDir(dir.path, "Docs"))).toEqual(["2025-01.jsonl"]);
    const { records } = await readHistory(dir.path, { job: "Photos" });
    expect(records.map((r) => r.runId)).toEqual(months.slice(2).map((_, i) => `run-${i + 2}`));
  });

  it("bounds a job's size: past maxJobBytes its oldest months go, never the newest", async () => {
    const lineBytes = JSON.stringify(record("Photos", 10)).length + 1;
    const retention = { maxJobBytes: lineBytes * 5 };
    for (const month of ["2026-01", "2026-02", "2026-03", "2026-04"]) {
      for (let n = 10; n < 13; n++)
        await appendRunRecord(dir.path, record("Photos", n, {}, month), { retention });
    }
    // At 2026-04's first run: 2026-03 (3 lines) and 2026-02 (3 more) cross 5 lines, so 2026-02 and older went.
    expect(readdirSync(jobHistoryDir(dir.path, "Photos")).sort()).toEqual(["2026-03.jsonl", "2026-04.jsonl"]);
  });

  it("loses no record when many runs finish at once", async () => {
    await Promise.all(Array.from({ length: 40 }, (_, n) => appendRunRecord(dir.path, record("Photos", n))));
    expect((await readHistory(dir.path)).records).toHaveLength(40);
  });

  it("loses no record when two writers (the daemon and a one-shot run) append at once", async () => {
    // A second copy of the module shares nothing with the first, as a second process would not.
    vi.resetModules();
    const other = await import("../../src/state/history.js");
    expect(other.appendRunRecord).not.toBe(appendRunRecord);
    const big = { errorMessage: "x".repeat(20_000) };
    await Promise.all(
      Array.from({ length: 30 }, (_, n) => [
        appendRunRecord(dir.path, record("Photos", n, n % 3 ? {} : big)),
        other.appendRunRecord(dir.path, record("Photos", 100 + n, n % 3 ? big : {})),
      ]).flat(),
    );
    const { records, skipped } = await readHistory(dir.path, { job: "Photos" });
    expect(skipped).toBe(0);
    expect(records.map((r) => r.runId).sort()).toEqual(
      Array.from({ length: 30 }, (_, n) => [`run-${n}`, `run-${100 + n}`])
        .flat()
        .sort(),
    );
  });

  it("fails as STATE_UNWRITABLE when the state folder cannot hold the history", async () => {
    writeFileSync(join(dir.path, "history"), "not a folder");
    await expect(appendRunRecord(dir.path, record("Photos", 1))).rejects.toMatchObject({
      code: "STATE_UNWRITABLE",
    });
  });
});
