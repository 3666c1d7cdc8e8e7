// The behaviour every notifier shares, run against each one: the built-ins with real receivers (HTTP
// servers, a recording notify-send, a recording program), the in-memory double and the example plugin.
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desktop } from "../src/desktop/index.js";
import {
  command,
  createMemoryNotifier,
  createNotifierHub,
  createNotifiersFromConfig,
  DEFAULT_NOTIFY_ON,
  describeNotifier,
  healthchecks,
  NOTIFIER_EVENT_KINDS,
  type NotifiableEvent,
  type NotifierEntry,
  type NotifierEventKind,
  ntfy,
  wantsEvent,
  webhook,
} from "../src/index.js";
import { allEvents, sampleEvents } from "./helpers/events.js";
import { createRecordingNotifySend, createRecordingScript, createTempDir } from "./helpers/fake-programs.js";
import { type Recorder, startRecorder } from "./helpers/http-recorder.js";

const SECRET = "s3cr3t-tok3n-4242";
const EXAMPLE_PLUGIN = resolve(import.meta.dirname, "../../../examples/custom-notifier/my-notifier.mjs");

interface Case {
  readonly name: string;
  /** Builds it as a user would, listening for `on` (its default when undefined). */
  make(on?: NotifierEventKind[]): Promise<NotifierEntry>;
  /** How many notifications reached the receiver so far. */
  delivered(): number;
  /** Makes the receiver fail (or work again). */
  fail(on: boolean): void;
  /** The secret its options carry, if it takes any. */
  readonly secret: string | undefined;
}

let temp: ReturnType<typeof createTempDir>;
let server: Recorder;
let notifySend: ReturnType<typeof createRecordingNotifySend>;
let script: ReturnType<typeof createRecordingScript>;
let savedPath: string | undefined;
const memories: ReturnType<typeof createMemoryNotifier>[] = [];

beforeAll(async () => {
  temp = createTempDir();
  server = await startRecorder();
  notifySend = createRecordingNotifySend(temp.path);
  script = createRecordingScript(temp.path);
  // node-notifier looks notify-send up on PATH (with `which`) and runs it through a shell.
  savedPath = process.env.PATH;
  process.env.PATH = `${temp.path}:${process.env.PATH}`;
});

afterAll(async () => {
  process.env.PATH = savedPath;
  await server.close();
  temp.dispose();
});

/** Requests under one path prefix, so cases sharing the server count only their own. */
const requestsTo = (prefix: string) => server.requests.filter((request) => request.url.startsWith(prefix));
const failServer = (on: boolean) => server.always(on ? 500 : 200);
const entry = (notifier: NotifierEntry["notifier"]): NotifierEntry => ({ notifier });

const cases: Case[] = [
  {
    name: "webhook",
    secret: SECRET,
    make: async (on) =>
      entry(
        webhook({
          url: `${server.url}/webhook/${SECRET}?token=${SECRET}`,
          headers: { authorization: `Bearer ${SECRET}` },
          timeoutMs: 2_000,
          ...(on ? { on } : {}),
        }),
      ),
    delivered: () => requestsTo("/webhook/").length,
    fail: failServer,
  },
  {
    name: "ntfy",
    secret: SECRET,
    make: async (on) =>
      entry(
        ntfy({ url: `${server.url}/ntfy-${SECRET}`, token: SECRET, timeoutMs: 2_000, ...(on ? { on } : {}) }),
      ),
    delivered: () => requestsTo("/ntfy-").length,
    fail: failServer,
  },
  {
    name: "healthchecks",
    secret: SECRET,
    make: async (on) =>
      entry(healthchecks({ url: `${server.url}/hc/${SECRET}`, timeoutMs: 2_000, ...(on ? { on } : {}) })),
    delivered: () => requestsTo("/hc/").length,
    fail: failServer,
  },
  {
    name: "command",
    secret: SECRET,
    make: async (on) =>
      entry(
        command({
          command: process.execPath,
          args: [script.script, `--token=${SECRET}`],
          env: { API_TOKEN: SECRET },
          ...(on ? { on } : {}),
        }),
      ),
    delivered: () => script.received().length,
    fail: (on) => script.fail(on),
  },
  {
    name: "desktop",
    secret: undefined,
    make: async (on) => entry(desktop(on ? { on } : {})),
    delivered: () => notifySend.calls().length,
    fail: (on) => notifySend.fail(on),
  },
  {
    name: "memory",
    secret: undefined,
    make: async (on) => {
      const memory = createMemoryNotifier(on ? { on } : {});
      memories.push(memory);
      return entry(memory);
    },
    delivered: () => memories.at(-1)?.notifications.length ?? 0,
    fail: () => {},
  },
  {
    name: "example plugin (loaded from a config entry)",
    secret: SECRET,
    make: async (on) => {
      const [built] = await createNotifiersFromConfig(
        [
          {
            module: EXAMPLE_PLUGIN,
            options: { url: `${server.url}/chat`, token: SECRET },
            ...(on ? { on } : {}),
          },
        ],
        { baseDir: temp.path },
      );
      if (!built) throw new Error("no notifier built");
      return built;
    },
    delivered: () => requestsTo("/chat").length,
    fail: failServer,
  },
];

