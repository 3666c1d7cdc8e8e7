import { createManualClock, type ManualClock } from "@simplebackup/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryNotifier,
  createNotifierDeliveryLog,
  createNotifierHub,
  type NotifiableEvent,
  type Notifier,
  type NotifierHubOptions,
  ntfy,
  PermanentNotifierError,
  webhook,
} from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";
import { closedPort, type Recorder, startRecorder } from "./helpers/http-recorder.js";

// What the hub records of each notifier's deliveries: the dashboard's "last delivered 1 d ago" and
// "last error 3 h ago: connection refused", and that the error text never carries the notifier's secret.

const START = Date.parse("2026-06-01T10:00:00Z");
let clock: ManualClock;
let logs: string[];
let recorder: Recorder | undefined;

beforeEach(() => {
  clock = createManualClock(START);
  logs = [];
});
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

function hubWith(options: Partial<NotifierHubOptions> & Pick<NotifierHubOptions, "notifiers">) {
  return createNotifierHub({
    clock,
    logger: { warn: (message) => logs.push(message), error: (message) => logs.push(message) },
    timeoutMs: 10_000,
    retryDelayMs: 1_000,
    ...options,
  });
}

function throwing(name: string, error: () => Error, on: Notifier["on"] = ["failure"]): Notifier {
  return {
    name,
    on,
    notify() {
      throw error();
    },
  };
}

const events = sampleEvents();

