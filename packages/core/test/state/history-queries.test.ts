import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  appendRunRecord,
  type RunHistoryRecord,
  readHistory,
  readHistoryPage,
  readLatestRecords,
} from "../../src/state/history.js";
import { jobHistoryDir } from "../../src/state/history-files.js";
import { readRunSummaries } from "../../src/state/history-summary.js";
import type { RunStatus } from "../../src/state/job-state.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-history-query-");
});
afterEach(() => dir.dispose());

const HOUR = 3_600_000;
const START = Date.parse("2026-01-31T20:00:00.000Z");

/** The job's `n`th hourly run, finished 5 minutes after it started; hour 4 is already February. */
function hourly(job: string, n: number, status: RunStatus = "success"): RunHistoryRecord {
  const started = START + n * HOUR;
  return {
    job,
    runId: `${job}-${n}`,
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + 300_000).toISOString(),
    status,
    durationMs: 300_000,
    stats: { dataAdded: n },
  };
}

async function appendHours(job: string, count: number, status?: (n: number) => RunStatus) {
  for (let n = 0; n < count; n++) await appendRunRecord(dir.path, hourly(job, n, status?.(n)));
}

const ids = (records: readonly RunHistoryRecord[]) => records.map((r) => r.runId);

describe("a job's history, newest first, a page at a time", () => {
  it("pages through every run once, across month files, and says when there is no more", async () => {
    await appendHours("Photos", 10);
    await appendHours("Docs", 3);
    const seen: string[] = [];
    let before: string | undefined;
    let pages = 0;
    do {
      const page = await readHistoryPage(dir.path, {
        job: "Photos",
        limit: 3,
        ...(before ? { before } : {}),
      });
      seen.push(...ids(page.records));
      before = page.nextCursor;
      pages++;
    } while (before !== undefined);
    expect(pages).toBe(4);
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `Photos-${9 - i}`));
  });

  it("has no next page when the page ends exactly at the oldest run", async () => {
    await appendHours("Photos", 4);
    const page = await readHistoryPage(dir.path, { job: "Photos", limit: 4 });
    expect(ids(page.records)).toEqual(["Photos-3", "Photos-2", "Photos-1", "Photos-0"]);
    expect(page.nextCursor).toBeUndefined();
  });

  it("keeps its cursor while newer runs are appended", async () => {
    await appendHours("Photos", 6);
    const first = await readHistoryPage(dir.path, { job: "Photos", limit: 2 });
    await appendRunRecord(dir.path, hourly("Photos", 6));
    const second = await readHistoryPage(dir.path, { job: "Photos", limit: 2, before: first.nextCursor });
    expect(ids(second.records)).toEqual(["Photos-3", "Photos-2"]);
  });

  it("defaults to 50 and is empty for a job that never ran", async () => {
    await appendHours("Photos", 60);
    expect((await readHistoryPage(dir.path, { job: "Photos" })).records).toHaveLength(50);
    expect(await readHistoryPage(dir.path, { job: "Nope" })).toEqual({ records: [], skipped: 0 });
  });

  it("passes over a torn line and counts it", async () => {
    await appendHours("Photos", 2);
    appendFileSync(join(jobHistoryDir(dir.path, "Photos"), "2026-02.jsonl"), '{"job":"Photos","ru');
    const page = await readHistoryPage(dir.path, { job: "Photos", limit: 5 });
    expect(page).toEqual({ records: [hourly("Photos", 1), hourly("Photos", 0)], skipped: 1 });
  });

  it.each(["", "yesterday", "2026-02", "2026-02:-1", "2026-02:1:2"])(
    "refuses the cursor %j",
    async (before) => {
      await expect(readHistoryPage(dir.path, { job: "Photos", before })).rejects.toMatchObject({
        code: "HISTORY_QUERY_INVALID",
      });
    },
  );
});

