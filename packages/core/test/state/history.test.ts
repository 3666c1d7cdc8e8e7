import { appendFileSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { appendRunRecord, type RunHistoryRecord, readHistory } from "../../src/state/history.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-history-");
});
afterEach(() => dir.dispose());

function record(job: string, n: number, extra: Partial<RunHistoryRecord> = {}): RunHistoryRecord {
  return {
    job,
    runId: `run-${n}`,
    startedAt: `2026-11-25T10:00:${String(n % 60).padStart(2, "0")}.000Z`,
    finishedAt: `2026-11-25T10:01:${String(n % 60).padStart(2, "0")}.000Z`,
    status: "success",
    durationMs: 60_000,
    ...extra,
  };
}

const historyFile = () => join(dir.path, "history.jsonl");

describe("run history", () => {
  it("reads back what was appended, newest last, one JSON line each", async () => {
    const failed = record("Docs", 2, { status: "failed", errorCode: "REPO_LOCKED", errorMessage: "locked" });
    const success = record("Photos", 1, { snapshotId: "abc", stats: { filesNew: 3, dataAdded: 1024 } });
    await appendRunRecord(dir.path, success);
    await appendRunRecord(dir.path, failed);
    await appendRunRecord(dir.path, record("Photos", 3));

    expect(await readHistory(dir.path)).toEqual({
      records: [success, failed, record("Photos", 3)],
      skipped: 0,
    });
    expect(readFileSync(historyFile(), "utf8").split("\n")).toHaveLength(4);
  });

  it("filters by job and keeps the newest `limit`", async () => {
    for (let n = 1; n <= 5; n++) await appendRunRecord(dir.path, record(n % 2 ? "Photos" : "Docs", n));
    const { records } = await readHistory(dir.path, { job: "Photos", limit: 2 });
    expect(records.map((r) => r.runId)).toEqual(["run-3", "run-5"]);
  });

  it("is empty when nothing ran yet", async () => {
    expect(await readHistory(dir.path)).toEqual({ records: [], skipped: 0 });
  });

  it("tolerates a last line torn by a crash, and appends after it on a line of its own", async () => {
    await appendRunRecord(dir.path, record("Photos", 1));
    appendFileSync(historyFile(), JSON.stringify(record("Photos", 2)).slice(0, 30));

    expect(await readHistory(dir.path)).toEqual({ records: [record("Photos", 1)], skipped: 1 });

    await appendRunRecord(dir.path, record("Photos", 3));
    expect(await readHistory(dir.path)).toEqual({
      records: [record("Photos", 1), record("Photos", 3)],
      skipped: 1,
    });
  });

  it("skips and counts garbage lines", async () => {
    writeFileSync(
      historyFile(),
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

  it("compacts past maxBytes to the newest half, atomically", async () => {
    const lineBytes = JSON.stringify(record("Photos", 10)).length + 1;
    const maxBytes = lineBytes * 10;
    for (let n = 10; n < 30; n++) await appendRunRecord(dir.path, record("Photos", n), { maxBytes });

    expect(statSync(historyFile()).size).toBeLessThanOrEqual(maxBytes);
    const { records } = await readHistory(dir.path);
    expect(records.at(-1)?.runId).toBe("run-29");
    expect(records.length).toBeGreaterThanOrEqual(5);
    // Contiguous: the newest are kept, nothing in between lost.
    const ids = records.map((r) => Number(r.runId.slice(4)));
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => 30 - ids.length + i));
    expect(readdirSync(dir.path)).toEqual(["history.jsonl"]);
  });

  it("loses no record when many runs finish at once", async () => {
    const lineBytes = JSON.stringify(record("Photos", 10)).length + 1;
    await Promise.all(
      Array.from({ length: 40 }, (_, n) =>
        appendRunRecord(dir.path, record("Photos", n), { maxBytes: lineBytes * 1000 }),
      ),
    );
    expect((await readHistory(dir.path)).records).toHaveLength(40);
  });
});
