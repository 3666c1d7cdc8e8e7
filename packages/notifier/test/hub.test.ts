import { createManualClock, type ManualClock, type SchedulerEvents } from "@simplebackup/core";
import { EventEmitter } from "eventemitter3";
import { beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryNotifier,
  createNotifierHub,
  type NotifiableEvent,
  type Notifier,
  type NotifierHubOptions,
  PermanentNotifierError,
  webhook,
} from "../src/index.js";
import { sampleEvents } from "./helpers/events.js";

let clock: ManualClock;
let logs: { level: "warn" | "error"; message: string }[];

beforeEach(() => {
  clock = createManualClock(Date.parse("2026-06-01T10:00:00Z"));
  logs = [];
});

function hubWith(options: Partial<NotifierHubOptions> & Pick<NotifierHubOptions, "notifiers">) {
  return createNotifierHub({
    clock,
    logger: {
      warn: (message) => logs.push({ level: "warn", message }),
      error: (message) => logs.push({ level: "error", message }),
    },
    timeoutMs: 10_000,
    retryDelayMs: 1_000,
    ...options,
  });
}

/** A notifier whose calls are answered by the test. */
function controlled(name = "controlled") {
  const calls: { event: NotifiableEvent; signal: AbortSignal | undefined; settle(error?: Error): void }[] =
    [];
  const notifier: Notifier = {
    name,
    on: ["failure", "success"],
    notify: (event, context) =>
      new Promise<void>((resolve, reject) => {
        calls.push({
          event,
          signal: context?.signal,
          settle: (error) => (error ? reject(error) : resolve()),
        });
      }),
  };
  return { notifier, calls };
}

