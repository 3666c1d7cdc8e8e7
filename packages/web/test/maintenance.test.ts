import type { SchedulerEvent } from "@simplebackup/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leakyAttempt, type Setup, startDashboard } from "./helpers.js";

// A check or drill asked for from the dashboard: queued behind the repository's work like a run, told
// by its events. The maintenance here waits for the test's word, so "already queued" can be seen.
let setup: Setup;
let release: () => void = () => {};
const started: string[] = [];

beforeAll(async () => {
  setup = await startDashboard({}, leakyAttempt("success"), async (task, job) => {
    started.push(`${task} ${job.name}`);
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    return { ok: true, message: `${task} done` };
  });
  await setup.browser.logIn();
});
afterAll(async () => {
  release();
  await setup?.close();
});

describe("check and drill on demand", () => {
  it("queues a check (202), refuses a second while it runs (409), and tells its end as an event", async () => {
    const events: SchedulerEvent[] = [];
    const unsubscribe = setup.daemon.subscribe((event) => events.push(event));
    try {
      const first = await setup.browser.post("/api/jobs/docs/check");
      expect(first.status).toBe(202);
      expect(first.json()).toEqual({ job: "docs", task: "check", queued: true });
      await expect.poll(() => started).toEqual(["check docs"]);
      const second = await setup.browser.post("/api/jobs/docs/check");
      expect(second.status).toBe(409);
      expect(second.json()).toMatchObject({ error: { code: "ALREADY_QUEUED" } });
      release();
      await expect.poll(() => events.map((event) => event.type)).toContain("check-done");
    } finally {
      unsubscribe();
    }
  });

  it("runs a drill the same way, and 404s an unknown job", async () => {
    expect((await setup.browser.post("/api/jobs/nope/drill")).status).toBe(404);
    const reply = await setup.browser.post("/api/jobs/docs/drill");
    expect(reply.status).toBe(202);
    await expect.poll(() => started).toContain("drill docs");
    release();
  });

  it("needs the same-origin proof like every write", async () => {
    const reply = await setup.browser.post("/api/jobs/docs/check", undefined, {
      Origin: "http://evil.example",
    });
    expect(reply.status).toBe(403);
  });
});
