import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Setup, startDashboard } from "./helpers.js";
import { openEventStream } from "./sse.js";

let setup: Setup;
beforeAll(async () => {
  setup = await startDashboard({ heartbeatMs: 50 });
  await setup.browser.logIn();
});
afterAll(async () => {
  await setup?.close();
});

async function runAndWait(job: string): Promise<void> {
  const reply = await setup.browser.post(`/api/jobs/${encodeURIComponent(job)}/run`);
  expect(reply.status).toBe(202);
  expect(reply.json()).toEqual({ job, queued: true });
  await expect
    .poll(async () => (await setup.daemon.history({ job })).length, { timeout: 5_000 })
    .toBeGreaterThan(0);
  await setup.daemon.scheduler.whenIdle();
}

describe("the dashboard API", () => {
  it("streams the daemon's events with heartbeats while a job runs now", async () => {
    const { browser, server } = setup;
    const stream = await openEventStream(`${server.url}/api/events`, { Cookie: browser.cookie ?? "" });
    try {
      expect(stream.status).toBe(200);
      expect(stream.headers["content-type"]).toMatch(/^text\/event-stream/);
      expect(stream.headers["content-security-policy"]).toBeDefined();
      await stream.waitFor(/: heartbeat\n\n/);
      await runAndWait("docs");
      await stream.waitFor(/event: retry\ndata: \{[^\n]*"job":"docs"/);
      const text = stream.text();
      expect(text).toMatch(/event: start\ndata: /);
      expect(text).toMatch(/event: progress\ndata: \{[^\n]*"percentDone":0.5/);
    } finally {
      stream.close();
    }
  });

  it("lists every job with its state, next run, last result, last success and copies", async () => {
    const reply = await setup.browser.get("/api/jobs");
    expect(reply.status).toBe(200);
    const { jobs } = reply.json<{ jobs: Record<string, unknown>[] }>();
    expect(jobs.map((job) => job.job)).toEqual(["docs", "app db"]);
    expect(jobs[0]).toMatchObject({
      job: "docs",
      state: expect.stringMatching(/^(idle|retrying)$/),
      schedule: "0 2 * * *",
      nextRunAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      lastResult: { status: "failed", errorCode: "RESTIC_FAILED", runId: expect.any(String) },
      lastSuccessAt: null,
      lastSuccessAgeMs: null,
      stale: false,
      progress: null,
      copies: [],
    });
    expect(jobs[1]).toMatchObject({ repository: "rest:https://backup:***@backup.example:8000/app" });
  });

  it("pages through a job's history, newest first, with limit and before", async () => {
    await runAndWait("docs");
    const all = (await setup.browser.get("/api/jobs/docs/history")).json<{
      runs: { startedAt: string; runId: string }[];
    }>();
    expect(all.runs.length).toBe(2);
    expect(Date.parse(all.runs[0]?.startedAt ?? "")).toBeGreaterThanOrEqual(
      Date.parse(all.runs[1]?.startedAt ?? ""),
    );
    const newest = (await setup.browser.get("/api/jobs/docs/history?limit=1")).json<typeof all>();
    expect(newest.runs.map((run) => run.runId)).toEqual([all.runs[0]?.runId]);
    const older = await setup.browser.get(
      `/api/jobs/docs/history?limit=1&before=${encodeURIComponent(all.runs[0]?.startedAt ?? "")}`,
    );
    expect(older.json<typeof all>().runs.map((run) => run.runId)).toEqual([all.runs[1]?.runId]);
    expect((await setup.browser.get("/api/jobs/docs/history?limit=0")).status).toBe(400);
    expect((await setup.browser.get("/api/jobs/docs/history?limit=x")).status).toBe(400);
    expect((await setup.browser.get("/api/jobs/docs/history?before=yesterday")).status).toBe(400);
    expect((await setup.browser.get("/api/jobs/nope/history")).status).toBe(404);
  });

  it("serves a run's log as text, and nothing outside the job's log folder", async () => {
    const [run] = (await setup.browser.get("/api/jobs/docs/history?limit=1")).json<{
      runs: { runId: string }[];
    }>().runs;
    const reply = await setup.browser.get(`/api/jobs/docs/runs/${run?.runId}/log`);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(reply.text).toContain("restic said:");
    for (const path of [
      "/api/jobs/docs/runs/..%2F..%2Fdashboard-token/log",
      "/api/jobs/docs/runs/%2E%2E/log",
      "/api/jobs/..%2F..%2F/runs/00000000/log",
      "/api/jobs/docs/runs/..%5C..%5Cdashboard-token/log",
      "/api/jobs/docs/runs/ffffffffffff/log",
      `/api/jobs/app%20db/runs/${run?.runId}/log`,
    ]) {
      const refused = await setup.browser.get(path);
      expect([path, refused.status]).toEqual([path, 404]);
      expect(refused.text).not.toContain("restic said");
    }
  });

  it("cancels: false when the job has nothing running, 404 for an unknown job", async () => {
    expect((await setup.browser.post("/api/jobs/docs/cancel")).json()).toEqual({
      job: "docs",
      cancelled: false,
    });
    expect((await setup.browser.post("/api/jobs/nope/cancel")).status).toBe(404);
    expect((await setup.browser.post("/api/jobs/nope/run")).status).toBe(404);
  });

  it("shows the config read-only, with password sources by kind and env values masked", async () => {
    const { config } = (await setup.browser.get("/api/config")).json<{
      config: { jobs: Record<string, unknown>[] };
    }>();
    const [docs, app] = config.jobs;
    expect(docs).toMatchObject({
      name: "docs",
      password: { kind: "literal", value: "***" },
      env: { AWS_SECRET_ACCESS_KEY: "***", AWS_DEFAULT_REGION: "***" },
    });
    expect(app).toMatchObject({
      password: { kind: "env", variable: "APP_RESTIC_PASSWORD" },
      repository: "rest:https://backup:***@backup.example:8000/app",
      databases: [
        { type: "postgresql", name: "app", host: "db.example", password: { kind: "literal", value: "***" } },
      ],
    });
  });

  it("shows the problems of a config file a reload refused, with their places, until it is fixed", async () => {
    const file = join(setup.dir, "config.json");
    const good = await readFile(file, "utf8");
    const broken = JSON.parse(good) as { backupjobs: Record<string, unknown>[] };
    const [first] = broken.backupjobs;
    if (!first) throw new Error("no job");
    first.backup_interval = "every day at 2";
    try {
      await writeFile(file, JSON.stringify(broken));
      expect(await setup.daemon.scheduler.reload()).toBe(false);
      const body = (await setup.browser.get("/api/config")).json<{
        config: { jobs: { schedule?: string }[] };
        problems: { file: string; at: string; problems: string[] } | null;
      }>();
      expect(body.problems).toMatchObject({ file, at: expect.stringMatching(/^\d{4}-/) });
      expect(body.problems?.problems.join("\n")).toMatch(
        /backupjobs\[0\] \("docs"\)\.backup_interval: .*not a valid cron expression/,
      );
      // The daemon goes on with the config it last read, and the page says which that is.
      expect(body.config.jobs[0]).toMatchObject({ schedule: "0 2 * * *" });
    } finally {
      await writeFile(file, good);
    }
    expect(await setup.daemon.scheduler.reload()).toBe(true);
    expect((await setup.browser.get("/api/config")).json<{ problems: unknown }>().problems).toBeNull();
  });

  it("ends open event streams when the server closes", async () => {
    const extra = await startDashboard({ heartbeatMs: 60_000 });
    await extra.browser.logIn();
    const stream = await openEventStream(`${extra.server.url}/api/events`, {
      Cookie: extra.browser.cookie ?? "",
    });
    await stream.waitFor(/: connected/);
    const started = Date.now();
    await extra.close();
    await stream.ended;
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