/** Lets queued microtasks and promise chains run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const events = sampleEvents();

describe("createNotifierHub: never in the emitter's way", () => {
  it("returns from emit before any notifier runs, and a hung notifier does not block the next emit", async () => {
    const hung = controlled();
    const emitter = new EventEmitter<SchedulerEvents>();
    const hub = hubWith({ notifiers: [hung.notifier] });
    hub.attach(emitter);

    expect(emitter.emit("failure", events.failure)).toBe(true);
    expect(hung.calls).toHaveLength(0); // not even started inside emit
    await settle();
    expect(hung.calls).toHaveLength(1); // now hanging

    // A second emit while the first delivery hangs: synchronous, returns at once, queued behind it.
    expect(emitter.emit("success", events.success)).toBe(true);
    await settle();
    expect(hung.calls).toHaveLength(1);

    hung.calls[0]?.settle();
    await settle();
    expect(hung.calls.map((call) => call.event.type)).toEqual(["failure", "success"]);
  });

  it("catches a notifier that throws synchronously, logs it and retries once", async () => {
    let calls = 0;
    const thrower: Notifier = {
      name: "thrower",
      notify() {
        calls++;
        throw new Error("kaboom");
      },
    };
    const memory = createMemoryNotifier();
    const hub = hubWith({ notifiers: [thrower, memory] });
    expect(() => hub.dispatch(events.failure)).not.toThrow();
    await settle();
    expect(calls).toBe(1);
    expect(memory.types()).toEqual(["failure"]); // the others do not wait for it
    expect(logs).toEqual([
      {
        level: "warn",
        message: expect.stringMatching(
          /^notifier "thrower" failed on failure of Photos: kaboom; trying once more in 1000 ms$/,
        ),
      },
    ]);

    await clock.advance(1_000);
    expect(calls).toBe(2);
    expect(logs[1]).toEqual({
      level: "error",
      message: 'notifier "thrower" failed again on failure of Photos: kaboom; giving up on it',
    });
    await hub.flush();
  });

  it("does not retry a failure that trying again cannot mend (a missing package)", async () => {
    let calls = 0;
    const missing: Notifier = {
      name: "missing",
      notify() {
        calls++;
        throw new PermanentNotifierError("the desktop notifier needs the node-notifier package");
      },
    };
    const hub = hubWith({ notifiers: [missing] });
    hub.dispatch(events.failure);
    await settle();
    await clock.advance(1_000);
    expect(calls).toBe(1);
    expect(logs).toEqual([
      {
        level: "error",
        message:
          'notifier "missing" failed on failure of Photos: the desktop notifier needs the node-notifier package; not retried',
      },
    ]);
    await hub.flush();
  });

  it("times out a notifier that never answers, aborts its signal, retries once, then goes on", async () => {
    const hung = controlled("hung");
    const hub = hubWith({ notifiers: [hung.notifier] });
    hub.dispatch(events.failure);
    hub.dispatch(events.success);
    await settle();
    expect(hung.calls).toHaveLength(1);

    await clock.advance(10_000);
    expect(hung.calls[0]?.signal?.aborted).toBe(true);
    expect(logs.map((log) => log.message)).toEqual([
      'notifier "hung" failed on failure of Photos: timed out after 10000 ms; trying once more in 1000 ms',
    ]);

    await clock.advance(1_000); // the retry
    expect(hung.calls.map((call) => call.event.type)).toEqual(["failure", "failure"]);
    await clock.advance(10_000);
    expect(logs.at(-1)?.level).toBe("error");

    // Given up on the failure; the success behind it goes out.
    expect(hung.calls.map((call) => call.event.type)).toEqual(["failure", "failure", "success"]);
    hung.calls[2]?.settle();
    await hub.flush();
  });

  it("delivers on the retry when the second attempt works, with one warning", async () => {
    const flaky = controlled("flaky");
    const hub = hubWith({ notifiers: [flaky.notifier] });
    hub.dispatch(events.failure);
    await settle();
    flaky.calls[0]?.settle(new Error("503 from the receiver"));
    await settle();
    await clock.advance(1_000);
    flaky.calls[1]?.settle();
    await hub.flush();
    expect(flaky.calls).toHaveLength(2);
    expect(logs).toHaveLength(1);
    expect(logs[0]?.level).toBe("warn");
  });

  it("keeps each notifier's events in order, however long each takes", async () => {
    const seen: string[] = [];
    const slow: Notifier = {
      name: "slow",
      on: ["start", "success", "failure"],
      async notify(event) {
        await new Promise((resolve) => setTimeout(resolve, event.type === "start" ? 30 : 1));
        seen.push(event.type);
      },
    };
    const hub = hubWith({ notifiers: [slow] });
    for (const event of [events.start, events.failure, events.success]) hub.dispatch(event);
    await hub.flush();
    expect(seen).toEqual(["start", "failure", "success"]);
  });

  it("drops the oldest events of a notifier that falls far behind, warning once", async () => {
    const hung = controlled("behind");
    const hub = hubWith({ notifiers: [hung.notifier], maxQueue: 2 });
    hub.dispatch(events.failure); // taken at once, then hangs
    await settle();
    for (let i = 0; i < 4; i++) hub.dispatch(events.success);
    expect(logs.filter((log) => log.message.includes("falls behind"))).toHaveLength(1);
    hung.calls[0]?.settle();
    await settle();
    for (const call of hung.calls.slice(1)) call.settle();
    await settle();
    for (const call of hung.calls.slice(2)) call.settle();
    await hub.flush();
    expect(hung.calls).toHaveLength(3); // the hung one plus the 2 newest
  });
});

describe("createNotifierHub: who hears what", () => {
  it("tells a default notifier about failures and stale jobs, not successes", async () => {
    const memory = createMemoryNotifier();
    const hub = hubWith({ notifiers: [memory] });
    for (const event of Object.values(events)) hub.dispatch(event);
    await hub.flush();
    expect(memory.types()).toEqual([
      "partial",
      "failure",
      "failure",
      "retries-exhausted",
      "config-invalid",
      "stale",
      "recovered",
      "copy-lagging",
    ]);
  });

  it("by default hears a copy that lags past its alert_after, not each failed copy, nor a run that waits for its when", async () => {
    const byDefault = createMemoryNotifier();
    const copies = createMemoryNotifier({ on: ["copy-failed", "copy-done"] });
    const hub = hubWith({ notifiers: [byDefault, copies] });
    // A target down for an hour: failed copies retried, then the lag alert, then a copy that works.
    hub.dispatch(events["copy-failed"]);
    hub.dispatch(events["copy-failed"]);
    hub.dispatch(events.skippedConditions);
    hub.dispatch(events["copy-lagging"]);
    hub.dispatch(events["copy-done"]);
    await hub.flush();
    expect(byDefault.notifications.map((n) => n.message.title)).toEqual([
      "Photos: copy to offsite lags 2d 3h behind",
    ]);
    expect(copies.types()).toEqual(["copy-failed", "copy-failed", "copy-done"]);
  });

  it("tells about success only when asked", async () => {
    const quiet = createMemoryNotifier();
    const chatty = createMemoryNotifier({ on: ["success", "failure"] });
    const hub = hubWith({ notifiers: [quiet, chatty] });
    hub.dispatch(events.success);
    await hub.flush();
    expect(quiet.types()).toEqual([]);
    expect(chatty.types()).toEqual(["success"]);
  });

  it('matches "destination-full" only for failures with code DESTINATION_FULL', async () => {
    const memory = createMemoryNotifier({ on: ["destination-full"] });
    const hub = hubWith({ notifiers: [memory] });
    hub.dispatch(events.failure);
    hub.dispatch(events.destinationFull);
    await hub.flush();
    expect(memory.notifications.map((n) => n.message.title)).toEqual([
      "Photos: backup failed: Destination full",
    ]);
  });

  it("lets an entry's `on` override the notifier's own", async () => {
    const memory = createMemoryNotifier({ on: ["failure"] });
    const hub = hubWith({ notifiers: [{ notifier: memory, on: ["success"] }] });
    hub.dispatch(events.failure);
    hub.dispatch(events.success);
    await hub.flush();
    expect(memory.types()).toEqual(["success"]);
  });

  it("routes by job: restricted entries, per-job additions, config events to the top level only", async () => {
    const everyone = createMemoryNotifier({ name: "everyone" });
    const photosOnly = createMemoryNotifier({ name: "photos-only" });
    const musicAddition = createMemoryNotifier({ name: "music-addition" });
    const hub = hubWith({
      notifiers: [everyone, { notifier: photosOnly, jobs: ["Photos"] }],
      jobs: { Music: [musicAddition] },
    });
    const photos = sampleEvents("Photos");
    const music = sampleEvents("Music");
    hub.dispatch(photos.failure);
    hub.dispatch(music.failure);
    hub.dispatch(photos["config-invalid"]);
    await hub.flush();
    const jobs = (memory: ReturnType<typeof createMemoryNotifier>) =>
      memory.notifications.map((n) => n.event.job);
    expect(jobs(everyone)).toEqual(["Photos", "Music", "*"]);
    expect(jobs(photosOnly)).toEqual(["Photos", "*"]);
    expect(jobs(musicAddition)).toEqual(["Music"]);
  });

  it("tells a notifier listed both at the top and for a job only once", async () => {
    const memory = createMemoryNotifier();
    const hub = hubWith({ notifiers: [memory], jobs: { Photos: [memory] } });
    hub.dispatch(events.failure);
    await hub.flush();
    expect(memory.types()).toEqual(["failure"]);
  });
});

describe("createNotifierHub: flush, close, describe", () => {
  it("flush waits for pending deliveries; with a limit it stops waiting and says so", async () => {
    const hung = controlled();
    const hub = hubWith({ notifiers: [hung.notifier] });
    await hub.flush(); // nothing pending
    hub.dispatch(events.failure);
    let flushed = false;
    const flushing = hub.flush({ timeoutMs: 500 }).then(() => {
      flushed = true;
    });
    await settle();
    expect(flushed).toBe(false);
    await clock.advance(500);
    await flushing;
    expect(logs.at(-1)?.message).toMatch(/still pending after 500 ms/);
    hung.calls[0]?.settle();
  });

  it("close delivers what is queued, closes every notifier once, detaches and drops later events", async () => {
    const emitter = new EventEmitter<SchedulerEvents>();
    const memory = createMemoryNotifier();
    let closes = 0;
    const closing: Notifier = { name: "closing", notify() {}, close: () => void closes++ };
    const hub = hubWith({ notifiers: [memory, closing], jobs: { Photos: [closing] } });
    hub.attach(emitter);
    emitter.emit("failure", events.failure);
    await hub.close();
    expect(memory.types()).toEqual(["failure"]);
    expect(memory.closed).toBe(true);
    expect(closes).toBe(1);
    expect(emitter.listenerCount("failure")).toBe(0);
    hub.dispatch(events.failure);
    await settle();
    expect(memory.types()).toEqual(["failure"]);
  });

  it("a notifier whose close throws is logged, and the others still close", async () => {
    const memory = createMemoryNotifier();
    const broken: Notifier = {
      name: "broken",
      notify() {},
      close() {
        throw new Error("already closed");
      },
    };
    const hub = hubWith({ notifiers: [broken, memory] });
    await hub.close();
    expect(memory.closed).toBe(true);
    expect(logs).toEqual([{ level: "warn", message: 'notifier "broken" failed to close: already closed' }]);
  });

  it("describes its notifiers with routing and masked secrets", () => {
    const hub = hubWith({
      notifiers: [
        webhook({
          url: "https://user:hunter2@hooks.example.com/T000/B000/XXXX?key=abc",
          headers: { authorization: "Bearer abc" },
        }),
      ],
      jobs: { Photos: [createMemoryNotifier({ on: ["success"] })] },
    });
    expect(hub.describe()).toEqual([
      {
        name: "webhook hooks.example.com",
        type: "webhook",
        on: expect.arrayContaining(["failure"]),
        options: {
          url: "https://user:***@hooks.example.com/***?key=***",
          headers: { authorization: "***" },
        },
        deliveries: { delivered: 0, failed: 0 },
      },
      { name: "memory", on: ["success"], jobs: ["Photos"], deliveries: { delivered: 0, failed: 0 } },
    ]);
  });
});

describe("createNotifierHub: failures core will retry", () => {
  it("hears a failure marked willRetry as a retry, so the default filter waits for the outcome", async () => {
    const byDefault = createMemoryNotifier();
    const retries = createMemoryNotifier({ on: ["retry"] });
    const hub = hubWith({ notifiers: [byDefault, retries] });
    const attempt1 = { ...events.failure, willRetry: true, attempt: 1, maxAttempts: 2 } as NotifiableEvent;
    const attempt2 = { ...events.failure, willRetry: false, attempt: 2, maxAttempts: 2 } as NotifiableEvent;
    for (const event of [attempt1, events.retry, attempt2]) hub.dispatch(event);
    await hub.flush();
    expect(byDefault.notifications.map((n) => n.event)).toEqual([attempt2]);
    expect(byDefault.notifications[0]?.message.body).toContain("Attempt 2 of 2.");
    expect(retries.types()).toEqual(["failure", "retry"]);
  });
});
