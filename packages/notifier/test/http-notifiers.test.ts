// webhook, ntfy and healthchecks against a real HTTP receiver on 127.0.0.1.
import type { SchedulerEvents } from "@simplebackup/core";
import { EventEmitter } from "eventemitter3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createNotifierHub, healthchecks, type Notifier, ntfy, webhook } from "../src/index.js";
import { encodeHeader } from "../src/ntfy/ntfy.js";
import { AT, RUN_ID, sampleEvents } from "./helpers/events.js";
import { closedPort, type Recorder, startRecorder } from "./helpers/http-recorder.js";

let server: Recorder;
let logs: string[];

beforeEach(async () => {
  server = await startRecorder();
  logs = [];
});

afterEach(async () => {
  await server.close();
});

const events = sampleEvents();

function hubFor(notifier: Notifier) {
  return createNotifierHub({
    notifiers: [notifier],
    logger: { warn: (line) => logs.push(line), error: (line) => logs.push(line) },
    retryDelayMs: 0,
    timeoutMs: 5_000,
  });
}

describe("webhook", () => {
  it("POSTs the event and its message as JSON, with the configured headers, in order", async () => {
    const hub = hubFor(
      webhook({
        url: `${server.url}/hook`,
        headers: { "x-api-key": "k-123" },
        on: ["start", "success", "failure"],
      }),
    );
    hub.dispatch(events.start);
    hub.dispatch(events.failure);
    hub.dispatch(events.success);
    await hub.flush();

    expect(server.requests.map((r) => [r.method, r.url])).toEqual([
      ["POST", "/hook"],
      ["POST", "/hook"],
      ["POST", "/hook"],
    ]);
    const bodies = server.requests.map((r) => JSON.parse(r.body));
    expect(bodies.map((body) => body.event.type)).toEqual(["start", "failure", "success"]);
    expect(server.requests[0]?.headers).toMatchObject({
      "content-type": "application/json",
      "x-api-key": "k-123",
      "user-agent": "simplebackup-notifier",
    });
    expect(bodies[1]).toEqual({
      event: {
        type: "failure",
        job: "Photos",
        runId: RUN_ID,
        at: AT.toISOString(),
        phase: "backup",
        code: "REPO_LOCKED",
        message: "the repository is locked by PID 4242 on nas",
        exitCode: 11,
        durationMs: 2000,
      },
      notification: {
        title: "Photos: backup failed: Repository locked",
        body: expect.stringContaining("Repository locked: the repository is locked by PID 4242 on nas"),
        severity: "error",
      },
    });
    expect(bodies[2].event.stats.totalFilesProcessed).toBe(1234);
  });

  it("sends a copy event with its target, masked repository and times as ISO strings", async () => {
    await webhook({ url: `${server.url}/hook` }).notify(events["copy-failed"]);
    const body = JSON.parse(server.requests[0]?.body ?? "{}");
    expect(body.event).toMatchObject({
      type: "copy-failed",
      target: "offsite",
      repository: "rest:https://backup:***@nas.example:8000/photos",
      code: "BACKEND_UNAVAILABLE",
      nextAttemptAt: "2026-06-01T10:15:00.000Z",
    });
    expect(body.notification.title).toBe("Photos: copy to offsite failed: Destination unreachable");
  });

  it("sends credentials written in the URL as basic auth (fetch refuses them in URLs)", async () => {
    await webhook({ url: `http://ann:pa%40ss@127.0.0.1:${server.port}/hook` }).notify(events.failure);
    expect(server.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("ann:pa@ss").toString("base64")}`,
    );
  });

  it("retries a 5xx itself when told to", async () => {
    server.answer(503, 502);
    await webhook({ url: `${server.url}/hook`, retries: 2, retryDelayMs: 10 }).notify(events.failure);
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry itself on a 4xx", async () => {
    server.answer(404);
    await expect(webhook({ url: `${server.url}/hook`, retries: 2 }).notify(events.failure)).rejects.toThrow(
      /answered 404: boom/,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe("ntfy", () => {
  it("publishes the body as plain text with title, priority and tags headers", async () => {
    const hub = hubFor(
      ntfy({
        url: `${server.url}/backups-4f9a`,
        token: "tk_abc",
        tags: ["laptop"],
        priority: { success: "min" },
        on: ["success", "failure", "destination-full"],
      }),
    );
    hub.dispatch(events.success);
    hub.dispatch(events.failure);
    hub.dispatch(events.destinationFull);
    await hub.flush();

    const [success, failure, full] = server.requests;
    expect(success?.url).toBe("/backups-4f9a");
    expect(success?.headers).toMatchObject({
      "content-type": "text/plain; charset=utf-8",
      title: "Photos: backup succeeded",
      priority: "min",
      tags: "white_check_mark,laptop",
      authorization: "Bearer tk_abc",
    });
    expect(success?.body).toContain("1,234 files processed");
    expect(failure?.headers).toMatchObject({ priority: "4", tags: "rotating_light,laptop" });
    // The more specific kind wins: a full destination is urgent.
    expect(full?.headers.priority).toBe("5");
    expect(full?.body.split("\n")[0]).toBe("Destination full: /mnt/backup has no space left");
  });

  it("gives a lagging copy a failure's priority and a failed copy, which is retried, a lower one", async () => {
    const hub = hubFor(
      ntfy({ url: `${server.url}/t`, on: ["copy-lagging", "copy-failed", "copy-done", "skipped"] }),
    );
    for (const type of ["copy-lagging", "copy-failed", "copy-done", "skippedConditions"] as const) {
      hub.dispatch(events[type]);
    }
    await hub.flush();
    expect(server.requests.map((r) => [r.headers.title, r.headers.priority])).toEqual([
      ["Photos: copy to offsite lags 2d 3h behind", "4"],
      ["Photos: copy to offsite failed: Destination unreachable", "3"],
      ["Photos: copied 3 snapshots to offsite", "2"],
      ["Photos: backup waits for mains power", "3"],
    ]);
  });

  it("encodes a title that is not ASCII as an RFC 2047 word", async () => {
    const event = sampleEvents("Fotos Übersicht").failure;
    await ntfy({ url: `${server.url}/t` }).notify(event);
    const title = server.requests[0]?.headers.title as string;
    expect(title).toBe(encodeHeader("Fotos Übersicht: backup failed: Repository locked"));
    const decoded = Buffer.from(/^=\?UTF-8\?B\?(.*)\?=$/.exec(title)?.[1] ?? "", "base64").toString("utf8");
    expect(decoded).toBe("Fotos Übersicht: backup failed: Repository locked");
  });
});

describe("healthchecks", () => {
  it("pings /start, the base URL on success, /fail on failure, with the run id", async () => {
    const hub = hubFor(healthchecks({ url: `${server.url}/ping/abc-uuid/` }));
    hub.dispatch(events.start);
    hub.dispatch(events.success);
    hub.dispatch(events.failure);
    hub.dispatch(events.partial);
    hub.dispatch(events.stale); // not in its default `on`
    await hub.flush();
    expect(server.requests.map((r) => r.url)).toEqual([
      `/ping/abc-uuid/start?rid=${RUN_ID}`,
      `/ping/abc-uuid?rid=${RUN_ID}`,
      `/ping/abc-uuid/fail?rid=${RUN_ID}`,
      `/ping/abc-uuid/fail?rid=${RUN_ID}`,
    ]);
    expect(server.requests[2]?.body).toContain(
      "Repository locked: the repository is locked by PID 4242 on nas",
    );
    expect(server.requests[3]?.body).toContain("/home/ann/Photos/locked.db (permission denied)");
  });

  it("never pings /fail for a copy or a run that waits for its when: the check is about the backups", async () => {
    const url = `${server.url}/ping/abc-uuid`;
    const byDefault = hubFor(healthchecks({ url }));
    for (const type of ["copy-failed", "copy-lagging", "copy-done", "skippedConditions"] as const) {
      byDefault.dispatch(events[type]);
    }
    await byDefault.flush();
    expect(server.requests).toEqual([]);

    const asked = hubFor(healthchecks({ url, on: ["copy-failed", "copy-lagging", "skipped"] }));
    for (const type of ["copy-failed", "copy-lagging", "skippedConditions"] as const) {
      asked.dispatch(events[type]);
    }
    await asked.flush();
    expect(server.requests.map((r) => r.url)).toEqual([
      `/ping/abc-uuid/log?rid=${RUN_ID}`,
      "/ping/abc-uuid/log",
      `/ping/abc-uuid/log?rid=${RUN_ID}`,
    ]);
  });

  it("logs other kinds it is asked for to /log, and leaves out a run id that is not a UUID", async () => {
    await healthchecks({ url: `${server.url}/ping/x`, on: ["stale"] }).notify(events.stale);
    expect(server.requests[0]?.url).toBe("/ping/x/log");
  });
});

describe.each([
  ["webhook", (url: string) => webhook({ url: `${url}/r`, timeoutMs: 300 })],
  ["ntfy", (url: string) => ntfy({ url: `${url}/r`, timeoutMs: 300 })],
  ["healthchecks", (url: string) => healthchecks({ url: `${url}/r`, timeoutMs: 300 })],
])("%s with a failing receiver", (_name, make) => {
  it("answering 500: logged, retried once, nothing thrown out of the hub", async () => {
    server.always(500);
    const hub = hubFor(make(server.url));
    expect(() => hub.dispatch(events.failure)).not.toThrow();
    await hub.flush();
    expect(server.requests).toHaveLength(2);
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/answered 500: boom; trying once more/);
    expect(logs[1]).toMatch(/failed again .* giving up/);
  });

  it("answering 500 once: the retry delivers it", async () => {
    server.answer(500);
    const hub = hubFor(make(server.url));
    hub.dispatch(events.failure);
    await hub.flush();
    expect(server.requests).toHaveLength(2);
    expect(logs).toHaveLength(1);
  });

  it("on a closed port: logged and retried once", async () => {
    const port = await closedPort();
    const hub = hubFor(make(`http://127.0.0.1:${port}`));
    hub.dispatch(events.failure);
    await hub.flush();
    expect(logs).toHaveLength(2);
    expect(logs[0]).toMatch(/could not be reached: .*ECONNREFUSED/);
  });

  it("never answering: times out, is retried once, and never holds up the emitter", async () => {
    server.always("hang");
    const emitter = new EventEmitter<SchedulerEvents>();
    const hub = hubFor(make(server.url));
    hub.attach(emitter);

    const started = performance.now();
    emitter.emit("failure", events.failure);
    emitter.emit("failure", events.destinationFull);
    expect(performance.now() - started).toBeLessThan(50);

    await hub.flush();
    expect(server.requests).toHaveLength(4); // two events, each tried twice
    expect(logs[0]).toMatch(/did not answer within 300 ms/);
    expect(logs.filter((line) => /giving up/.test(line))).toHaveLength(2);
  });
});
