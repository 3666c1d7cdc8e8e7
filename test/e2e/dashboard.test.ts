import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChromiumSession, screenshot } from "./browser/chromium.js";
import { type DashboardSession, openDashboard } from "./browser/dashboard-session.js";
import { tempDir, write } from "./cli.js";
import { freePort } from "./servers/server-process.js";

/*
 * The dashboard's pages in a real browser (Debian's Chromium) against a real daemon with real restic:
 * log in with the link `simplebackup ui` prints, see every job, run one now and watch its progress
 * reach 100 % and its row appear in the history and its snapshot in the list, see the job whose password is wrong shown as failed,
 * read a run's log, see a webhook whose server is down as failing (its secret URL masked) beside one that
 * delivers. Every page is screenshotted (test-output/screenshots/dashboard/), and the test
 * fails on any Content-Security-Policy violation, page error or request that left 127.0.0.1.
 */

const PASSWORD = "dashboard-e2e-pass-5c1d";
const WRONG_PASSWORD = "not-the-password-93a7";
/** In the URL of a webhook whose server is down: its path and query are its secrets. */
const HOOK_SECRET = "HOOKPATH-e2e-61f0";
const HOOK_TOKEN = "tk_e2e_hook_28";
const RESTIC = process.env.RESTIC_BINARY ?? "restic";
const temp = tempDir();
const root = temp.path;
const stateDir = join(root, "state");
let dashboard: DashboardSession;
let browser: ChromiumSession;
let page: Page;
/** What the page logged and which of its requests failed (./browser/watch-page.ts). */
let problems: string[];
let failedResponses: string[];
/** The webhook receiver that is up: answers 204 to every POST. */
let receiver: Server | undefined;

function restic(repository: string, args: string[]) {
  return spawnSync(RESTIC, args, {
    env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD: PASSWORD },
    encoding: "utf8",
  });
}

beforeAll(async () => {
  // 24 MiB that does not compress, uploaded at 8 MiB/s: a run of ~3 s, long enough to see the bar move.
  write(join(root, "data/blob.bin"), randomBytes(24 * 1024 * 1024));
  write(join(root, "data/notes/a.txt"), "alpha");
  write(
    join(root, "slow-restic.sh"),
    `#!/bin/sh\ncmd="$1"; shift\nexec ${RESTIC} "$cmd" --limit-upload 8192 "$@"\n`,
  );
  spawnSync("chmod", ["+x", join(root, "slow-restic.sh")]);
  // The broken job's repository exists with another password: its runs fail as a wrong password.
  expect(restic(join(root, "repo-broken"), ["init"]).status).toBe(0);
  const job = (name: string, password: string) => ({
    jobname: name,
    sources: ["./data"],
    destination: `./repo-${name}`,
    password,
    backup_interval: "0 2 * * *",
  });
  receiver = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(204).end());
  });
  await new Promise<void>((resolve) => receiver?.listen(0, "127.0.0.1", resolve));
  const receiverPort = (receiver.address() as AddressInfo).port;
  const config = write(join(root, "config.json"), {
    restic_binary: "./slow-restic.sh",
    ui: { listen: `127.0.0.1:${await freePort()}` },
    backupjobs: [job("photos", PASSWORD), job("broken", WRONG_PASSWORD)],
    // Both hear about failures (the default): the broken job's failure reaches one and not the other.
    notifications: [
      {
        type: "webhook",
        name: "down hook",
        // A port found free and left so: nothing listens there, as when the receiver's server is down.
        url: `http://127.0.0.1:${await freePort()}/hooks/${HOOK_SECRET}?token=${HOOK_TOKEN}`,
      },
      { type: "webhook", name: "up hook", url: `http://127.0.0.1:${receiverPort}/hooks/up` },
    ],
  });
  dashboard = await openDashboard(config, stateDir);
  ({ browser, page } = dashboard);
  ({ problems, failedResponses } = dashboard.watch);
}, 120_000);

afterAll(async () => {
  await dashboard?.close();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve) ?? resolve(undefined));
  temp.dispose();
});

function jobRow(name: string) {
  return page.locator(`tr[data-job="${name}"]`);
}