/** A notifier's `notify` may return void or a promise; either way as a promise. */
const notify = (built: NotifierEntry, event: NotifiableEvent) =>
  Promise.resolve().then(() => built.notifier.notify(event));

function quietHub(built: NotifierEntry, logs: string[] = []) {
  const log = (line: string) => logs.push(line);
  return createNotifierHub({
    notifiers: [built],
    logger: { warn: log, error: log },
    retryDelayMs: 0,
    timeoutMs: 5_000,
  });
}

describe.each(cases)("notifier contract: $name", (testCase) => {
  it("has a name", async () => {
    const { notifier } = await testCase.make();
    expect(notifier.name).toMatch(/\S/);
  });

  it("resolves notify for every event kind it accepts by default", async () => {
    const built = await testCase.make();
    const on = built.on ?? built.notifier.on ?? DEFAULT_NOTIFY_ON;
    const accepted = allEvents().filter((event) => wantsEvent(on, event));
    expect(accepted.length).toBeGreaterThan(0);
    const before = testCase.delivered();
    for (const event of accepted) await expect(notify(built, event)).resolves.toBeUndefined();
    expect(testCase.delivered() - before).toBe(accepted.length);
  });

  it("resolves notify for every event kind when asked for all of them", async () => {
    const built = await testCase.make([...NOTIFIER_EVENT_KINDS]);
    for (const event of allEvents()) await expect(notify(built, event)).resolves.toBeUndefined();
  });

  it.each<[string, NotifierEventKind[], NotifiableEvent["type"][]]>([
    ["success only", ["success"], ["success"]],
    ["destination-full only", ["destination-full"], ["failure"]],
  ])("respects its `on` filter through the hub: %s", async (_label, on, expectedTypes) => {
    const built = await testCase.make(on);
    const hub = quietHub(built);
    const before = testCase.delivered();
    for (const event of allEvents()) hub.dispatch(event);
    await hub.close();
    expect(testCase.delivered() - before).toBe(expectedTypes.length);
  });

  it("by default is told about failures, not successes", async () => {
    const built = await testCase.make();
    const on = built.on ?? built.notifier.on ?? DEFAULT_NOTIFY_ON;
    const events = sampleEvents();
    expect(wantsEvent(on, events.failure)).toBe(true);
    expect(wantsEvent(on, events.destinationFull)).toBe(true);
    if (testCase.name !== "healthchecks") {
      // healthchecks needs start and success pings by its nature; everyone else stays quiet on success.
      expect(wantsEvent(on, events.success)).toBe(false);
    }
  });
});

describe.each(cases.filter((testCase) => testCase.secret !== undefined))(
  "notifier contract: $name",
  (testCase) => {
    it("never leaks a secret: not in its name, description, status or the hub's logs", async () => {
      const secret = testCase.secret as string;
      const built = await testCase.make(["failure"]);
      expect(built.notifier.name).not.toContain(secret);
      expect(JSON.stringify(built.notifier)).not.toContain(secret);
      expect(JSON.stringify(describeNotifier(built.notifier))).not.toContain(secret);

      const logs: string[] = [];
      const hub = quietHub(built, logs);
      expect(JSON.stringify(hub.describe())).not.toContain(secret);
      testCase.fail(true);
      try {
        hub.dispatch(sampleEvents().failure);
        await hub.close();
      } finally {
        testCase.fail(false);
      }
      expect(logs.length).toBeGreaterThanOrEqual(2); // the failure, then the failed retry
      for (const line of logs) expect(line).not.toContain(secret);
    });
  },
);

describe("the contract's receivers", () => {
  it("got what the notifiers sent", () => {
    // The cases above count deliveries; this checks one of each really carried the message.
    const webhookBody = JSON.parse(requestsTo("/webhook/")[0]?.body ?? "{}");
    expect(webhookBody.notification.title).toMatch(/^Photos: /);
    expect(notifySend.calls()[0]?.[0]).toMatch(/^Photos: /);
    expect(script.received()[0]?.env.token).toBe(SECRET);
  });
});