describe("the hub's delivery record", () => {
  it("records the last delivery of a notifier that takes its events, with counts", async () => {
    const memory = createMemoryNotifier({ on: ["failure", "success"] });
    const hub = hubWith({ notifiers: [memory] });
    hub.dispatch(events.failure);
    await hub.flush();
    await clock.advance(60_000);
    hub.dispatch(events.success);
    await hub.flush();
    expect(hub.describe()[0]?.deliveries).toEqual({
      lastDelivery: { at: "2026-06-01T10:01:00.000Z", event: "success", job: "Photos" },
      delivered: 2,
      failed: 0,
    });
  });

  it("records the last error of one that fails, once given up on, beside the other's delivery", async () => {
    const memory = createMemoryNotifier();
    const broken = throwing("broken", () => new Error("kaboom"));
    const hub = hubWith({ notifiers: [memory, broken] });
    hub.dispatch(events.failure);
    await new Promise((resolve) => setImmediate(resolve)); // the first attempt failed; the retry waits a second
    expect(hub.describe()[1]?.deliveries).toEqual({ delivered: 0, failed: 0 });
    await clock.advance(1_000);
    await hub.flush();
    const [ok, failing] = hub.describe();
    expect(ok?.deliveries).toEqual({
      lastDelivery: { at: "2026-06-01T10:00:00.000Z", event: "failure", job: "Photos" },
      delivered: 1,
      failed: 0,
    });
    expect(failing?.deliveries).toEqual({
      lastError: { at: "2026-06-01T10:00:01.000Z", event: "failure", job: "Photos", error: "kaboom" },
      delivered: 0,
      failed: 1,
    });
  });

  it("counts a delivery the retry mended as delivered, not as an error", async () => {
    let calls = 0;
    const flaky: Notifier = {
      name: "flaky",
      notify() {
        calls += 1;
        if (calls === 1) throw new Error("blip");
      },
    };
    const hub = hubWith({ notifiers: [flaky] });
    hub.dispatch(events.failure);
    await clock.advance(1_000);
    await hub.flush();
    expect(hub.describe()[0]?.deliveries).toMatchObject({ delivered: 1, failed: 0 });
    expect(hub.describe()[0]?.deliveries?.lastError).toBeUndefined();
  });

  it("records a permanent error at once", async () => {
    const missing = throwing("missing", () => new PermanentNotifierError("needs node-notifier"));
    const hub = hubWith({ notifiers: [missing] });
    hub.dispatch(events.failure);
    await hub.flush();
    expect(hub.describe()[0]?.deliveries?.lastError?.error).toBe("needs node-notifier");
  });

  it("masks a plugin's error that quotes its webhook URL and token, folded to one short line", async () => {
    const leaky = throwing(
      "leaky",
      () =>
        new Error(
          `POST https://bot:hunter2@hooks.slack.com/services/T0/B0/SLACKSECRET?sig=abc123 failed (token=tk_live_42).\n${"x".repeat(400)}`,
        ),
    );
    const hub = hubWith({ notifiers: [leaky], retryDelayMs: 0 });
    hub.dispatch(events.failure);
    await hub.flush();
    const error = hub.describe()[0]?.deliveries?.lastError?.error ?? "";
    expect(error).toMatch(
      /^POST https:\/\/bot:\*\*\*@hooks\.slack\.com\/\*\*\*\?sig=\*\*\* failed \(token=\*\*\* x+…$/,
    );
    expect(error).toHaveLength(200);
    for (const secret of ["hunter2", "SLACKSECRET", "services", "abc123", "tk_live_42"]) {
      expect(error).not.toContain(secret);
      expect(logs.join("\n")).not.toContain(secret);
    }
  });
});

describe("the delivery record of real HTTP notifiers", () => {
  it("a webhook whose URL holds a token: 'could not be reached' with the cause, and no token", async () => {
    const port = await closedPort();
    const hook = webhook({ url: `http://user:pw-9f2c@127.0.0.1:${port}/hooks/TOKEN-7d1e?key=QKEY-51` });
    const hub = hubWith({ notifiers: [hook], retryDelayMs: 0 });
    hub.dispatch(events.failure);
    await hub.flush();
    const deliveries = hub.describe()[0]?.deliveries;
    expect(deliveries?.failed).toBe(1);
    expect(deliveries?.lastError).toMatchObject({ event: "failure", job: "Photos" });
    const error = deliveries?.lastError?.error ?? "";
    expect(error).toMatch(
      new RegExp(
        `^webhook http://user:\\*{3}@127\\.0\\.0\\.1:${port}/\\*{3}\\?key=\\*{3} could not be reached: connect ECONNREFUSED`,
      ),
    );
    for (const secret of ["TOKEN-7d1e", "QKEY-51", "pw-9f2c", "hooks"]) expect(error).not.toContain(secret);
  });

  it("an ntfy server that answers 500: the status and its answer", async () => {
    recorder = await startRecorder();
    recorder.always(500);
    const topic = ntfy({ url: `${recorder.url}/backups-SECRETTOPIC`, token: "tk_ntfy_31" });
    const hub = hubWith({ notifiers: [topic], retryDelayMs: 0 });
    hub.dispatch(events.failure);
    await hub.flush();
    const error = hub.describe()[0]?.deliveries?.lastError?.error ?? "";
    expect(error).toBe(`ntfy ${recorder.url}/*** answered 500: boom`);
    recorder.always(200);
    hub.dispatch(events.failure);
    await hub.flush();
    expect(hub.describe()[0]?.deliveries).toMatchObject({
      lastDelivery: { event: "failure", job: "Photos" },
      lastError: { error },
      delivered: 1,
      failed: 1,
    });
  });
});

describe("createNotifierDeliveryLog", () => {
  it("outlives a hub: the next hub over the same log (a config reload) keeps each notifier's record", async () => {
    const deliveries = createNotifierDeliveryLog({ now: () => clock.now() });
    const first = hubWith({
      notifiers: [throwing("chat", () => new Error("down"))],
      deliveries,
      retryDelayMs: 0,
    });
    first.dispatch(events.failure);
    await first.close();
    const second = hubWith({ notifiers: [createMemoryNotifier({ name: "chat" })], deliveries });
    // Same scope, type and name: the same notifier as far as the page can tell.
    expect(second.describe()[0]?.deliveries?.lastError?.error).toBe("down");
  });

  it("tells apart notifiers alike in scope, type and name, and the same name in two jobs", async () => {
    const deliveries = createNotifierDeliveryLog();
    const hub = hubWith({
      notifiers: [createMemoryNotifier(), createMemoryNotifier()],
      jobs: { Photos: [createMemoryNotifier()] },
      deliveries,
    });
    hub.dispatch(events.failure);
    await hub.flush();
    expect(Object.keys(deliveries.lastOutcomes())).toEqual([
      "all jobs / notifier / memory",
      "all jobs / notifier / memory #2",
      "job Photos / notifier / memory",
    ]);
  });

  it("restores what a file kept only where nothing newer is known, and masks its errors again", () => {
    const deliveries = createNotifierDeliveryLog({ now: () => clock.now() });
    const changes: number[] = [];
    deliveries.onChange(() => changes.push(1));
    deliveries.delivered("chat", events.success as NotifiableEvent);
    deliveries.restore({
      chat: {
        lastDelivery: { at: "2026-05-31T10:00:00.000Z", event: "failure", job: "Photos" },
        lastError: {
          at: "2026-05-31T07:00:00.000Z",
          event: "failure",
          job: "Photos",
          error: "https://ntfy.example.com/secret-topic could not be reached",
        },
      },
    });
    expect(deliveries.get("chat")).toEqual({
      lastDelivery: { at: "2026-06-01T10:00:00.000Z", event: "success", job: "Photos" },
      lastError: {
        at: "2026-05-31T07:00:00.000Z",
        event: "failure",
        job: "Photos",
        error: "https://ntfy.example.com/*** could not be reached",
      },
      delivered: 1,
      failed: 0,
    });
    expect(changes).toHaveLength(2);
    expect(Object.keys(deliveries.lastOutcomes())).toEqual(["chat"]);
  });
});