// Each step waits at most 60 s for what it looks for, so a slow machine fails with the locator it was
// waiting on rather than with the test's own timeout.
describe("the dashboard in Chromium, on a real daemon and restic", { timeout: 150_000 }, () => {
  it("logs in with the one-time link and shows every job", async () => {
    await page.goto(dashboard.loginLink());
    expect(new URL(page.url()).pathname).toBe("/");
    await expect.poll(() => page.locator("tr[data-job]").count()).toBe(2);
    await expect.poll(() => jobRow("photos").textContent()).toContain("idle");
    expect(await jobRow("photos").textContent()).toContain("never ran");
    expect(await jobRow("broken").textContent()).toContain("never");
    await page.locator(".live-live").waitFor();
    await screenshot(page, "overview-before-runs");
  });

  it("runs a job now and shows its progress reach 100 % and its row in the history", async () => {
    await jobRow("photos").getByRole("link", { name: "photos" }).click();
    await page.getByRole("heading", { name: "photos", level: 1 }).waitFor();
    await page.getByText("No runs yet.").waitFor();
    const runNow = page.getByRole("button", { name: "Run now" });
    await runNow.focus(); // pressed from the keyboard, as a person without a mouse would
    await page.keyboard.press("Enter");
    // While it runs: a live bar with its percent and ETA, and Cancel enabled.
    const bar = page.locator(".progress-text");
    await bar.filter({ hasText: /ETA/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole("button", { name: "Cancel" }).isEnabled()).toBe(true);
    await screenshot(page, "job-running");
    await bar.filter({ hasText: "100 %" }).waitFor({ timeout: 60_000 });
    const row = page.locator("table.history tbody tr").first();
    // After 100 % the run still forgets by its retention: under load that can take longer than the bar.
    await row.filter({ hasText: "✓ success" }).waitFor({ timeout: 60_000 });
    expect(await page.locator("table.history tbody tr").count()).toBe(1);
    const shortId = (await row.locator("code").textContent()) ?? "";
    expect(shortId).toMatch(/^[0-9a-f]{8}$/);
    // The new snapshot is listed too (GET /api/jobs/photos/snapshots, asked again after the run).
    await page.locator(`table.snapshots tr[data-snapshot="${shortId}"]`).waitFor({ timeout: 30_000 });
    await screenshot(page, "job-after-run");
  });

  it("opens the run's log", async () => {
    await page
      .locator("table.history tbody tr")
      .first()
      .getByRole("link", { name: /log of the run/ })
      .click();
    await page.getByRole("heading", { name: /Log of run/ }).waitFor();
    const log = (await page.locator("pre.log").textContent()) ?? "";
    expect(log.length).toBeGreaterThan(0);
    expect(log).not.toContain(PASSWORD);
    await screenshot(page, "run-log");
  });

  it("checks the repository and runs a restore drill from the job page, and says how each ended", async () => {
    await page.goto(new URL("/#/jobs/photos", page.url()).href);
    await page.getByRole("heading", { name: "photos", level: 1 }).waitFor();
    const notice = page.locator(".maintenance");
    await page.getByRole("button", { name: "Check repository" }).click();
    // The check's own outcome replaces "Check queued…" (a failure would say FAILED and its code).
    await notice.filter({ hasText: /repository checked|FAILED/ }).waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain("repository checked: no errors");
    await page.getByRole("button", { name: "Restore drill" }).click();
    await notice.filter({ hasText: /restore drill/ }).waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toMatch(/^restore drill passed: [1-9]\d* matched, 0 mismatched/);
    await screenshot(page, "job-after-drill");
  });

  it("shows the job with a wrong password as failed, in words", async () => {
    await page.goto(new URL("/#/jobs/broken", page.url()).href);
    await page.getByRole("heading", { name: "broken", level: 1 }).waitFor();
    await page.getByRole("button", { name: "Run now" }).click();
    await page
      .locator("table.history tbody tr")
      .first()
      .filter({ hasText: "✗ failed" })
      .waitFor({ timeout: 60_000 });
    await screenshot(page, "job-failed");
    await page.getByRole("link", { name: "simplebackup" }).click();
    await expect.poll(() => jobRow("broken").textContent()).toContain("✗ failed");
    expect(await jobRow("photos").textContent()).toContain("✓ success");
    await screenshot(page, "overview");
    await page.emulateMedia({ colorScheme: "dark" });
    await screenshot(page, "overview-dark");
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("shows the config with its secrets masked, and the notifiers", async () => {
    await page.getByRole("link", { name: "Config" }).click();
    await page.getByRole("heading", { name: "Job photos" }).waitFor();
    const text = await page.locator("main").textContent();
    expect(text).toContain('"kind": "literal"');
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(WRONG_PASSWORD);
    await screenshot(page, "config");
  });

  it("shows the webhook whose server is down as failing, with its error and no secret, beside one that delivers", async () => {
    // The API first: the down hook's error is recorded after the hub's retry, seconds after the failure.
    const api = () => page.evaluate(async () => (await fetch("/api/notifiers")).text());
    await expect
      .poll(async () => JSON.parse(await api()).notifiers.map((n: { failed: number }) => n.failed), {
        timeout: 60_000,
      })
      .toEqual([1, 0]);
    const body = await api();
    const [down, up] = JSON.parse(body).notifiers;
    expect(down).toMatchObject({
      name: "down hook",
      lastDelivery: null,
      lastError: { event: "failure", job: "broken" },
      delivered: 0,
    });
    const downError =
      /webhook http:\/\/127\.0\.0\.1:\d+\/\*{3}\?token=\*{3} could not be reached: connect ECONNREFUSED/;
    expect(down.lastError.error).toMatch(downError);
    expect(up).toMatchObject({
      name: "up hook",
      lastDelivery: { event: "failure", job: "broken" },
      lastError: null,
    });
    for (const secret of [HOOK_SECRET, HOOK_TOKEN]) expect(body).not.toContain(secret);

    // The page says it in words: failing, when, what the error was, for which event of which job.
    await page.getByRole("link", { name: "Notifiers" }).click();
    await page.getByRole("heading", { name: "Notifiers" }).waitFor();
    const downRow = page.locator('tr[data-notifier="down hook"]');
    await downRow.filter({ hasText: "✗ failing" }).waitFor();
    const downText = (await downRow.textContent()) ?? "";
    expect(downText).toMatch(new RegExp(`(ago|just now): ${downError.source}`));
    expect(downText).toContain("failure of broken");
    expect(downText).toContain("0 delivered, 1 failed since start");
    const upText = (await page.locator('tr[data-notifier="up hook"]').textContent()) ?? "";
    expect(upText).toContain("✓ delivering");
    expect(upText).toMatch(/ago|just now/);
    const text = (await page.locator("main").textContent()) ?? "";
    for (const secret of [HOOK_SECRET, HOOK_TOKEN]) expect(text).not.toContain(secret);
    await screenshot(page, "notifiers");
  });

  it("logged no CSP violation or page error, and asked nothing of any host but 127.0.0.1", () => {
    expect(problems).toEqual([]);
    expect(browser.blockedRequests).toEqual([]);
    // The only failed requests: listing snapshots of a repository not made yet or not ours to open.
    expect(
      failedResponses.filter((line) => !/^502 \/api\/jobs\/(photos|broken)\/snapshots$/.test(line)),
    ).toEqual([]);
  });
});
