import { createHash } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { RunHistoryRecord } from "@simplebackup/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRunSeries, type RunSeries } from "../src/run-series.js";
import { type Setup, startDashboard } from "./helpers.js";

const HOUR = 3_600_000;

function record(finished: number, extra: Partial<RunHistoryRecord> = {}): RunHistoryRecord {
  return {
    job: "docs",
    runId: `run-${finished}`,
    startedAt: new Date(finished - 65_000).toISOString(),
    finishedAt: new Date(finished).toISOString(),
    status: "success",
    durationMs: 65_040,
    stats: { filesNew: 3, filesChanged: 2, dataAdded: 4096, totalBytesProcessed: 1_000_000 },
    ...extra,
  };
}

describe("buildRunSeries", () => {
  it("turns records into columns, with null where restic gave no counters", () => {
    const since = new Date("2026-01-01T00:00:00Z");
    const ok = record(Date.parse("2026-01-02T00:00:00Z"));
    const failed = record(Date.parse("2026-01-02T01:00:00Z"), { status: "failed", stats: undefined });
    expect(buildRunSeries("docs", since, [ok, failed])).toEqual({
      job: "docs",
      since: "2026-01-01T00:00:00.000Z",
      finishedAt: [Date.parse(ok.finishedAt) / 1000, Date.parse(failed.finishedAt) / 1000],
      status: ["success", "failed"],
      durationS: [65, 65],
      dataAdded: [4096, null],
      filesNew: [3, null],
      filesChanged: [2, null],
      snapshotBytes: [1_000_000, null],
    });
  });
});

describe("GET /api/jobs/:job/series", () => {
  let setup: Setup;
  const now = Date.now();
  beforeAll(async () => {
    setup = await startDashboard();
    await setup.browser.logIn();
    // Three runs in the history files the store reads: 400 days ago (outside the default year),
    // 10 days ago and an hour ago.
    // The job's folder as core names it: the name made safe, plus a hash of it.
    const hash = createHash("sha256").update("docs").digest("hex").slice(0, 6);
    const dir = join(setup.stateDir, "history", `docs-${hash}`);
    await mkdir(dir, { recursive: true });
    for (const finished of [now - 400 * 24 * HOUR, now - 10 * 24 * HOUR, now - HOUR]) {
      const line = `${JSON.stringify(record(finished))}\n`;
      await appendFile(join(dir, `${new Date(finished).toISOString().slice(0, 7)}.jsonl`), line);
    }
  });
  afterAll(async () => {
    await setup?.close();
  });

  it("answers the last year by default, oldest first", async () => {
    const reply = await setup.browser.get("/api/jobs/docs/series");
    expect(reply.status).toBe(200);
    const series = reply.json<RunSeries>();
    expect(series.finishedAt).toEqual([now - 10 * 24 * HOUR, now - HOUR].map((t) => Math.round(t / 1000)));
    expect(series.dataAdded).toEqual([4096, 4096]);
  });

  it("answers from `since` on", async () => {
    const since = new Date(now - 2 * HOUR).toISOString();
    const series = (await setup.browser.get(`/api/jobs/docs/series?since=${since}`)).json<RunSeries>();
    expect(series).toMatchObject({ since, status: ["success"] });
    const all = (
      await setup.browser.get("/api/jobs/docs/series?since=2000-01-01T00:00:00Z")
    ).json<RunSeries>();
    expect(all.status).toHaveLength(3);
  });

  it("answers the same from a daemon that can only read its history whole (no visitHistory)", async () => {
    const since = "2000-01-01T00:00:00Z";
    const visited = (await setup.browser.get(`/api/jobs/docs/series?since=${since}`)).json<RunSeries>();
    const { daemon } = setup;
    const whole = await startDashboard({}, undefined, undefined, () => ({
      status: () => daemon.status(),
      history: (options) => daemon.history(options),
      runNow: (job) => daemon.runNow(job),
      cancel: (job) => daemon.cancel(job),
      subscribe: (listener) => daemon.subscribe(listener),
      scheduler: daemon.scheduler,
      env: daemon.env,
    }));
    try {
      await whole.browser.logIn();
      const read = (await whole.browser.get(`/api/jobs/docs/series?since=${since}`)).json<RunSeries>();
      expect(read).toEqual(visited);
      expect(read.status).toHaveLength(3);
    } finally {
      await whole.close();
    }
  });

  it("refuses a bad time, an unknown job and a request without a session", async () => {
    const bad = await setup.browser.get("/api/jobs/docs/series?since=last-week");
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect((await setup.browser.get("/api/jobs/nope/series")).status).toBe(404);
    const anonymous = await fetch(`${setup.server.url}/api/jobs/docs/series`);
    expect(anonymous.status).toBe(401);
  });
});