describe("a time range, oldest first", () => {
  it("returns the runs finished in [since, until)", async () => {
    await appendHours("Photos", 8);
    await appendHours("Docs", 8);
    const since = hourly("Photos", 2).finishedAt;
    const until = new Date(Date.parse(hourly("Photos", 6).finishedAt)).toISOString();
    const { records } = await readHistory(dir.path, { job: "Photos", since, until });
    expect(ids(records)).toEqual(["Photos-2", "Photos-3", "Photos-4", "Photos-5"]);
    const fromFebruary = await readHistory(dir.path, {
      job: "Photos",
      since: new Date("2026-02-01T00:00:00Z"),
    });
    expect(ids(fromFebruary.records)).toEqual(["Photos-4", "Photos-5", "Photos-6", "Photos-7"]);
  });

  it("reads only the months it spans: a broken older month is not touched", async () => {
    await appendHours("Photos", 8);
    writeFileSync(join(jobHistoryDir(dir.path, "Photos"), "2026-01.jsonl"), "garbage\n");
    const { records, skipped } = await readHistory(dir.path, {
      job: "Photos",
      since: "2026-02-01T00:00:00Z",
    });
    expect(ids(records)).toEqual(["Photos-4", "Photos-5", "Photos-6", "Photos-7"]);
    expect(skipped).toBe(0);
  });

  it("refuses a time that is none", async () => {
    await expect(readHistory(dir.path, { job: "Photos", since: "last week" })).rejects.toMatchObject({
      code: "HISTORY_QUERY_INVALID",
    });
  });
});

describe("each job's newest", () => {
  it("gives every job's newest run, by job name", async () => {
    await appendHours("Photos", 6);
    await appendHours("Docs", 2);
    expect(ids(await readLatestRecords(dir.path))).toEqual(["Docs-1", "Photos-5"]);
    expect(await readLatestRecords(join(dir.path, "missing"))).toEqual([]);
  });

  it("summarizes each job's newest attempt, success and partial run, however far back", async () => {
    // Photos: a partial run in January, then only successes and, last, a failure in February.
    await appendHours("Photos", 12, (n) => (n === 1 ? "partial" : n === 11 ? "failed" : "success"));
    await appendHours("Docs", 3, () => "failed");
    appendFileSync(join(jobHistoryDir(dir.path, "Photos"), "2026-02.jsonl"), '{"status":"success","jo');
    const summaries = await readRunSummaries(dir.path);
    const photos = summaries.get("Photos");
    expect(photos?.lastAttempt?.runId).toBe("Photos-11");
    expect(photos?.lastSuccess?.runId).toBe("Photos-10");
    expect(photos?.lastPartial?.runId).toBe("Photos-1");
    expect(summaries.get("Docs")).toEqual({
      lastAttempt: expect.objectContaining({ runId: "Docs-2" }),
    });
  });

  it("reads only what was appended since its checkpoint, and ignores a checkpoint it cannot trust", async () => {
    await appendHours("Photos", 6, (n) => (n === 1 ? "partial" : "success"));
    const photos = jobHistoryDir(dir.path, "Photos");
    await readRunSummaries(dir.path);
    expect(existsSync(join(photos, "summary.json"))).toBe(true);

    await appendRunRecord(dir.path, hourly("Photos", 6, "failed"));
    let summary = (await readRunSummaries(dir.path)).get("Photos");
    expect([summary?.lastAttempt?.runId, summary?.lastSuccess?.runId, summary?.lastPartial?.runId]).toEqual([
      "Photos-6",
      "Photos-5",
      "Photos-1",
    ]);

    // A torn checkpoint is ignored: the files are read whole.
    writeFileSync(join(photos, "summary.json"), "{torn");
    summary = (await readRunSummaries(dir.path)).get("Photos");
    expect(summary?.lastPartial?.runId).toBe("Photos-1");

    // February's file rewritten shorter than the checkpoint's offset: read whole again.
    const february = join(photos, "2026-02.jsonl");
    writeFileSync(february, `${JSON.stringify(hourly("Photos", 4, "partial"))}\n`);
    summary = (await readRunSummaries(dir.path)).get("Photos");
    expect([summary?.lastAttempt?.runId, summary?.lastSuccess?.runId, summary?.lastPartial?.runId]).toEqual([
      "Photos-4",
      "Photos-3",
      "Photos-4",
    ]);
  });
});
