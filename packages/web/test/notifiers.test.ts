import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDaemon, type Daemon } from "@simplebackup/daemon";
import { createMemoryNotifier, type Notifier, PermanentNotifierError } from "@simplebackup/notifier";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDashboardServer, type DashboardServer } from "../src/index.js";
import type { NotifierView } from "../src/views.js";
import { Browser, leakyAttempt, SECRETS, secretConfig } from "./helpers.js";

// GET /api/notifiers with each notifier's last delivery and last error, from a real daemon whose
// state folder already knew of an older error: the fields come through, and no secret does.

const CHAT_SECRET = "CHATSECRET-d41";
const CHAT_TOKEN = "tk_chat_77";
const OLD_FILE_SECRET = "OLDPATHSECRET-9a";

/** A plugin-like notifier whose receiver refuses it, and whose error quotes its URL and token. */
const refusingChat: Notifier = {
  name: "chat",
  on: ["start"],
  notify() {
    throw new PermanentNotifierError(
      `https://chat.example/hooks/${CHAT_SECRET}?token=${CHAT_TOKEN} answered 403 (${SECRETS.jobPassword})`,
    );
  },
};

let dir: string;
let daemon: Daemon;
let server: DashboardServer;
let browser: Browser;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sb-web-notifiers-"));
  await mkdir(join(dir, "data"), { recursive: true });
  const configPath = join(dir, "config.json");
  await writeFile(configPath, JSON.stringify(secretConfig(dir), null, 2));
  const stateDir = join(dir, "state");
  // What an earlier run of the daemon kept: the job's webhook failing yesterday, its URL's path in
  // the text (as a version that masked less might have written it).
  await mkdir(stateDir, { recursive: true });
  await writeFile(
    join(stateDir, "notifier-deliveries.json"),
    JSON.stringify({
      version: 1,
      notifiers: {
        "job app db / webhook / webhook hooks.example": {
          lastDelivery: { at: "2026-05-30T08:00:00.000Z", event: "stale", job: "app db" },
          lastError: {
            at: "2026-05-31T08:00:00.000Z",
            event: "stale",
            job: "app db",
            error: `https://hooks.example/services/${OLD_FILE_SECRET} could not be reached: connect ECONNREFUSED`,
          },
        },
      },
    }),
  );
  daemon = createDaemon({
    configPath,
    stateDir,
    watchConfig: false,
    runAttempt: leakyAttempt("failed"),
    notifiers: [createMemoryNotifier({ on: ["start"] }), refusingChat],
    env: { ...process.env, APP_RESTIC_PASSWORD: "env-pass" },
    logger: { warn: () => {}, error: () => {} },
    warn: () => {},
  });
  await daemon.start();
  server = await createDashboardServer(daemon, { listen: "127.0.0.1:0", stateDir });
  browser = new Browser(server);
  await browser.logIn();
});
afterAll(async () => {
  await server?.close();
  await daemon?.stop({ timeoutMs: 2_000, notifyTimeoutMs: 500 });
  await rm(dir, { recursive: true, force: true });
});

async function notifiers() {
  const reply = await browser.get("/api/notifiers");
  expect(reply.status).toBe(200);
  return { text: reply.text, list: reply.json<{ notifiers: NotifierView[] }>().notifiers };
}

describe("GET /api/notifiers: last delivery and last error", () => {
  it("says what an earlier run of the daemon kept, its error masked again, and no delivery since start", async () => {
    const { list } = await notifiers();
    expect(list.find((notifier) => notifier.type === "webhook")).toMatchObject({
      name: "webhook hooks.example",
      jobs: ["app db"],
      lastDelivery: { at: "2026-05-30T08:00:00.000Z", event: "stale", job: "app db" },
      lastError: {
        at: "2026-05-31T08:00:00.000Z",
        event: "stale",
        job: "app db",
        error: "https://hooks.example/*** could not be reached: connect ECONNREFUSED",
      },
      delivered: 0,
      failed: 0,
    });
  });

  it("after a run: the notifier that took it delivered, the refused one failed, nothing secret", async () => {
    await daemon.runNow("docs");
    await expect
      .poll(async () => (await notifiers()).list.find((notifier) => notifier.name === "chat")?.failed)
      .toBe(1);
    const { text, list } = await notifiers();
    const memory = list.find((notifier) => notifier.name === "memory");
    const chat = list.find((notifier) => notifier.name === "chat");
    expect(memory).toMatchObject({
      lastDelivery: { at: expect.any(String), event: "start", job: "docs" },
      lastError: null,
      delivered: 1,
      failed: 0,
    });
    expect(chat).toMatchObject({
      lastDelivery: null,
      lastError: { event: "start", job: "docs" },
      delivered: 0,
      failed: 1,
    });
    // The URL down to its host by the hub; the job's password, quoted too, scrubbed by the dashboard.
    expect(chat?.lastError?.error).toBe("https://chat.example/***?token=*** answered 403 (***)");
    for (const secret of [CHAT_SECRET, CHAT_TOKEN, OLD_FILE_SECRET, ...Object.values(SECRETS)]) {
      expect(text).not.toContain(secret);
    }
  });
});
