import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  appendRunRecord,
  type RunHistoryRecord,
  readHistory,
  readHistoryPage,
} from "../../src/state/history.js";
import { readRunSummaries } from "../../src/state/history-summary.js";
import { createTempDir } from "../helpers/tree.js";

let dir: { path: string; dispose(): void };
beforeEach(() => {
  dir = createTempDir("sb-history-migrate-");
});
afterEach(() => dir.dispose());

/** Run `n` of a job, finished `n` minutes into the 10th of `month`. */
function record(job: string, n: number, month: string): RunHistoryRecord {
  return {
    job,
    runId: `${job}-${n}`,
    startedAt: `${month}-10T10:00:00.000Z`,
    finishedAt: `${month}-10T10:0${n}:00.000Z`,
    status: n === 2 ? "partial" : "success",
    durationMs: 1000,
  };
}

/** A history.jsonl as versions before issue 17 left it: two jobs over two months and a torn last line. */
const OLD = [
  record("Photos", 1, "2026-10"),
  record("Docs", 2, "2026-10"),
  record("Photos", 2, "2026-11"),
  record("Docs", 3, "2026-11"),
  record("Photos", 4, "2026-11"),
];
function writeOldHistory() {
  const lines = OLD.map((r) => JSON.stringify(r));
  writeFileSync(join(dir.path, "history.jsonl"), `not json\n${lines.join("\n")}\n{"job":"Pho`);
}

describe("an old history.jsonl", () => {
  it("is read after the upgrade, moved into the per-job store, and the old file removed", async () => {
    writeOldHistory();
    expect((await readHistory(dir.path)).records).toEqual(OLD);
    expect(existsSync(join(dir.path, "history.jsonl"))).toBe(false);
    expect(readdirSync(dir.path)).toEqual(["history"]);
    const page = await readHistoryPage(dir.path, { job: "Photos", limit: 2 });
    expect(page.records.map((r) => r.runId)).toEqual(["Photos-4", "Photos-2"]);
    expect((await readRunSummaries(dir.path)).get("Photos")?.lastPartial?.runId).toBe("Photos-2");
  });

  it("is kept when the first thing after the upgrade is an append", async () => {
    writeOldHistory();
    const next = record("Photos", 5, "2026-11");
    await appendRunRecord(dir.path, next);
    expect((await readHistory(dir.path, { job: "Photos" })).records).toEqual([OLD[0], OLD[2], OLD[4], next]);
  });

  it("is moved once when two processes upgrade at the same time", async () => {
    writeOldHistory();
    // A second copy of the modules remembers nothing of the first one's migration, as another process.
    vi.resetModules();
    const other = await import("../../src/state/history.js");
    const [, , mine] = await Promise.all([
      other.appendRunRecord(dir.path, record("Docs", 5, "2026-11")),
      other.readHistory(dir.path),
      readHistory(dir.path, { job: "Photos" }),
    ]);
    expect(mine.records).toEqual([OLD[0], OLD[2], OLD[4]]);
    const { records } = await readHistory(dir.path);
    expect(records.map((r) => r.runId).sort()).toEqual([...OLD.map((r) => r.runId), "Docs-5"].sort());
    expect(readdirSync(dir.path)).toEqual(["history"]);
  });
});
